"""Signals become security events: Django's failed login, django-axes' lock-out, and the platform's
own ``security_event`` (sent by the apps below this one: refused tokens, a broken audit chain)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from egov.core.signals import security_event
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


@receiver(security_event, dispatch_uid="egov.security.platform_event")
def platform_event(sender, kind, username="", ip_address=None, path="", detail="", **kwargs):
    record(kind, username=username, ip_address=ip_address, path=path, detail=detail)
