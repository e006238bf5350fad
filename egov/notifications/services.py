"""The outbox's write path: queue a message, deliver it, retry it.

* :func:`enqueue` / :func:`notify` write the message in the **caller's** transaction and register
  the delivery task with ``transaction.on_commit``: a rolled-back change sends nothing, and a
  committed one always has its message.
* :func:`deliver` (run by the ``deliver_message`` task) claims the message, hands it to the e-mail
  server or SMS gateway outside any transaction, records the attempt, and marks the message sent or
  schedules a retry with exponential backoff; after ``EGOV_NOTIFY_MAX_ATTEMPTS`` it has failed.
* :func:`deliver_due` (the ``deliver_outbox`` command) delivers whatever is due: messages whose task
  was never enqueued because the process died right after the commit, retries on a task backend
  that cannot defer, and messages whose sender died mid-send (its lease expired).

Delivery is at least once: a sender that dies after the gateway accepted a message but before the
outcome was recorded causes one repeat once its lease expires.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from egov.notifications.models import Channel, DeliveryAttempt, OutboxMessage, Status
from egov.notifications.recipients import InvalidRecipient, normalise_email, normalise_phone
from egov.notifications.rendering import render
from egov.notifications.sms import PermanentSmsDeliveryError, get_sms_backend, to_sms_text

__all__ = [
    "enqueue",
    "notify",
    "deliver",
    "deliver_due",
    "retry_now",
    "backoff",
    "SENT",
    "RETRY",
    "FAILED",
    "SKIPPED",
]

# Outcomes of one call to deliver().
SENT, RETRY, FAILED, SKIPPED = "sent", "retry", "failed", "skipped"

INTERRUPTED = "Lần gửi trước bị gián đoạn (tiến trình gửi đã dừng); không rõ tin đã đến người nhận hay chưa."


def _max_attempts() -> int:
    return int(getattr(settings, "EGOV_NOTIFY_MAX_ATTEMPTS", 5))


def _lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "EGOV_NOTIFY_LEASE_SECONDS", 60)))


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed try: base, 2×base, 4×base… capped (defaults 5 min, 6 h)."""
    base = int(getattr(settings, "EGOV_NOTIFY_RETRY_BASE_SECONDS", 300))
    cap = int(getattr(settings, "EGOV_NOTIFY_RETRY_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# --- Queueing -----------------------------------------------------------------------------------


def _enqueue_task(message_id: int, run_after: datetime | None) -> None:
    from egov.notifications.tasks import deliver_message

    task = deliver_message
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # e.g. the immediate backend: the sweeper sends it when due
        task = task.using(run_after=run_after)
    task.enqueue(message_id)


def _schedule_delivery(message_id: int, *, run_after: datetime | None = None) -> None:
    # robust: once the caller's data has committed, a failure to enqueue must not turn its request
    # into an error; the message is in the outbox and the sweeper will find it.
    # (A named function, not a functools.partial: Django logs the failure with its __qualname__.)
    def enqueue_delivery_task() -> None:
        _enqueue_task(message_id, run_after)

    transaction.on_commit(enqueue_delivery_task, robust=True)


def _check_length(errors: list[FieldError], field: str, value: str, limit: int, label: str) -> None:
    if len(value) > limit:
        errors.append(FieldError(field, f"{label} dài quá {limit} ký tự."))


def enqueue(
    *,
    kind: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    reference: str = "",
    html_body: str = "",
    idempotency_key: str | None = None,
) -> OutboxMessage:
    """Put one message in the outbox, in the caller's transaction; it is sent after the commit.

    The same ``idempotency_key`` twice returns the message written the first time. SMS text loses
    its diacritics unless ``EGOV_SMS_STRIP_DIACRITICS`` is false.
    """
    errors: list[FieldError] = []
    kind, reference, subject = (kind or "").strip(), (reference or "").strip(), " ".join((subject or "").split())
    if not kind:
        errors.append(FieldError("kind", "Loại thông báo không được để trống."))
    _check_length(errors, "kind", kind, 64, "Loại thông báo")
    if channel not in Channel.values:
        errors.append(FieldError("channel", f"Kênh gửi '{channel}' không hợp lệ (email hoặc sms)."))
    else:
        try:
            recipient = normalise_email(recipient) if channel == Channel.EMAIL else normalise_phone(recipient)
        except InvalidRecipient as exc:
            errors.append(FieldError("recipient", str(exc)))
        else:
            _check_length(errors, "recipient", recipient, 254, "Địa chỉ người nhận")
    if channel == Channel.EMAIL and not subject:
        errors.append(FieldError("subject", "Tiêu đề thư không được để trống."))
    _check_length(errors, "subject", subject, 300, "Tiêu đề")
    if not (body or "").strip():
        errors.append(FieldError("body", "Nội dung thông báo không được để trống."))
    _check_length(errors, "reference", reference, 100, "Mã tham chiếu")
    if idempotency_key is not None:
        _check_length(errors, "idempotency_key", idempotency_key, 200, "Khóa chống trùng")
    if errors:
        raise ValidationFailed(errors)
    if channel == Channel.SMS and getattr(settings, "EGOV_SMS_STRIP_DIACRITICS", True):
        body = to_sms_text(body)
    key = idempotency_key or uuid.uuid4().hex
    with transaction.atomic():
        existing = OutboxMessage.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        now = timezone.now()
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    created_at=now,
                    next_attempt_at=now,
                    kind=kind,
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    html_body=html_body or "",
                    reference=reference,
                    idempotency_key=key,
                )
        except IntegrityError:
            # A concurrent transaction wrote the same key first (and has committed by now).
            return OutboxMessage.objects.get(idempotency_key=key)
        _schedule_delivery(message.pk)
    return message


def notify(
    *,
    kind: str,
    email: str | None = None,
    phone: str | None = None,
    context: dict[str, Any],
    reference: str,
    idempotency_key: str | None = None,
) -> list[OutboxMessage]:
    """Render ``kind``'s templates with ``context`` and queue one message per channel given.

    ``idempotency_key`` (e.g. ``f"dossier.received:{dossier.pk}"``) makes a repeated call return
    the same messages, so an applicant is told once. No e-mail and no phone: nothing is queued.
    Context keys per kind: ``egov.notifications.rendering.KINDS``.
    """
    errors: list[FieldError] = []
    targets: list[tuple[str, str]] = []
    if (email or "").strip():
        try:
            targets.append((Channel.EMAIL, normalise_email(email)))
        except InvalidRecipient as exc:
            errors.append(FieldError("email", str(exc)))
    if (phone or "").strip():
        try:
            targets.append((Channel.SMS, normalise_phone(phone)))
        except InvalidRecipient as exc:
            errors.append(FieldError("phone", str(exc)))
    if errors:
        raise ValidationFailed(errors)
    if not targets:
        return []
    rendered = render(kind, context)
    messages = []
    with transaction.atomic():
        for channel, recipient in targets:
            is_email = channel == Channel.EMAIL
            messages.append(
                enqueue(
                    kind=kind,
                    channel=channel,
                    recipient=recipient,
                    subject=rendered.subject if is_email else "",
                    body=rendered.body if is_email else rendered.sms,
                    reference=reference,
                    idempotency_key=f"{idempotency_key}:{channel}" if idempotency_key else None,
                )
            )
    return messages


# --- Delivery -----------------------------------------------------------------------------------


def _claim(message_id: int, now: datetime) -> tuple[OutboxMessage | None, str]:
    """Take the message for sending (status ``sending``, a lease until ``now + timeout``)."""
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(pk=message_id)
        if connection.features.has_select_for_update_skip_locked:
            # Another sender holding the row is busy with it: leave it to them.
            rows = rows.select_for_update(skip_locked=True)
        # SQLite has no row locks; its write transactions (IMMEDIATE) run one at a time, and the
        # conditional update below is the guard on any database.
        message = rows.first()
        if message is None or message.status in (Status.SENT, Status.FAILED):
            return None, SKIPPED
        if message.next_attempt_at is not None and message.next_attempt_at > now:
            return None, SKIPPED  # not due yet, or another sender's lease still runs
        if message.status == Status.SENDING:
            # The sender that held the lease died mid-send: count that attempt as lost.
            DeliveryAttempt.objects.create(
                message=message, at=now, outcome=DeliveryAttempt.Outcome.ERROR, detail=INTERRUPTED
            )
            if message.attempts >= _max_attempts():
                OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, attempts=message.attempts).update(
                    status=Status.FAILED, next_attempt_at=None, last_error=INTERRUPTED
                )
                return None, FAILED
        lease_until = now + _lease()
        claimed = OutboxMessage.objects.filter(pk=message.pk, status=message.status, attempts=message.attempts).update(
            status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until
        )
        if not claimed:
            return None, SKIPPED
    message.status, message.attempts, message.next_attempt_at = Status.SENDING, message.attempts + 1, lease_until
    return message, ""


