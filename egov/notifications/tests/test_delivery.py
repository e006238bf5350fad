"""Delivery: claim, send, record; exponential backoff; give up after the maximum; never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.notifications import services
from egov.notifications.models import DeliveryAttempt, OutboxMessage, Status
from egov.notifications.tasks import deliver_message
from egov.notifications.tests.conftest import email_message, sms_message

pytestmark = pytest.mark.django_db

BUSY = "SmsDeliveryError: Cổng SMS trả lời HTTP 503: bận"


def _attempts(message):
    return list(DeliveryAttempt.objects.filter(message=message).order_by("id").values_list("outcome", "detail"))


def _state(message):
    message.refresh_from_db()
    return message.status, message.attempts, message.next_attempt_at


def test_an_email_is_sent_through_django_mail_and_recorded(dummy_tasks, mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "Cổng DVC Sơn Nam <no-reply@dichvucong.sonnam.gov.vn>"
    message = email_message(html_body="<p>Kính gửi Ông/Bà Nguyễn Văn An,</p>")
    before = timezone.now()

    assert services.deliver(message.pk) == "sent"

    [mail] = mailoutbox
    assert (mail.from_email, mail.to, mail.subject, mail.body) == (
        "Cổng DVC Sơn Nam <no-reply@dichvucong.sonnam.gov.vn>",
        ["an.nguyen@example.vn"],
        "Hồ sơ đã được tiếp nhận",
        "Kính gửi Ông/Bà Nguyễn Văn An,",
    )
    assert mail.alternatives[0][0:2] == ("<p>Kính gửi Ông/Bà Nguyễn Văn An,</p>", "text/html")
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert mail.extra_headers["X-Egov-Reference"] == "000.00.01.H98-260320-0007"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at, message.last_error) == (
        Status.SENT,
        1,
        None,
        "",
    )
    assert message.provider_message_id == mail.extra_headers["Message-ID"]
    assert message.sent_at >= before
    assert _attempts(message) == [("ok", f"Mã tin: {message.provider_message_id}")]


def test_an_sms_goes_to_the_configured_gateway(dummy_tasks, sms_sent):
    message = sms_message(body="Hồ sơ đã được tiếp nhận")

    assert services.deliver(message.pk) == "sent"

    assert sms_sent == [{"to": "+84912345678", "text": "Ho so da duoc tiep nhan", "reference": message.reference}]
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (Status.SENT, "rec-1")


def test_delivering_twice_sends_once(dummy_tasks, mailoutbox):
    message = email_message()

    outcomes = [deliver_message.call(message.pk), deliver_message.call(message.pk), services.deliver(message.pk)]

    assert outcomes == ["sent", "skipped", "skipped"]
    assert len(mailoutbox) == 1
    assert _state(message)[:2] == (Status.SENT, 1)
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


def test_a_message_that_does_not_exist_is_skipped():
    assert services.deliver(987654) == "skipped"


def test_a_failing_gateway_is_retried_with_exponential_backoff_then_the_message_fails(dummy_tasks, settings):
    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.BusySmsBackend"
    message = sms_message()
    at = timezone.now()
    waits = []

    for attempt in range(1, 5):
        assert services.deliver(message.pk, now=at) == "retry"
        status, attempts, next_at = _state(message)
        assert (status, attempts, message.last_error) == (Status.PENDING, attempt, BUSY)
        waits.append(next_at - at)
        # Not due a second before the wait is over; due exactly then.
        assert services.deliver(message.pk, now=next_at - timedelta(seconds=1)) == "skipped"
        at = next_at

    assert waits == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]
    assert services.deliver(message.pk, now=at) == "failed"
    assert _state(message) == (Status.FAILED, 5, None)
    assert message.last_error == BUSY
    assert _attempts(message) == [("error", BUSY)] * 5
    assert services.deliver(message.pk, now=at + timedelta(days=1)) == "skipped"  # failed is final


def test_the_maximum_number_of_attempts_and_the_backoff_come_from_settings(dummy_tasks, settings):
    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.BusySmsBackend"
    settings.EGOV_NOTIFY_MAX_ATTEMPTS = 2
    settings.EGOV_NOTIFY_RETRY_BASE_SECONDS = 30
    message = sms_message()
    at = timezone.now()

    assert services.deliver(message.pk, now=at) == "retry"
    assert _state(message)[2] == at + timedelta(seconds=30)
    assert services.deliver(message.pk, now=at + timedelta(seconds=30)) == "failed"
    assert _state(message) == (Status.FAILED, 2, None)


def test_backoff_doubles_up_to_the_cap(settings):
    settings.EGOV_NOTIFY_RETRY_BASE_SECONDS = 300
    settings.EGOV_NOTIFY_RETRY_MAX_SECONDS = 3600

    assert [services.backoff(n).total_seconds() for n in range(1, 7)] == [300, 600, 1200, 2400, 3600, 3600]


def test_a_retry_is_enqueued_after_the_commit_to_run_when_it_is_due(
    dummy_tasks, settings, django_capture_on_commit_callbacks
):
    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.BusySmsBackend"
    message = sms_message()
    dummy_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.deliver(message.pk)

    [retry] = dummy_tasks.results
    assert (retry.task.module_path, retry.args) == ("egov.notifications.tasks.deliver_message", [message.pk])
    assert retry.task.run_after == _state(message)[2]


def test_with_a_task_backend_that_cannot_defer_the_retry_is_left_to_the_sweeper(
    immediate_tasks, settings, django_capture_on_commit_callbacks
):
    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.BusySmsBackend"
    message = sms_message()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.deliver(message.pk)

    assert len(callbacks) == 1  # ran, and did not deliver again at once (no loop)
    assert _state(message)[:2] == (Status.PENDING, 1)


def test_a_refused_number_fails_at_once(dummy_tasks, settings, django_capture_on_commit_callbacks):
    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.RefusingSmsBackend"
    message = sms_message()
    dummy_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver(message.pk) == "failed"

    refused = "PermanentSmsDeliveryError: Cổng SMS trả lời HTTP 400: số thuê bao không tồn tại"
    assert _state(message) == (Status.FAILED, 1, None)
    assert _attempts(message) == [("error", refused)]
    assert dummy_tasks.results == []


def test_a_broken_mail_server_is_retried(dummy_tasks, settings):
    settings.EMAIL_BACKEND = "egov.notifications.tests.backends.DisconnectedEmailBackend"
    message = email_message()

    assert services.deliver(message.pk) == "retry"

    assert _attempts(message) == [("error", "SMTPServerDisconnected: Connection unexpectedly closed")]


def test_an_address_refused_by_the_mail_server_fails_at_once(dummy_tasks, settings):
    settings.EMAIL_BACKEND = "egov.notifications.tests.backends.RefusedEmailBackend"
    message = email_message()

    assert services.deliver(message.pk) == "failed"

    assert _state(message) == (Status.FAILED, 1, None)
    assert _attempts(message)[0][1].startswith("SMTPRecipientsRefused: ")


def test_a_sender_that_died_mid_send_is_replaced_when_its_lease_expires(dummy_tasks, sms_sent):
    # Given the default lease of 60 seconds
    message = sms_message()
    at = timezone.now()
    claimed, _ = services._claim(message.pk, at)  # ...and the process dies before sending
    assert claimed is not None
    assert _state(message) == (Status.SENDING, 1, at + timedelta(seconds=60))

    assert services.deliver(message.pk, now=at + timedelta(seconds=59)) == "skipped"  # the lease still runs
    assert sms_sent == []
    assert services.deliver_due(now=at + timedelta(seconds=60)) == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0}

    assert len(sms_sent) == 1
    assert _state(message) == (Status.SENT, 2, None)
    assert _attempts(message) == [("error", services.INTERRUPTED), ("ok", "Mã tin: rec-1")]


def test_the_delivery_lease_is_a_setting(dummy_tasks, sms_sent, settings):
    settings.EGOV_NOTIFY_LEASE_SECONDS = 15
    message = sms_message()
    at = timezone.now()
    services._claim(message.pk, at)

    assert _state(message) == (Status.SENDING, 1, at + timedelta(seconds=15))
    assert services.deliver(message.pk, now=at + timedelta(seconds=14)) == "skipped"
    assert services.deliver(message.pk, now=at + timedelta(seconds=15)) == "sent"
    assert len(sms_sent) == 1


def test_the_lease_setting_is_read_from_the_environment(monkeypatch):
    import importlib

    import egov.settings as base

    monkeypatch.setenv("NOTIFY_LEASE_SECONDS", "45")
    try:
        assert importlib.reload(base).EGOV_NOTIFY_LEASE_SECONDS == 45
    finally:
        monkeypatch.delenv("NOTIFY_LEASE_SECONDS")
        importlib.reload(base)
    assert base.EGOV_NOTIFY_LEASE_SECONDS == 60


def test_a_sender_that_died_on_the_last_attempt_leaves_the_message_failed(dummy_tasks, sms_sent, settings):
    settings.EGOV_NOTIFY_MAX_ATTEMPTS = 1
    message = sms_message()
    at = timezone.now()
    services._claim(message.pk, at)

    assert services.deliver(message.pk, now=at + timedelta(hours=1)) == "failed"

    assert sms_sent == []
    assert _state(message) == (Status.FAILED, 1, None)
    assert message.last_error == services.INTERRUPTED


def test_deliver_due_sends_what_is_due_oldest_first_and_leaves_the_rest(dummy_tasks, sms_sent, settings):
    now = timezone.now()
    due = [sms_message(body=f"tin {n}") for n in range(3)]
    later = sms_message(body="sau")
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(minutes=5))
    done = sms_message(body="xong")
    services.deliver(done.pk)
    sms_sent.clear()

    assert services.deliver_due(now=now + timedelta(seconds=1), limit=2) == {
        "sent": 2,
        "retry": 0,
        "failed": 0,
        "skipped": 0,
    }
    assert [s["text"] for s in sms_sent] == ["tin 0", "tin 1"]
    assert services.deliver_due(now=now + timedelta(seconds=1))["sent"] == 1
    assert [s["text"] for s in sms_sent] == ["tin 0", "tin 1", "tin 2"]
    assert _state(later)[0] == Status.PENDING
    assert {_state(m)[0] for m in due} == {Status.SENT}
