"""Steward settings: what an operator changes comes from the environment (docs/operator.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet

from steward.core.env import envbool, envint, envlist, envstr
from steward.core.home import read_or_create_key, steward_home

BASE_DIR = Path(__file__).resolve().parent
STEWARD_HOME = steward_home()

SECRET_KEY = envstr("STEWARD_SECRET_KEY", "") or read_or_create_key(STEWARD_HOME / "secret.key")
STEWARD_ENCRYPTION_KEY = envstr("STEWARD_ENCRYPTION_KEY", "") or read_or_create_key(
    STEWARD_HOME / "encryption.key", Fernet.generate_key()
)
DEBUG = envbool("STEWARD_DEBUG", False)
ALLOWED_HOSTS = envlist("STEWARD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("STEWARD_CSRF_TRUSTED_ORIGINS", [])
STEWARD_MSP_NAME = envstr("STEWARD_MSP_NAME", "Steward MSP")
# Branding of the portal, status pages, reports and notifications (steward.core.branding).
STEWARD_MSP_LOGO = envstr("STEWARD_MSP_LOGO", "")  # path to an SVG/PNG file; empty: the name only
STEWARD_MSP_COLOUR = envstr("STEWARD_MSP_COLOUR", "#1f4e79")
STEWARD_MSP_ACCENT = envstr("STEWARD_MSP_ACCENT", "#e8a33d")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "axes",
    "csp",
    "steward.core",
    "steward.tenancy",
    "steward.api",
    "steward.web",
    "steward.obligations",
    "steward.agreements",
    "steward.servicedesk",
    "steward.monitoring",
    "steward.notify",
    "steward.reporting",
    "steward.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff who enrolled an authenticator must pass the code step before any other page.
    "steward.web.middleware.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "steward.core.middleware.AuditContextMiddleware",
    # Last, as django-axes asks: it turns lock-outs raised by the backend into 429 pages.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "steward.urls"
ASGI_APPLICATION = "steward.asgi.application"
WSGI_APPLICATION = "steward.wsgi.application"

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
                "steward.core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite in WAL mode under STEWARD_HOME unless STEWARD_DATABASE_URL says otherwise.
_default_db = f"sqlite:///{STEWARD_HOME / 'steward.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        envstr("STEWARD_DATABASE_URL", _default_db),
        conn_max_age=envint("STEWARD_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # CONN_MAX_AGE applies here too: opening a SQLite connection (PRAGMAs, function
    # registration) costs ~0.6 ms, a third of a fast API read (bench/api_read.py).
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on busy_timeout
        # instead of failing with "database is locked" halfway through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tenancy.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Owners and admins hold every model permission in the admin (steward/web/backends.py).
    "steward.web.backends.RolePermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login rate limit (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = envint("STEWARD_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = envint("STEWARD_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A page that says how long the lock lasts, in the shell's style.
AXES_LOCKOUT_CALLABLE = "steward.web.views_auth.lockout"

# Second factor (django-otp): throttle wrong codes 1, 2, 4 … seconds; learn clock drift.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_TOTP_SYNC = True

# Cookies and transport. Secure cookies are on by default; browsers accept them on http://127.0.0.1
# and http://localhost, so the embedded mode works. Behind TLS, also set STEWARD_HSTS_SECONDS.
_secure_cookies = envbool("STEWARD_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = _secure_cookies
CSRF_COOKIE_SECURE = _secure_cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("STEWARD_SESSION_HOURS", 12, minimum=1) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = envint("STEWARD_HSTS_SECONDS", 0, minimum=0)
if envbool("STEWARD_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The shell's own assets (steward/static/steward/…) sit beside the apps, not inside one.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = STEWARD_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
MEDIA_ROOT = STEWARD_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The embedded mode serves static files straight from the package, with no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": envstr("STEWARD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("STEWARD_LOG_LEVEL", "INFO")},
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}

# Outgoing mail (ticket replies, notices): SMTP from the environment. STEWARD_MAIL_FROM is the
# sender when a ticket's queue has no address of its own.
EMAIL_BACKEND = envstr("STEWARD_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("STEWARD_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("STEWARD_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = envstr("STEWARD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("STEWARD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("STEWARD_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = envbool("STEWARD_EMAIL_SSL", False)
EMAIL_TIMEOUT = envint("STEWARD_EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = envstr("STEWARD_MAIL_FROM", "steward@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach this installation: links in mail (surveys, tickets) start with it.
STEWARD_BASE_URL = envstr("STEWARD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# API tokens: how often last_used_at is refreshed (a write per request would serialise readers).
STEWARD_TOKEN_TOUCH_SECONDS = envint("STEWARD_TOKEN_TOUCH_SECONDS", 60, minimum=0)

# Monitoring: ingest limits (per sender) and how long data is kept.
STEWARD_MONITORING_INGEST_MAX_BYTES = envint(
    "STEWARD_MONITORING_INGEST_MAX_BYTES", 10 << 20, minimum=1
)
STEWARD_MONITORING_INGEST_MAX_DECOMPRESSED_BYTES = envint(
    "STEWARD_MONITORING_INGEST_MAX_DECOMPRESSED_BYTES", 64 << 20, minimum=1
)
STEWARD_MONITORING_INGEST_RATE = envint("STEWARD_MONITORING_INGEST_RATE", 50, minimum=1)
STEWARD_MONITORING_INGEST_BURST = envint("STEWARD_MONITORING_INGEST_BURST", 100, minimum=1)
STEWARD_MONITORING_RAW_DAYS = envint("STEWARD_MONITORING_RAW_DAYS", 14, minimum=1)
STEWARD_MONITORING_ROLLUP_DAYS = envint("STEWARD_MONITORING_ROLLUP_DAYS", 730, minimum=1)
STEWARD_MONITORING_RESULT_DAYS = envint("STEWARD_MONITORING_RESULT_DAYS", 90, minimum=1)
STEWARD_MONITORING_BATCH_DAYS = envint("STEWARD_MONITORING_BATCH_DAYS", 14, minimum=1)
STEWARD_MONITORING_ROLLUP_HOURS = envint("STEWARD_MONITORING_ROLLUP_HOURS", 3, minimum=1)

# Communication and reporting
STEWARD_NOTIFY_MAINTENANCE_LEAD_MINUTES = envint(
    "STEWARD_NOTIFY_MAINTENANCE_LEAD_MINUTES", 60, minimum=1
)
STEWARD_STATUS_CACHE_SECONDS = envint("STEWARD_STATUS_CACHE_SECONDS", 24 * 3600, minimum=0)
