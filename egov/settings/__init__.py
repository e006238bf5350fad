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


def demo_signing_key(path: Path) -> str:
    """The demo VNeID stand-in's RS256 key (PEM): made once under var/, mode 0600, never committed.
    Here rather than in egov.demo_idp because settings import nothing above them (.importlinter)."""
    if path.exists():
        return path.read_text(encoding="ascii")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode("ascii")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # two processes starting at once (server and worker): the first writer wins
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii")
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(pem)
    return pem


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
    "egov.access",
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
    "egov.certification",
    "egov.documents",
    "egov.demo",
    # The demo's stand-in VNeID provider (egov.demo_idp); production.py takes both out.
    "oauth2_provider",
    "egov.demo_idp",
    # The demo's stand-in remote signing service (CSC API v2); production.py takes it out.
    "egov.demo_csc",
    "egov.security",
]

MIDDLEWARE = [
    # First: every log line written while serving a request carries its id (egov/core/logging.py).
    "egov.core.logging.RequestIdMiddleware",
    # Next: it sees every answer (CSRF refusals, redirects) and times the whole request.
    "egov.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that may answer early (bad input, errors), so every answer carries the CSP.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.middleware.LanguageMiddleware",
    # Before anything that turns cookies, headers or form values into database queries.
    "egov.core.middleware.BadInputMiddleware",
    "egov.core.middleware.DatabaseOutageMiddleware",
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
                "egov.access.context_processors.back_office",
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
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

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

# A stand-in VNeID for the demo (egov/demo_idp, django-oauth-toolkit) at /demo-vneid/ of this same
# process. `make run` turns it on; production settings refuse it. Its RS256 key is made under var/.
EGOV_DEMO_IDP = env_bool("EGOV_DEMO_IDP", False)
# seed_demo loads a year of synthetic dossiers (egov/demo/living.py) unless this is off (tests, benchmark).
EGOV_DEMO_LIVING = env_bool("EGOV_DEMO_LIVING", True)
EGOV_DEMO_IDP_CLIENT_ID = env("DEMO_IDP_CLIENT_ID", "egov-demo-portal")
EGOV_DEMO_IDP_CLIENT_SECRET = env("DEMO_IDP_CLIENT_SECRET", "demo-vneid-client-secret-not-for-production")
EGOV_DEMO_IDP_PASSWORD = env("DEMO_PASSWORD", "DemoEgov@2026")
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": "",
    "OAUTH2_VALIDATOR_CLASS": "egov.demo_idp.validators.DemoVneidValidator",
    "SCOPES": {"openid": "Định danh", "profile": "Họ tên, số định danh, ngày sinh", "email": "Thư điện tử"},
    "PKCE_REQUIRED": True,
    # The portal's callback on "localhost" at any port, like 127.0.0.1 (RFC 8252 §7.3).
    "ALLOW_LOCALHOST_LOOPBACK": True,
}
if EGOV_DEMO_IDP:
    OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = demo_signing_key(VAR_DIR / "demo-vneid" / "signing-key.pem")
    if not OIDC_RP_CLIENT_ID:
        # Paths, not addresses: egov.people.oidc resolves them against the request's host, so the
        # demo works on whatever port serves it.
        OIDC_RP_CLIENT_ID = EGOV_DEMO_IDP_CLIENT_ID
        OIDC_RP_CLIENT_SECRET = EGOV_DEMO_IDP_CLIENT_SECRET
        OIDC_OP_AUTHORIZATION_ENDPOINT = "/demo-vneid/authorize/"
        OIDC_OP_TOKEN_ENDPOINT = "/demo-vneid/token/"
        OIDC_OP_USER_ENDPOINT = "/demo-vneid/userinfo/"
        OIDC_OP_JWKS_ENDPOINT = "/demo-vneid/.well-known/jwks.json"
        OIDC_RP_SIGN_ALGO = "RS256"
        OIDC_USE_PKCE = True
        OIDC_PROVIDER_NAME = "VNeID"
        EGOV_OIDC_ENABLED = True

