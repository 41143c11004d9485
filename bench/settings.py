"""Benchmark settings: the portal's production settings plus the bare floor page and the
Server-Timing middleware (bench/timing.py).

Run with DEBUG off (DEBUG slows every query and template), a throwaway secret key from
bench/run.py, plain HTTP on loopback (no HTTPS redirect) and unhashed static file names so
that no collectstatic run is needed.
"""

from retribus.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No log lines from Django's own loggers on the console, but gunicorn's loggers are left
# alone, so its access log (a file under bench/out/, as the Docker image writes one to stdout)
# costs what it costs in production; warnings still reach stderr.
LOGGING = {"version": 1, "disable_existing_loggers": False}
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}]  # noqa: F405
# Server time, queries and worker of every response in headers the bench's client reads
# (bench/timing.py); outermost, so that it times every other middleware too.
MIDDLEWARE = ["bench.timing.ServerTimingMiddleware", *MIDDLEWARE]  # noqa: F405
# The bench asks the JSON API hundreds of times a minute from one address.
OPEN_DATA_API_REQUESTS_PER_MINUTE = 10**9
