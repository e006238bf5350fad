"""Settings, driven by environment variables.

The embedded default needs no server: SQLite under ``var/``, local-memory cache, console e-mail.
``DATABASE_URL`` switches to PostgreSQL. Any variable ``NAME`` can instead be read from the file
named by ``NAME_FILE`` (Docker/Kubernetes secrets). ``egov.settings.production`` tightens this
module for a real deployment (see docs/deploy.md).

What a province configures (working hours, rule sets, form templates...) lives in the database,
not here.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("EGOV_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    """Return ``$NAME``, else the content of the file named by ``$NAME_FILE``, else ``default``."""
    if name in os.environ:
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# True only in egov.settings.production: guards demo-only commands.
EGOV_PRODUCTION = False
# The development key is public on purpose; production.py refuses to start with it.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "mozilla_django_oidc",
    "treebeard",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "egov.core",
    "egov.audit",
    "egov.organisations",
    "egov.people",
    "egov.calendar",
    "egov.catalogue",
    "egov.signing",
    "egov.forms",
    "egov.notifications",
    "egov.dossiers",
    "egov.payments",
    "egov.feedback",
    "egov.portal",
    "egov.demo",
    "egov.security",
]

MIDDLEWARE = [
    # Outermost, so they see every answer (CSRF refusals, redirects) and time the whole request.
    "egov.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "egov.people.middleware.TotpEnrollmentMiddleware",
    "egov.core.middleware.RequestContextMiddleware",
    "egov.security.middleware.ForbiddenEventMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "egov" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "egov.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0") or 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL + a busy timeout let several processes (web, commands, later the task worker) share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "egov",
    }
}

# --- Background work (django-tasks; the database backend needs no broker) ----------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "egov.people.oidc.CitizenOIDCBackend",
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Sliding session timeout: every request pushes the expiry forward.
SESSION_COOKIE_AGE = int(env("SESSION_TIMEOUT_SECONDS", str(30 * 60)) or 1800)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15") or 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "egov.people.views.locked_out"
# Reverse proxies in front of the app: X-Forwarded-For is trusted for this many hops, by the audit
# trail and by the lock-out alike (one function: egov.core.middleware.client_ip).
EGOV_PROXY_COUNT = int(env("PROXY_COUNT", "0") or 0)
AXES_CLIENT_IP_CALLABLE = "egov.core.middleware.lockout_client_ip"
AXES_VERBOSE = False

# TOTP second factor. Officers who enrolled a device must always give a code; production
# settings make it mandatory for administrators.
OTP_TOTP_ISSUER = env("OTP_ISSUER", "Cổng DVC Sơn Nam")
EGOV_TOTP_REQUIRED_ROLES = env_list("TOTP_REQUIRED_ROLES", "")

# API bearer tokens.
EGOV_API_TOKEN_TTL = timedelta(hours=int(env("API_TOKEN_TTL_HOURS", "12") or 12))

# OpenID Connect for citizens (VNeID style). Disabled until a client id is configured.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email profile")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", "VNeID")
# Claim that carries the 12-digit personal identification number.
OIDC_IDENTITY_CLAIM = env("OIDC_IDENTITY_CLAIM", "identity_number")
EGOV_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Bounded, so a hung SMTP connection cannot outlive the outbox's claim on a message.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30") or 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "no-reply@dichvucong.localhost")

# --- Platform -------------------------------------------------------------------------------
EGOV_PLATFORM_NAME = env("PLATFORM_NAME", "Hệ thống thông tin giải quyết TTHC tỉnh Sơn Nam")
# Public address of the site, printed in QR codes and notifications (lookup links).
EGOV_PUBLIC_URL = env("PUBLIC_URL", "http://127.0.0.1:8000")
EGOV_MAX_UPLOAD_BYTES = int(env("MAX_UPLOAD_MB", "10") or 10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = EGOV_MAX_UPLOAD_BYTES * 3
# Antivirus for uploads (egov/core/scanning.py): "" (none) or "clamd://127.0.0.1:3310" / "clamd:///run/clamav/clamd.ctl".
EGOV_UPLOAD_SCANNER = env("UPLOAD_SCANNER", "")
EGOV_UPLOAD_SCANNER_TIMEOUT = float(env("UPLOAD_SCANNER_TIMEOUT", "30") or 30)
# Public dossier lookup, per client address (django-ninja rate syntax).
EGOV_LOOKUP_RATE = env("LOOKUP_RATE", "30/min")

# Security monitoring (egov/security): an e-mail to these addresses when a kind of security event
# reaches its threshold within the window. Thresholds: "kind=count" pairs overriding the defaults
# in egov.security.services.DEFAULT_THRESHOLDS, e.g. "login_failed=50,forbidden=100".
EGOV_SECURITY_ALERT_EMAILS = env_list("SECURITY_ALERT_EMAILS", "")
EGOV_SECURITY_ALERT_WINDOW = timedelta(minutes=int(env("SECURITY_ALERT_WINDOW_MINUTES", "15") or 15))
EGOV_SECURITY_ALERT_THRESHOLDS = {
    kind.strip(): int(count)
    for kind, _, count in (item.partition("=") for item in env_list("SECURITY_ALERT_THRESHOLDS", ""))
    if count.strip().isdigit()
}
# /metrics (Prometheus) answers only "Authorization: Bearer <METRICS_TOKEN>"; unset, it answers 404.
EGOV_METRICS_TOKEN = env("METRICS_TOKEN", "") or ""

# --- Digital signatures (egov/signing/README.md) ------------------------------------------------
EGOV_PKI_DIR = Path(env("PKI_DIR", str(VAR_DIR / "pki")))
# The demo value is public; production.py refuses it.
DEMO_SIGNING_PASSPHRASE = "demo-signing-passphrase"
EGOV_SIGNING_PASSPHRASE = env("SIGNING_PASSPHRASE", DEMO_SIGNING_PASSPHRASE)
# Empty: the demo root in PKI_DIR (egov.signing.conf).
EGOV_TRUST_ROOTS = env_list("TRUST_ROOTS") or None

# --- Online payments (egov/payments) -----------------------------------------------------------
# No gateway URL: the built-in sandbox gateway serves the demo (production refuses that).
EGOV_PAYMENT_GATEWAY_URL = env("PAYMENT_GATEWAY_URL", "")
EGOV_PAYMENT_SECRET = env("PAYMENT_SECRET", "")
EGOV_PAYMENT_TMN_CODE = env("PAYMENT_TMN_CODE", "SONNAM01")

# --- Notifications ------------------------------------------------------------------------------
EGOV_SMS_BACKEND = env("SMS_BACKEND", "egov.notifications.sms.ConsoleSmsBackend")
EGOV_SMS_HTTP_URL = env("SMS_HTTP_URL", "")
EGOV_SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", "")
EGOV_SMS_SENDER = env("SMS_SENDER", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    # pyHanko logs a traceback for every untrusted certificate it validates; one line is enough.
    "loggers": {"pyhanko": {"level": "ERROR"}, "pyhanko_certvalidator": {"level": "ERROR"}},
}
