"""Benchmark settings: the portal's production settings plus the bare floor page.

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
LOGGING = {"version": 1, "disable_existing_loggers": True}
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}]  # noqa: F405
