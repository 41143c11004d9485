"""gunicorn settings of the Docker image (``gunicorn -c deploy/gunicorn.conf.py``).

gunicorn's sync workers handle one connection at a time and block while a client sends its
headers or body: two clients that send a byte a second hold both workers of a small server
until the timeout kills them. So gunicorn must only ever be reached through the buffering
proxy (``deploy/nginx.conf``), which reads the whole request before passing it on and reads
the whole answer before the worker is free; ``docker-compose.yml`` publishes the proxy's
ports only. The limits here are the second line of defence.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"

# A worker that has not answered in this time is killed and replaced. The slowest legitimate
# request is the dry run of a large import (docs/import-format.md, "Limits"); the proxy's
# proxy_read_timeout is a little longer, so the proxy never gives up on an answer that is
# still coming.
timeout = 60
# On a restart (deploy, SIGHUP) running requests get this long to finish.
graceful_timeout = 30
# The proxy talks to gunicorn one request per connection; nothing to keep open.
keepalive = 2

# The same limits as the proxy's large_client_header_buffers (4 × 8k): longer request lines
# or header lines, or more headers, are refused with 400 before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# The workers' heartbeat files: in memory, so a slow or full disk cannot make the arbiter
# take healthy workers for hung ones.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = "-"
errorlog = "-"
