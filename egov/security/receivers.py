"""Sign-in signals (Django's failed login, django-axes' lock-out) become security events."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from egov.security.models import EventKind
from egov.security.services import record


def _ip(request) -> str | None:
    if request is None:
        return None
    from egov.core.middleware import client_ip

    return client_ip(request) or None


@receiver(user_login_failed, dispatch_uid="egov.security.login_failed")
def login_failed(sender, credentials=None, request=None, **kwargs):
    record(
        EventKind.LOGIN_FAILED,
        username=str((credentials or {}).get("username") or ""),
        ip_address=_ip(request),
        path=getattr(request, "path", ""),
    )


@receiver(user_locked_out, dispatch_uid="egov.security.locked_out")
def locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(
        EventKind.LOCKOUT,
        username=str(username or ""),
        ip_address=ip_address or _ip(request),
        path=getattr(request, "path", ""),
    )
