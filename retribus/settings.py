"""Settings for the portal, read from the environment.

A fresh checkout runs on SQLite with ``DEBUG=1``; production sets ``DATABASE_URL``,
``SECRET_KEY`` and ``ALLOWED_HOSTS`` and refuses to start without a real secret key.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set a long random SECRET_KEY in the environment "
            "(or DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production-0123456789"
elif not DEBUG and (SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use 50 or more random characters."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "django_rq",
    "csp",
    "axes",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "opendata",
    "pages",
    "operations",
    "offers",
    "network",
    "bookings",
    "demo",
    "schooldesk",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "operations.middleware.PermissionsPolicyMiddleware",
    "operations.middleware.PortalCSPMiddleware",
    "operations.middleware.DatabaseOutageMiddleware",
    "operations.middleware.NulByteGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Fills the Merkliste placeholders of pages the page cache did not serve (inside CSRF,
    # so that a form token asked for there still sets its cookie).
    "schooldesk.markers.MarkerMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "retribus.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "retribus.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own, with a health check that needs no round trip (retribus/postgresql/).
    DATABASES["default"]["ENGINE"] = "retribus.postgresql"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")

LOGIN_URL = "admin:login"

# One JSON object per line in production, so the log collector can filter errors by
# status, path and exception; plain text while developing. LOG_FORMAT overrides either.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "retribus.jsonlog.JsonLineFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Server errors (5xx) always reach the log, whatever LOG_LEVEL says; 404s from
        # crawlers stay out of it unless LOG_LEVEL=WARNING or lower is chosen on purpose.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "retribus": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Caching -------------------------------------------------------------------------
# Shared between gunicorn workers when REDIS_URL is set (the network's rate limit and the
# page caches rely on that); a per-process memory cache otherwise.
REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL", "")
# Redis answers in well under a millisecond; redis-py would wait 5 s for a hung one. After a
# failure each worker skips Redis for CACHE_BREAKER_SECONDS (operations/cache.py).
CACHE_SOCKET_TIMEOUT = float(os.environ.get("CACHE_SOCKET_TIMEOUT", "0.25"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "operations.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "retribus"),
            "TIMEOUT": 300,
            "BREAKER_SECONDS": float(os.environ.get("CACHE_BREAKER_SECONDS", "10")),
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
                "socket_timeout": CACHE_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole public pages (offers/page_cache.py): in each worker's own memory, bounded, even with
# Redis, so that no flood of invented URLs can push the shared entries (the network form's
# rate limits, the walk's counts) out of Redis. An hour at most: pages of superseded
# catalogue versions are never asked for again.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "TIMEOUT": 60 * 60,
    "OPTIONS": {"MAX_ENTRIES": 400},
}
# Counts that must go on while the shared cache fails (the declaration's rate limit in
# network/spam.py, the e-mail reveals in offers/views/contact.py): in each worker's memory,
# so a limit still holds, per worker.
CACHES["fallback"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fallback",
    "TIMEOUT": 60 * 60,
    "OPTIONS": {"MAX_ENTRIES": 10_000},
}

# --- HTTPS, cookies and security headers ------------------------------------------------
# Behind a TLS-terminating proxy (SECURE_PROXY=1) the proxy must set X-Forwarded-Proto and
# strip any value the client sent; only then may Django trust it.
if env_bool("SECURE_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# /healthz is asked by the load balancer over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Browser features no page of the portal uses; sent by operations.middleware.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)

# Content-Security-Policy (django-csp): nothing from another host, no inline script or
# style on the public site. The admin alone gets 'unsafe-inline' styles, see
# operations.middleware.PortalCSPMiddleware and docs/operations.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {"style-src": ["'unsafe-inline'"]}

# --- Login protection (django-axes) -----------------------------------------------------
# Five failed logins lock that user name at that address for an hour (a stranger's wrong
# passwords never lock the real person out at their own address); twenty from one address,
# whatever the names, lock the address (retribus.auth.LockoutHandler). Coordinators unlock
# earlier by deleting the entries under "Access attempts" in the admin (docs/operations.md).
AUTHENTICATION_BACKENDS = [
    "retribus.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "retribus.auth.LockoutHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_CLIENT_IP_CALLABLE = "retribus.auth.client_ip"
AXES_USERNAME_CALLABLE = "retribus.auth.lockout_username"
# Successful logins are not recorded: data minimisation (DSGVO Art. 5).
AXES_DISABLE_ACCESS_LOG = True
# Password-reset mails per hour, per e-mail address and per client address
# (retribus.auth.ThrottledPasswordResetView); beyond them the page looks the same.
PASSWORD_RESET_MAILS_PER_ADDRESS = 3
PASSWORD_RESET_MAILS_PER_CLIENT = 10

# --- Curation ------------------------------------------------------------------------------
# Published offers whose last confirmation is older than this are flagged for follow-up.
OFFER_STALE_AFTER_DAYS = int(os.environ.get("OFFER_STALE_AFTER_DAYS", "365"))
# Public searches are counted in each worker's memory and written this often (insights/
# search_log.py); 0 writes only when asked (the tests do).
SEARCH_LOG_FLUSH_SECONDS = float(os.environ.get("SEARCH_LOG_FLUSH_SECONDS", "10"))
# manage.py build_handbook keeps the last PDF of the Kooperationshandbuch here (insights/
# handbook.py); not a public folder: the portal serves the file itself.
HANDBOOK_DIR = Path(os.environ.get("HANDBOOK_DIR", BASE_DIR / "var" / "handbook"))
# Uploaded import files wait here between the dry run and the confirmed import.
OFFER_IMPORT_DIR = Path(
    os.environ.get("OFFER_IMPORT_DIR", Path(tempfile.gettempdir()) / "retribus-imports")
)

# --- Background jobs (django-rq) ----------------------------------------------------------
# A confirmed offer import runs as a job in `manage.py rqworker` (docker-compose's `worker`),
# outside the web request, when REDIS_URL is set. Without Redis (`make run`, the tests)
# OFFER_IMPORT_QUEUE is None and the job runs at once in the process that starts it.
RQ_QUEUES = {
    "default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 1800},
}
# How long a web request waits for the queue's Redis before it gives a job up.
QUEUE_ENQUEUE_TIMEOUT = float(os.environ.get("QUEUE_ENQUEUE_TIMEOUT", "2"))
OFFER_IMPORT_QUEUE = os.environ.get("OFFER_IMPORT_QUEUE", "default" if REDIS_URL else "") or None
# The queue stops an import job after this many seconds (10,000 offers take about one
# minute); nothing is written then, and the progress page says so.
OFFER_IMPORT_TIMEOUT = int(os.environ.get("OFFER_IMPORT_TIMEOUT", "1800"))

# Large PDFs (handouts, the cooperation handbook) are made by the same queue, outside the
# web request (operations/pdfs.py); without Redis in the request.
PDF_QUEUE = os.environ.get("PDF_QUEUE", "default" if REDIS_URL else "") or None
PDF_TIMEOUT = int(os.environ.get("PDF_TIMEOUT", "300"))

# --- Limits of one import file (spreadsheet) ---------------------------------------------
# offers.importing.spreadsheet checks them before and while it reads an upload, so that a
# crafted file costs a worker neither gigabytes nor minutes (docs/import-format.md, "Limits").
# Rows of the sheet, the header and empty rows included (a region's yearly survey has a few
# hundred): 5,000 offers take ~15 s to read from an XLSX and ~4 s to check.
OFFER_IMPORT_MAX_ROWS = int(os.environ.get("OFFER_IMPORT_MAX_ROWS", "5000"))
# The last column with a value (the format has 33).
OFFER_IMPORT_MAX_COLUMNS = 50
# Excel's own limit for one cell.
OFFER_IMPORT_MAX_CELL_CHARACTERS = 32767
# The whole file; an XLSX (a ZIP archive) unpacked. 5,000 offers from Excel are ~15 MB.
OFFER_IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("OFFER_IMPORT_MAX_UNPACKED_MB", "50")) << 20

# --- Retention of personal data (DSGVO Art. 5 Abs. 1 lit. e) ---------------------------
# Enforced by `manage.py purge_personal_data` (daily from cron, docs/operations.md,
# "Personal data") and named in the Datenschutz text; change both together.
# Earlier versions of contact persons' and partners' personal fields in the change history:
PERSONAL_HISTORY_RETENTION_DAYS = int(os.environ.get("PERSONAL_HISTORY_RETENTION_DAYS", "730"))
# Support declarations declined by the coordinators (days after the decision):
DECLARATION_DECLINED_RETENTION_DAYS = int(
    os.environ.get("DECLARATION_DECLINED_RETENTION_DAYS", "30")
)
# Support declarations nobody approved or declined (days after they came in):
DECLARATION_PENDING_RETENTION_DAYS = int(os.environ.get("DECLARATION_PENDING_RETENTION_DAYS", "90"))

# --- Data safety -------------------------------------------------------------------------
# Logos: small raster images only (validated in retribus.validators.validate_logo).
LOGO_MAX_BYTES = int(os.environ.get("LOGO_MAX_BYTES", str(1024 * 1024)))
LOGO_MAX_PIXELS = 2000

# --- Operations: maintenance state, restore safety copies, outage log ---------------------
# (docs/operations.md: "Maintenance state", "Backup and restore", "When something breaks")
# While restore_data runs, a flag file in MAINTENANCE_DIR puts the portal into maintenance:
# every request but /healthz gets a 503 page. All workers that serve the portal must see
# this directory (one host or container: the default; several: a shared volume).
MAINTENANCE_DIR = Path(os.environ.get("MAINTENANCE_DIR", BASE_DIR / "var"))
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "operations.middleware.MaintenanceMiddleware",
)
# restore_data first writes a backup_data copy of the data it is about to replace here.
RESTORE_SAFETY_DIR = Path(os.environ.get("RESTORE_SAFETY_DIR", BASE_DIR / "backups"))
# A database outage is logged at most once per this many seconds per worker.
OUTAGE_LOG_INTERVAL = float(os.environ.get("OUTAGE_LOG_INTERVAL", "30"))

# --- Open data (opendata/: API, downloads, feeds, widget; described on /daten/) -----------
# The licence the coordinators publish the catalogue under, named on /daten/, in the API's
# schema and the downloads.
OPEN_DATA_LICENSE = {
    "name": os.environ.get("OPEN_DATA_LICENSE_NAME", "CC BY 4.0"),
    "url": os.environ.get(
        "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/deed.de"
    ),
}
# Requests per minute and client address the JSON API answers (then 429).
OPEN_DATA_API_REQUESTS_PER_MINUTE = int(os.environ.get("OPEN_DATA_API_REQUESTS_PER_MINUTE", "120"))
# A download holds at most this many offers (the first ones in the search's order).
OPEN_DATA_DOWNLOAD_MAX = int(os.environ.get("OPEN_DATA_DOWNLOAD_MAX", "5000"))
REST_FRAMEWORK = {
    # Anonymous and read-only: no session, no cookie, no CSRF token.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ReTriBuS open data API",
    "DESCRIPTION": (
        "Read-only JSON API of the published orientation offers; the search parameters are "
        "the search page's. Described in German on /daten/."
    ),
    "VERSION": "1",
    "LICENSE": OPEN_DATA_LICENSE,
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from our own static files (drf-spectacular-sidecar): the CSP allows no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
