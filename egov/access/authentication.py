"""Signing in: password (Argon2, throttled by django-axes), TOTP second factor, API bearer tokens.

Pages and the API both call :func:`check_credentials`, so the rules are the same everywhere.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from egov.access import credentials
from egov.core.errors import AuthenticationFailed, FieldError, Throttled, ValidationFailed
from egov.core.signals import security_event

__all__ = [
    "check_credentials",
    "lockout_message",
    "BearerTokenAuth",
    "SessionAuth",
    "officer_auth",
    "SESSION_2FA_KEY",
    "administrators_sign_in_with_password_only",
]

# Session flag: "ok" once the second factor is satisfied (or not needed), "pending" until then.
SESSION_2FA_KEY = "egov_2fa"


def lockout_message() -> str:
    """The lock-out message, stating the configured cool-off (LOGIN_COOLOFF_MINUTES)."""
    cooloff = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, timedelta):
        minutes = max(1, round(cooloff.total_seconds() / 60))
        return f"Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút."
    return "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau."


def administrators_sign_in_with_password_only() -> bool:
    """True when an administrator without an enrolled device gets in (and gets an API token) with the
    password alone: the embedded default and the demo. Production always requires TOTP for them."""
    return "administrator" not in settings.EGOV_TOTP_REQUIRED_ROLES


def check_credentials(
    request,
    *,
    username: str,
    password: str,
    otp_token: str | None,
    require_otp_now: bool,
    otp_field: str = "otp_token",
):
    """Return ``(user, device)``; raise a typed error naming the field otherwise.

    ``require_otp_now``: the API cannot enrol a device, so an officer who needs a second factor must
    give it in the same call; the web login may instead continue to an enrolment or code page.
    """
    errors = []
    if not (username or "").strip():
        errors.append(FieldError("username", "Vui lòng nhập tên đăng nhập."))
    if not password:
        errors.append(FieldError("password", "Vui lòng nhập mật khẩu."))
    if errors:
        raise ValidationFailed(errors)
    user = authenticate(request, username=username.strip(), password=password)
    if getattr(request, "axes_locked_out", False):
        raise Throttled(lockout_message())
    if user is None:
        raise AuthenticationFailed("Tên đăng nhập hoặc mật khẩu không đúng.")
    device = None
    if credentials.totp_required(user):
        if otp_token:
            device = credentials.verify_totp(user, otp_token)
            if device is None:
                raise ValidationFailed.field(otp_field, "Mã xác thực hai lớp không đúng hoặc đã hết hạn.")
        elif require_otp_now:
            raise ValidationFailed.field(otp_field, "Tài khoản này cần mã xác thực hai lớp (TOTP).")
    return user, device


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /api/v1/auth/token``."""

    def authenticate(self, request, token: str):
        api_token = credentials.authenticate_token(token)
        if api_token is None:
            security_event.send(sender=BearerTokenAuth, kind="token_refused", path=request.path)
            return None
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionAuth(NinjaSessionAuth):
    """Django session sign-in, but only when a session cookie is sent.

    ninja's ``django_auth`` checks CSRF before it looks for a session, so a call with no or an
    expired bearer token and no cookie (curl, another system) got 403 "CSRF check Failed" instead
    of 401. Without a session cookie there is nothing to check: let the caller get the 401. With a
    cookie, CSRF is still enforced on unsafe methods.
    """

    def _get_key(self, request):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


# What every API operation that needs a signed-in officer passes as ``auth=``: a bearer token from
# ``POST /api/v1/auth/token``, or the browser's session. What the officer may do is the policy's call.
officer_auth = [BearerTokenAuth(), SessionAuth()]