def _send(message: OutboxMessage) -> str:
    """Hand the message over; returns the provider's message id."""
    if message.channel == Channel.EMAIL:
        message_id = make_msgid(domain=DNS_NAME)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={
                "Message-ID": message_id,
                "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies, please
                **({"X-Egov-Reference": message.reference} if message.reference else {}),
            },
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        if email.send(fail_silently=False) != 1:
            raise RuntimeError("Máy chủ thư không nhận thư.")
        return message_id
    return get_sms_backend().send(to=message.recipient, text=message.body, reference=message.reference)


def _is_permanent(exc: BaseException) -> bool:
    # Retrying cannot help: every recipient refused by the mail server, or a number the gateway rejects.
    return isinstance(exc, (PermanentSmsDeliveryError, smtplib.SMTPRecipientsRefused))


def deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Try to send one message if it is due; safe to call any number of times, from any process.

    Returns ``"sent"``, ``"retry"`` (failed, another try scheduled), ``"failed"`` (given up) or
    ``"skipped"`` (already sent or failed, not due, or another sender has it).
    """
    now = now or timezone.now()
    message, outcome = _claim(message_id, now)
    if message is None:
        return outcome
    started = time.monotonic()
    try:
        provider_id = _send(message)
    except Exception as exc:  # any failure of the server or gateway is recorded, never raised
        duration_ms = int((time.monotonic() - started) * 1000)
        return _record_failure(message, exc, at=now, duration_ms=duration_ms)
    duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message,
            at=now,
            outcome=DeliveryAttempt.Outcome.OK,
            detail=f"Mã tin: {provider_id}" if provider_id else "",
            duration_ms=duration_ms,
        )
        OutboxMessage.objects.filter(pk=message.pk).exclude(status=Status.SENT).update(
            status=Status.SENT,
            sent_at=now + timedelta(milliseconds=duration_ms),
            next_attempt_at=None,
            provider_message_id=(provider_id or "")[:200],
            last_error="",
        )
    return SENT


def _record_failure(message: OutboxMessage, exc: Exception, *, at: datetime, duration_ms: int) -> str:
    detail = f"{type(exc).__name__}: {exc}"[:2000]
    give_up = _is_permanent(exc) or message.attempts >= _max_attempts()
    next_at = None if give_up else at + backoff(message.attempts)  # counted from the start of the try
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message, at=at, outcome=DeliveryAttempt.Outcome.ERROR, detail=detail, duration_ms=duration_ms
        )
        # Only while we still hold the lease: if it expired, another sender owns the message now.
        updated = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, attempts=message.attempts).update(
            status=Status.FAILED if give_up else Status.PENDING, next_attempt_at=next_at, last_error=detail
        )
        if updated and not give_up:
            _schedule_delivery(message.pk, run_after=next_at)
    return FAILED if give_up else RETRY


def deliver_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Deliver up to ``limit`` messages that are due, oldest first; returns the count per outcome."""
    moment = now or timezone.now()
    due = Q(status=Status.PENDING) & (Q(next_attempt_at__lte=moment) | Q(next_attempt_at__isnull=True))
    expired = Q(status=Status.SENDING, next_attempt_at__lte=moment)
    ids = list(
        OutboxMessage.objects.filter(due | expired)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = Counter(deliver(pk, now=now) for pk in ids)
    return {outcome: counts[outcome] for outcome in (SENT, RETRY, FAILED, SKIPPED)}


# --- Back office --------------------------------------------------------------------------------


@transaction.atomic
def retry_now(*, by, message: OutboxMessage) -> OutboxMessage:
    """Send a pending or failed message again now ("gửi lại"). A failed message gets one more try."""
    # Messages belong to no unit: the outbox is for whole-tree holders of notification.view.
    if not policy.has_everywhere(by, "notification.view"):
        raise PermissionDenied("Bạn không có quyền gửi lại thông báo.")
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    now = timezone.now()
    if message.status == Status.SENT:
        raise Conflict(f"Thông báo #{message.pk} đã được gửi; không gửi lại.")
    if message.status == Status.SENDING and message.next_attempt_at and message.next_attempt_at > now:
        raise Conflict(f"Thông báo #{message.pk} đang được gửi.")
    fields = ["status", "attempts", "next_attempt_at"]
    before = audit.snapshot(message, fields)
    if message.status != Status.SENDING:  # an expired lease stays as it is: the claim records the lost try
        message.status = Status.PENDING
    message.next_attempt_at = now
    message.save(update_fields=["status", "next_attempt_at"])
    audit.record(
        actor=by, action="notification.retry", target=message, before=before, after=audit.snapshot(message, fields)
    )
    _schedule_delivery(message.pk)
    return message
