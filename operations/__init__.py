"""Running the portal: the health check, error pages and the request middleware (security
headers, CSP, bad input, database outages), and the backup and restore commands (see
docs/operations.md)."""
