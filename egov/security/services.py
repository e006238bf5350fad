"""Recording security events, counting them, and alerting when a kind passes its threshold.

Recording is the platform watching itself, not a user's action: no policy check and no audit
record (a burst of failed sign-ins would otherwise flood the audit chain). It must never break the
request that triggered it: any failure is logged and swallowed.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from egov.core import context
from egov.security.models import EventKind, SecurityAlert, SecurityEvent

__all__ = ["record", "counts", "thresholds", "alert_window", "EventKind"]

logger = logging.getLogger(__name__)

# At least this many events of a kind within the window raise an alert (SECURITY_ALERT_THRESHOLDS
# overrides them). A single tampered payment notification or a broken chain is already an incident.
DEFAULT_THRESHOLDS = {
    EventKind.LOGIN_FAILED: 20,
    EventKind.LOCKOUT: 3,
    EventKind.TOKEN_REFUSED: 20,
    EventKind.FORBIDDEN: 30,
    EventKind.PAYMENT_TAMPERED: 1,
    EventKind.AUDIT_CHAIN_BROKEN: 1,
}


def thresholds() -> dict[str, int]:
    configured = getattr(settings, "EGOV_SECURITY_ALERT_THRESHOLDS", {}) or {}
    return {str(kind): int(configured.get(str(kind), default)) for kind, default in DEFAULT_THRESHOLDS.items()}


def alert_window() -> timedelta:
    return getattr(settings, "EGOV_SECURITY_ALERT_WINDOW", timedelta(minutes=15))


def record(
    kind: str,
    *,
    username: str = "",
    ip_address: str | None = None,
    path: str = "",
    detail: str = "",
    now: datetime | None = None,
) -> SecurityEvent | None:
    """Write one event (and an alert if its kind passed the threshold); ``None`` if that failed."""
    try:
        now = now or timezone.now()
        if ip_address is None:
            ip_address = context.current().ip_address
        ip_address = _valid_ip(ip_address)
        with transaction.atomic():
            event = SecurityEvent.objects.create(
                occurred_at=now,
                kind=EventKind(kind),
                username=(username or "")[:150],
                ip_address=ip_address or None,
                path=(path or "")[:300],
                detail=(detail or "")[:300],
            )
            _alert_if_over_threshold(event.kind, now)
    except Exception:
        logger.exception("Could not record the security event %s", str(kind))
        return None
    from egov.core import metrics

    metrics.count_security_event(event.kind)
    return event


def _valid_ip(value: str | None) -> str | None:
    # A forged X-Forwarded-For must not cost the event (PostgreSQL's inet refuses garbage).
    try:
        return str(ipaddress.ip_address((value or "").strip())) if value else None
    except ValueError:
        return None


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = max(1, int(window.total_seconds()))
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo or timezone.get_current_timezone())


def _alert_if_over_threshold(kind: str, now: datetime) -> None:
    threshold = thresholds().get(kind, 0)
    if threshold <= 0:
        return
    window = alert_window()
    count = SecurityEvent.objects.filter(kind=kind, occurred_at__gt=now - window, occurred_at__lte=now).count()
    if count < threshold:
        return
    recipients = list(getattr(settings, "EGOV_SECURITY_ALERT_EMAILS", []) or [])
    try:
        with transaction.atomic():
            alert = SecurityAlert.objects.create(
                kind=kind,
                window_start=_window_start(now, window),
                sent_at=now,
                count=count,
                threshold=threshold,
                recipients=", ".join(recipients)[:1000],
            )
    except IntegrityError:
        return  # this window's alert for this kind went already
    from egov.notifications import services as notifications

    label = EventKind(kind).label
    minutes = max(1, round(window.total_seconds() / 60))
    subject = f"[Cảnh báo an ninh] {label}: {count} sự kiện trong {minutes} phút"
    body = (
        f"{settings.EGOV_PLATFORM_NAME}\n\n"
        f"Loại sự kiện: {label} ({kind})\n"
        f"Số sự kiện trong {minutes} phút gần nhất: {count} (ngưỡng cảnh báo: {threshold})\n"
        f"Thời điểm: {timezone.localtime(now):%d/%m/%Y %H:%M:%S}\n\n"
        f"Xem chi tiết: {settings.EGOV_PUBLIC_URL.rstrip('/')}/admin/security/securityevent/?kind__exact={kind}\n"
    )
    for address in recipients:
        notifications.enqueue(
            kind="security.alert",
            channel="email",
            recipient=address,
            subject=subject,
            body=body,
            reference=f"security-alert-{alert.pk}",
            idempotency_key=f"security-alert:{alert.pk}:{address}",
        )


def counts(*, since: datetime, until: datetime | None = None) -> dict[str, int]:
    """Events per kind in ``(since, until]``, every kind present (0 when none)."""
    qs = SecurityEvent.objects.filter(occurred_at__gt=since)
    if until is not None:
        qs = qs.filter(occurred_at__lte=until)
    found = dict(qs.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return {kind.value: found.get(kind.value, 0) for kind in EventKind}
