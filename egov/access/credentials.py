"""Sign-in checks that only read: bearer tokens and TOTP codes (moved from ``people.services``).

People's models are read through ``apps.get_model``: ``access`` sits below ``people`` in the app
layers (docs/architecture.md); issuing, revoking and enrolling stay in ``people``.
"""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

__all__ = ["hash_token", "authenticate_token", "totp_required", "verify_totp"]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def authenticate_token(raw: str):
    """The live token for ``raw``, or None if unknown, expired or revoked."""
    ApiToken = apps.get_model("people", "ApiToken")
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is not None and (token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60):
        # Touch at most once a minute so busy clients do not write on every call.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def totp_required(user) -> bool:
    """Officers with a confirmed device always need a code; so do roles the settings require it for."""
    if user.kind != get_user_model().Kind.OFFICER:
        return False
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return True
    required = set(settings.EGOV_TOTP_REQUIRED_ROLES)
    if not required:
        return False
    if user.is_superuser and "administrator" in required:
        return True
    Position = apps.get_model("people", "Position")
    return Position.objects.active_on(timezone.localdate()).filter(user=user, role__code__in=required).exists()


def verify_totp(user, code: str) -> TOTPDevice | None:
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None
