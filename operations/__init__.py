"""Running the portal: backup and restore commands (see docs/operations.md)."""
