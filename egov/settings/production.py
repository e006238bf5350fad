"""Production settings: the base settings, made strict.

Use with ``DJANGO_SETTINGS_MODULE=egov.settings.production``. See docs/deploy.md.
"""

from django.core.exceptions import ImproperlyConfigured

from egov.settings import *  # noqa: F403
from egov.settings import (
    DEMO_CSC_CLIENT_SECRET,
    DEMO_SIGNING_PASSPHRASE,
    DEV_SECRET_KEY,
    env,
    env_bool,
    env_list,
    logging_config,
)

_POSTGRESQL_ENGINES = ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis")

DEBUG = False
EGOV_PRODUCTION = True
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set to a random value of 40+ characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the public host names.")
if not env("DATABASE_URL") or DATABASES["default"]["ENGINE"] not in _POSTGRESQL_ENGINES:  # noqa: F405
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")

if not EGOV_PUBLIC_URL.startswith("https://") or "127.0.0.1" in EGOV_PUBLIC_URL:  # noqa: F405
    raise ImproperlyConfigured(
        "PUBLIC_URL must be the site's public https:// address (QR codes and notifications use it)."
    )
if not EGOV_PAYMENT_GATEWAY_URL or not EGOV_PAYMENT_SECRET:  # noqa: F405
    # Without a gateway the sandbox would be on, and it confirms any payment it is shown.
    raise ImproperlyConfigured("PAYMENT_GATEWAY_URL and PAYMENT_SECRET (or PAYMENT_SECRET_FILE) must be set.")
if not EGOV_SIGNING_PASSPHRASE or EGOV_SIGNING_PASSPHRASE == DEMO_SIGNING_PASSPHRASE:  # noqa: F405
    raise ImproperlyConfigured("SIGNING_PASSPHRASE (or SIGNING_PASSPHRASE_FILE) must protect the units' signing keys.")

if EGOV_DEMO_IDP:  # noqa: F405
    raise ImproperlyConfigured("EGOV_DEMO_IDP (the stand-in VNeID) is for demos only; unset it in production.")
if EGOV_DEMO_CSC:  # noqa: F405
    raise ImproperlyConfigured("EGOV_DEMO_CSC (the stand-in remote signing service) is for demos only; unset it.")
if EGOV_CSC_URL:  # noqa: F405
    if not EGOV_CSC_URL.startswith("https://"):  # noqa: F405
        raise ImproperlyConfigured("EGOV_CSC_URL must be the remote signing service's https:// address.")
    if not EGOV_CSC_CLIENT_SECRET or EGOV_CSC_CLIENT_SECRET == DEMO_CSC_CLIENT_SECRET:  # noqa: F405
        raise ImproperlyConfigured("EGOV_CSC_CLIENT_SECRET (or EGOV_CSC_CLIENT_SECRET_FILE) must be set.")
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("oauth2_provider", "egov.demo_idp", "egov.demo_csc")]  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000") or 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Administrators must use a TOTP second factor in production (issue #2): TOTP_REQUIRED_ROLES can add
# roles, never take the administrator off (the sign-in page says when the password alone is enough).
EGOV_TOTP_REQUIRED_ROLES = [
    "administrator",
    *(role for role in env_list("TOTP_REQUIRED_ROLES", "administrator") if role != "administrator"),
]

LOGGING = logging_config(env("LOG_LEVEL", "INFO") or "INFO")
