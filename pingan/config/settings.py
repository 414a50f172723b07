"""Settings for Ping'an, read from the environment.

DEBUG is off unless DEBUG=1 is set, so a deploy that forgets it never shows a traceback or the URL
list. Without DATABASE_URL and DEBUG the platform runs as the demo (PINGAN_DEMO, on by default then;
`make run` sets it): SQLite under var/, huey on SQLite, email to the console, a demo secret key,
plain HTTP on localhost. A deployment (DATABASE_URL set, or DEBUG=0) needs the settings that must not
have a demo value (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL): start-up fails with a clear error naming
what is missing, rather than running with a guessable key; HTTPS, HSTS and secure cookies are on.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PINGAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
# Demo unless told otherwise: a deployment sets DATABASE_URL or says DEBUG=0 (the README's recipe),
# and then SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL are required.
DEMO = env_bool("PINGAN_DEMO", not os.environ.get("DATABASE_URL") and not os.environ.get("DEBUG"))

_missing = []
if not DEBUG and not DEMO:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
        if not os.environ.get(required):
            _missing.append(required)
    if _missing:
        raise ImproperlyConfigured(
            "Production settings are incomplete (DEBUG=0, not PINGAN_DEMO): set "
            + ", ".join(_missing)
            + ". See README.md, section Deploy."
        )

SECRET_KEY = os.environ.get("SECRET_KEY", "demo-only-insecure-key-change-me-" + "x" * 20)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "pingan.core.admin_apps.PinganAdminConfig",  # django.contrib.admin, superusers only and audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "axes",
    "django_ratelimit",
    # Order matters for demo seeding: each app's demo.seed() runs in this order.
    "pingan.core",
    "pingan.geo",
    "pingan.org",
    "pingan.notify",
    "pingan.hazards",
    "pingan.monitoring",
    "pingan.emergency",
    "pingan.rescue",
    "pingan.warnings",
    "pingan.culture",
    "pingan.risks",
    "pingan.inspections",
    "pingan.licensing",
    "pingan.plans",
    "pingan.portal",
    "pingan.dashboard",
    "pingan.field",
    "pingan.assessment",
]

MIDDLEWARE = [
    # First: REMOTE_ADDR becomes the real client behind TRUSTED_PROXY_COUNT proxies for all that follows.
    "pingan.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pingan.core.middleware.RequestContextMiddleware",
    # A query parameter out of range or of the wrong type: a 400 page naming it (pingan.core.params).
    "pingan.core.params.BadParameterMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last: turns a lock-out raised by the authentication backend into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pingan.config.urls"
WSGI_APPLICATION = "pingan.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pingan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pingan.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'pingan.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request uses it, so a database restart costs the
        # requests made while it is down, not the first request of every process afterwards.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and the MQTT consumer share the file; the timeout
    # makes a writer wait for another instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
CSRF_FAILURE_VIEW = "pingan.core.views.csrf_failure"  # the friendly 403 page, in the person's language
LOGOUT_REDIRECT_URL = "portal:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
try:  # argon2 is preferred; PBKDF2 (Django's default) is the fallback when the binding is absent
    import argon2  # noqa: F401
except ImportError:
    PASSWORD_HASHERS = PASSWORD_HASHERS[1:]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out (django-axes), one policy for every door that authenticates (the console login, /admin/,
# anything calling authenticate()): after this many failed logins for one username FROM one client
# address, that pair is locked for the window. Keyed on the pair, so nobody can lock a duty officer
# out from another address, and an unknown username is treated exactly like a known one.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the person's division path in the same query (pingan.org.auth).
    "pingan.org.auth.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit log already
AXES_CLIENT_IP_CALLABLE = "pingan.core.middleware.client_ip"
AXES_LOCKOUT_CALLABLE = "pingan.core.middleware.lockout_response"
AXES_VERBOSE = False

# The reverse proxies of our own in front of the application (nginx: 1). The client address for the
# lock-out, the rate limits and the audit log is read from X-Forwarded-For only through them; with 0
# the header is ignored (anyone can send it).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "pingan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder before collectstatic
STATICFILES_DIRS = [
    # Front-end libraries come from the pinned npm packages installed at setup time (package.json).
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STATICFILES_DIRS = [(p, d) for p, d in STATICFILES_DIRS if d.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# WhiteNoise serves the collected files (`make run` runs collectstatic) with far-future caching and
# gzip/brotli variants; in the demo it also finds files not collected yet.
WHITENOISE_USE_FINDERS = DEBUG or DEMO
WHITENOISE_MAX_AGE = 3600 if DEMO else 86400
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Uploads per request (Django answers 400 beyond it): the photo forms take a few photos at a time.
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FILES", "10"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
API_JSON_MAX_DEPTH = 32
# Photos (pingan.hazards.photos): per case, and the decoder's bounds (pixels and decoded bytes).
HAZARDS_PHOTOS_PER_CASE = int(os.environ.get("HAZARDS_PHOTOS_PER_CASE", "30"))
HAZARDS_PHOTO_MAX_PIXELS = int(os.environ.get("HAZARDS_PHOTO_MAX_PIXELS", str(25_000_000)))
HAZARDS_PHOTO_MAX_DECODED_BYTES = int(
    os.environ.get("HAZARDS_PHOTO_MAX_DECODED_BYTES", str(120 * 1024 * 1024))
)

# Maps: the deployer sets a tile URL (e.g. 天地图 with the city's key). Without one the map
# draws on a plain background, so the demo works offline.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
MAP_CENTER = (23.98, 112.95)  # Qingyuan, WGS-84 (lat, lon)
MAP_ZOOM = 8
CITY_DIVISION_CODE = os.environ.get("CITY_DIVISION_CODE", "441800")
# Early warnings: external CAP Atom feeds polled every 5 minutes (space-separated URLs), and the
# sender of the platform's own CAP messages.
WARNINGS_FEED_URLS = os.environ.get("WARNINGS_FEED_URLS", "").split()
WARNINGS_SENDER = os.environ.get("WARNINGS_SENDER", "qingyuan-em@pingan.example")
# Screens and sirens subscribe to <topic>/<division code> (retained); needs MQTT_URL.
WARNINGS_MQTT_TOPIC = os.environ.get("WARNINGS_MQTT_TOPIC", "pingan/v1/warnings")

# Email (SMTP). The demo prints mail to the console.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pingan@localhost")
EMAIL_TIMEOUT = 10

# SMS goes through a provider class; the default only records the message.
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "pingan.notify.channels.RecordingSmsProvider")
SMS_API_URL = os.environ.get("SMS_API_URL", "")
SMS_API_KEY = os.environ.get("SMS_API_KEY", "")

# Background work: huey on SQLite for the demo, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")

# One cache shared by every process (web workers, huey, the MQTT consumer): rate-limit counters must
# not live in one process's memory. Redis when configured, else the database (table created by the
# core migration 0004; `manage.py createcachetable` does the same).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pingan",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "pingan.core.cache.AtomicDatabaseCache",
            "LOCATION": "pingan_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Rate limits (django-ratelimit, keyed by the real client address, counted in the shared cache).
# "N/s|m|h|d" per client address; a deployment tunes them with RATELIMIT_<NAME> environment variables.
RATELIMIT_USE_CACHE = "default"
# django-ratelimit warns about any cache it does not list; Django's own RedisCache increments with
# INCRBY and pingan.core.cache.AtomicDatabaseCache in a locked transaction, so both are atomic.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
RATELIMIT_VIEW = "pingan.core.middleware.ratelimited_view"
RATELIMITS = {
    "report": os.environ.get("RATELIMIT_REPORT", "20/h"),  # public report form submissions
    "track": os.environ.get("RATELIMIT_TRACK", "120/m"),  # tracking pages and their photos
    "photo": os.environ.get("RATELIMIT_PHOTO", "240/m"),  # public photo retrieval
    "open311_read": os.environ.get("RATELIMIT_OPEN311_READ", "120/m"),
    "open311_write": os.environ.get("RATELIMIT_OPEN311_WRITE", "20/h"),
    "login": os.environ.get("RATELIMIT_LOGIN", "30/m"),  # login POSTs per address, all usernames
}
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "pingan",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "pingan",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# Absolute links in email, SMS and webhooks (e.g. https://safety.example.gov.cn); relative without.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFY_HTTP_TIMEOUT = int(os.environ.get("NOTIFY_HTTP_TIMEOUT", "10"))

# MQTT ingestion (monitoring). Empty MQTT_URL: the consumer is not started.
MQTT_URL = os.environ.get("MQTT_URL", "")
MQTT_CONSUMERS = int(os.environ.get("MQTT_CONSUMERS", "2"))  # `make run`: consumers in the shared group
MQTT_TOPIC_PREFIX = os.environ.get(
    "MQTT_TOPIC_PREFIX", "pingan/v1"
)  # one broker, several platforms: one prefix each

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "pingan.org.auth.TokenAuthentication",  # DRF's, with the division path (pingan.org.auth)
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "pingan.core.pagination.Pagination",
    # JSON only: the interactive documentation is /api/docs/ (the browsable renderer would build
    # write forms from read objects and is a second UI to keep safe).
    # DRF's JSON, written by orjson (pingan.core.renderers, decision 0020).
    "DEFAULT_RENDERER_CLASSES": ["pingan.core.renderers.JSONRenderer"],
    # JSON nested deeper than API_JSON_MAX_DEPTH is a 400, not a RecursionError (pingan.core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "pingan.core.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "pingan.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "pingan.core.api.exception_handler",
    # OPTIONS without DRF's form probing (which called get_object() on routes without an id).
    "DEFAULT_METADATA_CLASS": "pingan.core.metadata.Metadata",
    "DEFAULT_VERSIONING_CLASS": None,
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "public_report": "20/hour"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}


def _enum_name_overrides() -> dict[str, str]:
    """Name every TextChoices/IntegerChoices class of the project's apps after its app and class
    ("HazardsStateEnum"), so that the OpenAPI schema gets stable, meaningful enum names instead of
    hash-suffixed ones when several apps have a field called `state`. Read from the source with
    ast, since settings cannot import models."""
    import ast

    out: dict[str, str] = {}
    for path in sorted((BASE_DIR / "pingan").glob("*/*.py")):
        if path.name not in {"choices.py", "models.py"}:
            continue
        app = path.parent.name
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(
                getattr(b, "attr", getattr(b, "id", "")) in {"TextChoices", "IntegerChoices"}
                for b in node.bases
            ):
                out[f"{app.capitalize()}{node.name}Enum"] = f"pingan.{app}.{path.stem}.{node.name}"
    # The colours a warning may be issued in (warnings.Colour without "unknown", which only
    # imported feeds carry).
    out["WarningsIssuableColourEnum"] = "pingan.warnings.choices.issuable_colours"
    return out


SPECTACULAR_SETTINGS = {
    "ENUM_NAME_OVERRIDES": _enum_name_overrides(),
    "TITLE": "Ping'an 平安 API",
    "DESCRIPTION": "City public-safety governance platform. Every list is scoped to the caller; "
    "objects outside the caller's scope answer 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error answers every operation can give (400/401/403/404/409/429), declared once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pingan.core.schema.add_error_responses",
    ],
    # Swagger UI from the pinned sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not DEMO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload is on by default (check --deploy asks for it); a deployer not ready for the preload
    # list sets SECURE_HSTS_PRELOAD=0.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"skip_ingest_access": {"()": "pingan.core.logging.SkipDeviceIngestAccess"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "server": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["skip_ingest_access"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # each failure is in the audit log; axes' INFO chatter is not needed
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