# --- Security headers ---------------------------------------------------------------------------
# Content-Security-Policy by django-csp (ADR 0015): scripts only from this site's static files (no
# inline script, no eval), nothing may frame a page. Styles allow inline because USWDS, htmx and the
# statistics bars set style attributes; a style cannot run code. Stored files get a stricter policy
# of their own (egov.core.files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Django's own headers (defaults made explicit): no MIME sniffing, the Referer only within the site,
# no framing for browsers without CSP frame-ancestors. HSTS is production's (egov.settings.production).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
# Stored files are served only by views that check access (egov.core.files); MEDIA_URL is never
# routed. Behind nginx, set this to an ``internal`` location's prefix (docs/deploy.md §10) and the
# view answers with X-Accel-Redirect, leaving the sending to nginx. Empty: Django streams the file.
MEDIA_ACCEL_REDIRECT_PREFIX = env("MEDIA_ACCEL_REDIRECT_PREFIX", "")
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
# Other per-address limits of public operations (same syntax): signature checks of uploaded PDFs,
# account registrations, feedback submissions and satisfaction ratings.
EGOV_VERIFY_RATE = env("VERIFY_RATE", "20/min")
EGOV_REGISTRATION_RATE = env("REGISTRATION_RATE", "20/hour")
EGOV_FEEDBACK_SUBMIT_RATE = env("FEEDBACK_SUBMIT_RATE", "10/hour")
EGOV_RATING_RATE = env("RATING_RATE", "10/min")
# Working days an agency has to answer a citizen's feedback (NĐ 20/2008 Đ11: 10 working days).
EGOV_FEEDBACK_ANSWER_WORKING_DAYS = int(env("FEEDBACK_ANSWER_WORKING_DAYS", "10") or 10)
# Account verification codes (registration by e-mail or SMS): lifetime, wrong tries, wait before resending.
EGOV_VERIFICATION_CODE_MINUTES = int(env("VERIFICATION_CODE_MINUTES", "15") or 15)
EGOV_VERIFICATION_MAX_ATTEMPTS = int(env("VERIFICATION_MAX_ATTEMPTS", "5") or 5)
EGOV_VERIFICATION_RESEND_SECONDS = int(env("VERIFICATION_RESEND_SECONDS", "60") or 60)

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
# Officers' tokens (PKCS#11); the demo uses SoftHSM2 with its tokens under VAR_DIR/softhsm.
EGOV_PKCS11_MODULE = env("PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
EGOV_SOFTHSM_DIR = Path(env("SOFTHSM_DIR", str(VAR_DIR / "softhsm")))
# RFC 3161 time-stamping authority; empty: the demo TSA in PKI_DIR time-stamps in-process (PAdES B-T).
EGOV_TSA_URL = env("TSA_URL", "") or ""
# CRL distribution point written into certificates issued by the demo root; empty: PUBLIC_URL + /pki/crl/...
EGOV_CRL_URL = env("CRL_URL", "") or ""


def _font_files(value: str) -> dict[tuple[str, str], str] | None:
    """``"normal:normal=/a.ttf,bold:normal=/b.ttf"`` -> ``{("normal", "normal"): "/a.ttf", ...}``."""
    pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
    return {tuple(key.strip().split(":", 1)): path.strip() for key, path in pairs} or None


# Fonts of the rendered forms, (weight, style) -> file; unset: Noto Serif, else DejaVu Serif
# (egov/forms/rendering.py).
FORMS_FONT_FILES = _font_files(env("FORMS_FONT_FILES", "") or "")

# --- Official documents: rendering, conversion, OCR (egov/documents/rendering) ---------------------
# Fonts of the drafts laid out as NĐ 30 (same shape as FORMS_FONT_FILES); unset: Times New Roman if
# installed, else Liberation Serif, Noto Serif, DejaVu Serif.
EGOV_DOCUMENT_FONT_FILES = _font_files(env("DOCUMENT_FONT_FILES", "") or "")
# LibreOffice for DOCX drafts (a name on PATH or a path), and its time limit per conversion.
EGOV_SOFFICE = env("SOFFICE", "soffice") or "soffice"
EGOV_SOFFICE_TIMEOUT = float(env("SOFFICE_TIMEOUT", "60") or 60)
# ocrmypdf for scanned incoming documents (Tesseract with Vietnamese data), and its time limit.
EGOV_OCRMYPDF = env("OCRMYPDF", "ocrmypdf") or "ocrmypdf"
EGOV_OCR_TIMEOUT = float(env("OCR_TIMEOUT", "300") or 300)

# --- Online payments (egov/payments) -----------------------------------------------------------
# No gateway URL: the built-in sandbox gateway serves the demo (production refuses that).
EGOV_PAYMENT_GATEWAY_URL = env("PAYMENT_GATEWAY_URL", "")
EGOV_PAYMENT_SECRET = env("PAYMENT_SECRET", "")
EGOV_PAYMENT_TMN_CODE = env("PAYMENT_TMN_CODE", "SONNAM01")
# Gateway protocol: "vnpay", or "sandbox" (the built-in demo gateway); empty: vnpay when a URL is set.
EGOV_PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", "")

# --- Notifications ------------------------------------------------------------------------------
EGOV_SMS_BACKEND = env("SMS_BACKEND", "egov.notifications.sms.ConsoleSmsBackend")
EGOV_SMS_HTTP_URL = env("SMS_HTTP_URL", "")
EGOV_SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", "")
EGOV_SMS_SENDER = env("SMS_SENDER", "")
# Zalo Notification Service (egov/notifications/zalo.py). ZALO_TEMPLATES maps a kind of
# notification to its registered ZNS template: "dossier.received=231234,dossier.result_ready=231235".
# Without any template the channel is not offered to citizens.
EGOV_ZALO_BACKEND = env("ZALO_BACKEND", "egov.notifications.zalo.FileZaloBackend")
EGOV_ZALO_API_URL = env("ZALO_API_URL", "https://business.openapi.zalo.me/message/template")
EGOV_ZALO_ACCESS_TOKEN = env("ZALO_ACCESS_TOKEN", "")
EGOV_ZALO_TIMEOUT = float(env("ZALO_TIMEOUT", "10") or 10)
# FileZaloBackend's output: one JSON line per message.
EGOV_ZALO_FILE = Path(env("ZALO_FILE", str(VAR_DIR / "zalo.log")))
EGOV_ZALO_TEMPLATES = dict(item.split("=", 1) for item in env_list("ZALO_TEMPLATES") if "=" in item)

EGOV_SMS_HTTP_TIMEOUT = float(env("SMS_HTTP_TIMEOUT", "10") or 10)
# FileSmsBackend's output: one JSON line per message.
EGOV_SMS_FILE = Path(env("SMS_FILE", str(VAR_DIR / "sms.log")))
# Most phones show Vietnamese diacritics, but unaccented texts fit 160 characters per part (GSM 7-bit).
EGOV_SMS_STRIP_DIACRITICS = env_bool("SMS_STRIP_DIACRITICS", True)
# Outbox delivery (egov/notifications/services.py): tries per message, and the waits between them
# (base, doubling, capped).
EGOV_NOTIFY_MAX_ATTEMPTS = int(env("NOTIFY_MAX_ATTEMPTS", "5") or 5)
EGOV_NOTIFY_RETRY_BASE_SECONDS = int(env("NOTIFY_RETRY_BASE_SECONDS", "300") or 300)
EGOV_NOTIFY_RETRY_MAX_SECONDS = int(env("NOTIFY_RETRY_MAX_SECONDS", str(6 * 3600)) or 6 * 3600)
# How long a sender holds a message it is delivering. If it dies mid-send, the message is taken up
# again when the lease runs out (and may then reach the recipient twice: an interrupted send cannot
# be told from a delivered one). Keep it above the longest send: EMAIL_TIMEOUT, SMS_HTTP_TIMEOUT.
EGOV_NOTIFY_LEASE_SECONDS = int(env("NOTIFY_LEASE_SECONDS", "60") or 60)


def logging_config(level: str) -> dict:
    """One JSON line per event on stderr (egov/core/logging.py), shared by production.py and gunicorn."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "egov.core.logging.RequestContextFilter"}},
        "formatters": {"json": {"()": "egov.core.logging.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # pyHanko logs a traceback for every untrusted certificate it validates; one line is enough.
            "pyhanko": {"level": "ERROR"},
            "pyhanko_certvalidator": {"level": "ERROR"},
            # WeasyPrint and fontTools narrate every rendering step at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # Django's own handlers would print the request errors a second time, in another format.
            "django": {"handlers": [], "propagate": True},
        },
    }


LOGGING = logging_config(env("LOG_LEVEL", "WARNING") or "WARNING")
