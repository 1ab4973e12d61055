"""examprep settings, read from the environment (12-factor).

With nothing set, the site runs on a SQLite file and Celery runs tasks in-process
(the "embedded default"), so a newcomer needs nothing but Python.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "examprep.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "simple_history",
    "domains",
    "questions",
    "progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "examprep.middleware.reject_nul_bytes",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "progress.timezones.local_time_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "examprep.middleware.content_security_policy",
    "examprep.middleware.no_store_when_personal",
    # Last, as django-axes asks: turns a lock-out into its answer.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before the password is even hashed.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "examprep.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "progress.timezones.local_time",
                "questions.context_processors.report_replies",
            ],
        },
    },
]

WSGI_APPLICATION = "examprep.wsgi.application"

# An empty DATABASE_URL means "not set", like an absent one.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must take concurrent requests like PostgreSQL does. WAL lets readers
    # run beside the one writer; IMMEDIATE transactions take the write lock when they begin, so
    # a transaction never has to upgrade a read lock (that upgrade fails at once with "database
    # is locked", whatever the timeout); the busy timeout (seconds) makes the others wait.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute force: after AXES_FAILURE_LIMIT failed sign-ins for one username from one address
# (site, admin and API token alike), that pair waits AXES_COOLOFF_MINUTES. Never by username
# alone, so a stranger cannot lock a candidate out. State lives in the database; staff unlock
# in the admin (Axes > Access attempts: delete the row).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "examprep.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "examprep.accounts.client_ip"
AXES_USERNAME_CALLABLE = "examprep.accounts.attempted_username"
AXES_VERBOSE = False
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: none, use the
# socket address). Used for lock-out and throttling.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))

# API tokens (django-rest-knox): hashed at rest, expire API_TOKEN_TTL_HOURS after last renewal;
# a token in use is renewed at most hourly (no write per autosave), so an open sitting never
# loses its token midway; a password change or "log out everywhere" revokes them all.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "24"))),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTH_HEADER_PREFIX": "Token",
}

# Mail: SMTP when EMAIL_HOST is set, otherwise printed to the console (development).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "examprep <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "progress:home"
LOGOUT_REDIRECT_URL = "landing"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "")

# Rendered markdown is cached: in-process by default, shared by every web worker with Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "examprep",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
    if not REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "examprep",
        # Redis down: give up within half a second; callers fall back (markdown renders,
        # throttles let the request through).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto, redirect to HTTPS, send HSTS.
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The container's own health check speaks plain HTTP to gunicorn, behind the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a commitment for every subdomain, for months: the operator opts in knowingly.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Secure cookies unless DEBUG; SESSION_COOKIE_SECURE=0 / CSRF_COOKIE_SECURE=0 to try the
# production settings over plain http://localhost.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # One error body everywhere (see examprep.api_errors), and a schema that documents it.
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    # Deep nesting and NUL characters get 400, never a RecursionError or a database error.
    "DEFAULT_PARSER_CLASSES": [
        "examprep.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Anonymous endpoints are throttled per address; the throttles let requests through if
    # their cache (Redis) is down.
    "DEFAULT_THROTTLE_CLASSES": ["examprep.accounts.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "300/hour"),
        "login": os.environ.get("THROTTLE_LOGIN", "30/hour"),
    },
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")) or None,
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "examprep API",
    "DESCRIPTION": "Practice for the AWS Certified DevOps Engineer - Professional exam (DOP-C02).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two "reason" choice sets (a problem report's, a miss-log tag's): name each once.
    "ENUM_NAME_OVERRIDES": {
        "MissReasonEnum": "progress.models.MissTag.Reason",
        "ProblemReportReasonEnum": "questions.models.ProblemReport.Reason",
        "ProblemReportStatusEnum": "questions.models.ProblemReport.Status",
        "SittingModeEnum": "progress.models.Sitting.Mode",
        "SittingStatusEnum": "progress.models.Sitting.Status",
        "StartModeEnum": ["mock", "practice", "missed"],
        # drf-standardized-errors' error enums, named once (as its docs say).
        **{
            name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
            for name in (
                "ValidationErrorEnum",
                "ClientErrorEnum",
                "ServerErrorEnum",
                "ErrorCode401Enum",
                "ErrorCode403Enum",
                "ErrorCode404Enum",
                "ErrorCode405Enum",
                "ErrorCode406Enum",
                "ErrorCode415Enum",
                "ErrorCode429Enum",
                "ErrorCode500Enum",
            )
        },
    },
    # Request bodies get their own components, so a required string that may not be blank is
    # declared `minLength: 1` (a blank one gets 400) without claiming it of responses.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "examprep.api_errors.postprocess_error_attrs",
        "examprep.api_errors.postprocess_non_blank_strings",
    ],
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_FORMATTER_CLASS": "examprep.api_errors.ErrorFormatter",
    "EXCEPTION_HANDLER_CLASS": "examprep.api_errors.ErrorHandler",
    "ERROR_SCHEMAS": {"429": "examprep.api_errors.ThrottledErrorResponse"},
}

# Celery: with REDIS_URL, a real broker; without it, tasks run eagerly in-process so the site
# works with nothing but Python. No web request publishes to the broker: work owed after a
# commit goes through the outbox (progress.outbox), so a Redis outage never stalls a request.
# Nothing reads task results, so none are stored (no result backend to wait on).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Where a broker call remains (beat, a worker, an admin action), it gives up within a second.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
}
OUTBOX_DISPATCH_SECONDS = float(os.environ.get("OUTBOX_DISPATCH_SECONDS", "5"))
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; failures and lock-outs are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

CELERY_BEAT_SCHEDULE = {
    "dispatch-outbox": {
        "task": "progress.tasks.dispatch_outbox",
        "schedule": OUTBOX_DISPATCH_SECONDS,
        # A dispatch that waited longer than its interval is superseded by the next one.
        "options": {"expires": OUTBOX_DISPATCH_SECONDS},
    },
    "finalise-expired-sittings": {
        "task": "progress.tasks.finalise_expired_sittings",
        "schedule": 60.0,
    },
    "nightly-weak-domain-reports": {
        "task": "progress.tasks.build_nightly_reports",
        "schedule": crontab(hour=2, minute=0),
    },
    "nightly-item-statistics": {
        "task": "progress.tasks.compute_item_statistics",
        "schedule": crontab(hour=3, minute=0),
    },
    "nightly-irt-calibration": {
        "task": "progress.tasks.calibrate_items",
        "schedule": crontab(hour=3, minute=30),
    },
}

# Errors go to Sentry (or a Sentry-compatible tracker) only when SENTRY_DSN is set; off by
# default. No personal data is sent (send_default_pii off).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
