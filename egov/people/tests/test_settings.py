"""Security-relevant settings: the base defaults and ``egov.settings.production``, each in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SECRET = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
PRODUCTION_ENV = {
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "dichvucong.sonnam.gov.vn, www.dichvucong.sonnam.gov.vn",
    "DATABASE_URL": "postgres://egov:mat-khau@db.internal:5432/egov",
    "SIGNING_PASSPHRASE": "mat-khau-khoa-ky-so-cua-tinh",
    "PUBLIC_URL": "https://dichvucong.sonnam.gov.vn",
    "PAYMENT_GATEWAY_URL": "https://pay.example.vn/paymentv2/vpcpay.html",
    "PAYMENT_SECRET": "bi-mat-cong-thanh-toan",
}
REPORT = """
import json
from django.conf import settings
names = [
    "DEBUG", "ALLOWED_HOSTS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "EGOV_TOTP_REQUIRED_ROLES", "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST", "AXES_FAILURE_LIMIT", "PASSWORD_HASHERS",
]
report = {name: getattr(settings, name) for name in names}
report["ENGINE"] = settings.DATABASES["default"]["ENGINE"]
report["AXES_COOLOFF_MINUTES"] = settings.AXES_COOLOFF_TIME.total_seconds() / 60
print(json.dumps(report))
"""


def run_settings(module: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "SIGNING_PASSPHRASE", "PUBLIC_URL", "PAYMENT_"))
    }
    for name in ("DATABASE_URL", "DEBUG", "TOTP_REQUIRED_ROLES", "SESSION_TIMEOUT_SECONDS", "SECURE_HSTS_SECONDS"):
        clean.pop(name, None)
        clean.pop(f"{name}_FILE", None)
    clean |= {"DJANGO_SETTINGS_MODULE": module, "EGOV_VAR_DIR": str(tmp_path)} | env
    return subprocess.run(
        [sys.executable, "-c", REPORT], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_settings_are_strict(tmp_path):
    result = run_settings("egov.settings.production", PRODUCTION_ENV, tmp_path)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["dichvucong.sonnam.gov.vn", "www.dichvucong.sonnam.gov.vn"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "EGOV_TOTP_REQUIRED_ROLES": ["administrator"],
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_SAVE_EVERY_REQUEST": True,
        "AXES_FAILURE_LIMIT": 5,
        "PASSWORD_HASHERS": [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ],
        "ENGINE": "django.db.backends.postgresql",
        "AXES_COOLOFF_MINUTES": 15.0,
    }


@pytest.mark.parametrize(("roles", "expected"), [("", ["administrator"]), ("clerk", ["administrator", "clerk"])])
def test_production_keeps_requiring_totp_for_administrators_whatever_the_setting(tmp_path, roles, expected):
    result = run_settings("egov.settings.production", PRODUCTION_ENV | {"TOTP_REQUIRED_ROLES": roles}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["EGOV_TOTP_REQUIRED_ROLES"] == expected


def test_production_reads_the_secret_key_from_a_file(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"} | {"SECRET_KEY_FILE": str(secret_file)}

    result = run_settings("egov.settings.production", env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["DEBUG"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SECRET_KEY": None},
            "SECRET_KEY (or SECRET_KEY_FILE) must be set to a random value of 40+ characters.",
        ),
        (
            {"SECRET_KEY": "ngan-qua"},
            "SECRET_KEY (or SECRET_KEY_FILE) must be set to a random value of 40+ characters.",
        ),
        (
            {"SECRET_KEY": "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"},
            "SECRET_KEY (or SECRET_KEY_FILE) must be set to a random value of 40+ characters.",
        ),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list the public host names."),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must list the public host names."),
        ({"DATABASE_URL": None}, "DATABASE_URL must point at PostgreSQL in production."),
        ({"DATABASE_URL": "sqlite:////tmp/egov.sqlite3"}, "DATABASE_URL must point at PostgreSQL in production."),
        (
            {"SIGNING_PASSPHRASE": None},
            "SIGNING_PASSPHRASE (or SIGNING_PASSPHRASE_FILE) must protect the units' signing keys.",
        ),
        (
            {"SIGNING_PASSPHRASE": ""},
            "SIGNING_PASSPHRASE (or SIGNING_PASSPHRASE_FILE) must protect the units' signing keys.",
        ),
        (
            {"PAYMENT_SECRET": None},
            "PAYMENT_GATEWAY_URL and PAYMENT_SECRET (or PAYMENT_SECRET_FILE) must be set.",
        ),
        (
            {"PUBLIC_URL": None},
            "PUBLIC_URL must be the site's public https:// address (QR codes and notifications use it).",
        ),
    ],
    ids=[
        "no-secret",
        "short-secret",
        "dev-secret",
        "no-hosts",
        "blank-hosts",
        "no-database",
        "sqlite-database",
        "demo-signing-passphrase",
        "empty-signing-passphrase",
        "no-payment-secret",
        "no-public-url",
    ],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path, env, message):
    merged = {k: v for k, v in (PRODUCTION_ENV | env).items() if v is not None}

    result = run_settings("egov.settings.production", merged, tmp_path)

    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


def test_base_settings_defaults_and_environment(tmp_path):
    default = run_settings("egov.settings", {}, tmp_path)
    assert default.returncode == 0, default.stderr
    report = json.loads(default.stdout)
    assert (report["DEBUG"], report["SESSION_COOKIE_AGE"], report["EGOV_TOTP_REQUIRED_ROLES"], report["ENGINE"]) == (
        True,
        1800,
        [],
        "django.db.backends.sqlite3",
    )

    tuned = run_settings(
        "egov.settings",
        {"SESSION_TIMEOUT_SECONDS": "900", "TOTP_REQUIRED_ROLES": "administrator, clerk", "DEBUG": "false"},
        tmp_path,
    )
    assert tuned.returncode == 0, tuned.stderr
    report = json.loads(tuned.stdout)
    assert (report["DEBUG"], report["SESSION_COOKIE_AGE"], report["EGOV_TOTP_REQUIRED_ROLES"]) == (
        False,
        900,
        ["administrator", "clerk"],
    )
