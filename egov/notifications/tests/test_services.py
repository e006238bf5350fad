"""Queueing: the message is written in the caller's transaction and its task is enqueued only after
the commit; recipients are validated; an idempotency key makes a repeat harmless."""

from __future__ import annotations

import pytest
from django.db import transaction

from egov.core.errors import ValidationFailed
from egov.notifications import services
from egov.notifications.models import Channel, OutboxMessage, Status
from egov.notifications.tests.conftest import CONTEXTS, email_message, sms_message

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def test_given_a_transaction_that_rolls_back_then_there_is_no_message_and_no_task(
    dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            email_message()
            raise Rollback

    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert dummy_tasks.results == []


def test_given_a_transaction_that_commits_then_the_task_is_enqueued_after_the_commit_only(
    dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            message = email_message()
            assert dummy_tasks.results == []  # not while the transaction is open

    assert len(callbacks) == 1
    assert [(r.task.module_path, r.args, r.kwargs) for r in dummy_tasks.results] == [
        ("egov.notifications.tasks.deliver_message", [message.pk], {})
    ]
    assert dummy_tasks.results[0].task.run_after is None


def test_given_the_immediate_task_backend_when_the_transaction_commits_then_the_email_is_sent(
    immediate_tasks, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = email_message()
            assert mailoutbox == []

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert [(m.to, m.subject) for m in mailoutbox] == [(["an.nguyen@example.vn"], "Hồ sơ đã được tiếp nhận")]


def test_given_a_failing_enqueue_after_the_commit_then_the_caller_is_not_disturbed(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.TASKS = {"default": {"BACKEND": "egov.notifications.tests.backends.UnavailableTaskBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        message = email_message()  # no exception: the sweeper will send it

    assert OutboxMessage.objects.get(pk=message.pk).status == Status.PENDING
    assert "Error calling _schedule_delivery.<locals>.enqueue_delivery_task in on_commit()" in caplog.text


def test_enqueue_stores_the_message_pending_and_due_now(dummy_tasks):
    message = email_message(html_body="<p>Kính gửi</p>")

    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.kind, stored.channel, stored.recipient, stored.subject, stored.body, stored.html_body) == (
        "dossier.received",
        "email",
        "an.nguyen@example.vn",
        "Hồ sơ đã được tiếp nhận",
        "Kính gửi Ông/Bà Nguyễn Văn An,",
        "<p>Kính gửi</p>",
    )
    assert (stored.reference, stored.status, stored.attempts, stored.last_error, stored.sent_at) == (
        "000.00.01.H98-260320-0007",
        Status.PENDING,
        0,
        "",
        None,
    )
    assert stored.next_attempt_at == stored.created_at
    assert len(stored.idempotency_key) == 32


def test_an_sms_is_stored_with_the_normalised_number_and_without_diacritics(dummy_tasks):
    message = sms_message(body="Hồ sơ đã được tiếp nhận")

    assert (message.recipient, message.body) == ("+84912345678", "Ho so da duoc tiep nhan")


def test_an_sms_keeps_its_diacritics_when_the_gateway_handles_unicode(dummy_tasks, settings):
    settings.EGOV_SMS_STRIP_DIACRITICS = False

    assert sms_message(body="Hồ sơ đã được tiếp nhận").body == "Hồ sơ đã được tiếp nhận"


def test_the_same_idempotency_key_twice_returns_the_first_message_and_enqueues_once(
    dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = email_message(idempotency_key="dossier.received:7:email")
        second = email_message(idempotency_key="dossier.received:7:email", body="Nội dung khác")

    assert second.pk == first.pk
    assert second.body == "Kính gửi Ông/Bà Nguyễn Văn An,"
    assert OutboxMessage.objects.count() == 1
    assert len(dummy_tasks.results) == 1


@pytest.mark.parametrize(
    ("channel", "recipient", "message"),
    [
        ("email", "an.nguyen@", "Địa chỉ thư điện tử 'an.nguyen@' không hợp lệ."),
        ("email", "", "Địa chỉ thư điện tử không được để trống."),
        (
            "sms",
            "02363822111",
            "Số điện thoại '02363822111' không phải số di động Việt Nam hợp lệ "
            "(ví dụ: 0912 345 678 hoặc +84 912 345 678).",
        ),
    ],
)
def test_a_bad_recipient_is_refused_naming_the_recipient_field(dummy_tasks, channel, recipient, message):
    with pytest.raises(ValidationFailed) as exc:
        email_message(channel=channel, recipient=recipient)

    assert [(e.field, e.message) for e in exc.value.errors] == [("recipient", message)]
    assert exc.value.as_dict()["code"] == "validation_error"
    assert OutboxMessage.objects.count() == 0


def test_every_invalid_field_is_reported_at_once(dummy_tasks):
    with pytest.raises(ValidationFailed) as exc:
        services.enqueue(kind="", channel="fax", recipient="x", subject="", body="  ", reference="R" * 101)

    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("kind", "Loại thông báo không được để trống."),
        ("channel", "Kênh gửi 'fax' không hợp lệ (email, sms hoặc zalo)."),
        ("body", "Nội dung thông báo không được để trống."),
        ("reference", "Mã tham chiếu dài quá 100 ký tự."),
    ]


def test_an_email_needs_a_subject_an_sms_does_not(dummy_tasks):
    with pytest.raises(ValidationFailed) as exc:
        email_message(subject="  ")

    assert [(e.field, e.message) for e in exc.value.errors] == [("subject", "Tiêu đề thư không được để trống.")]
    assert sms_message(subject="").subject == ""


def test_a_subject_on_several_lines_is_joined_into_one_header_line(dummy_tasks):
    assert email_message(subject="Hồ sơ\n đã được\r\ntiếp nhận").subject == "Hồ sơ đã được tiếp nhận"


# --- notify -------------------------------------------------------------------------------------


def test_notify_queues_the_rendered_email_and_sms_for_each_contact_given(dummy_tasks, settings):
    settings.EGOV_PLATFORM_NAME = "Hệ thống thông tin giải quyết TTHC tỉnh Sơn Nam"

    messages = services.notify(
        kind="dossier.received",
        email="an.nguyen@example.vn",
        phone="0912 345 678",
        context=CONTEXTS["dossier.received"],
        reference="000.00.01.H98-260320-0007",
    )

    email, sms = messages
    assert (email.channel, email.recipient, email.subject) == (
        "email",
        "an.nguyen@example.vn",
        "Hồ sơ 000.00.01.H98-260320-0007 đã được tiếp nhận",
    )
    assert email.body.startswith("Kính gửi Ông/Bà Nguyễn Văn An,\n\nBộ phận Một cửa Sở Tư pháp đã tiếp nhận")
    assert (sms.channel, sms.recipient, sms.subject, sms.body) == (
        "sms",
        "+84912345678",
        "",
        "Ho so 000.00.01.H98-260320-0007 da duoc tiep nhan. Hen tra ket qua: 16:00 ngay 30/03/2026. "
        "Tra cuu: https://dichvucong.sonnam.gov.vn/tra-cuu",
    )
    assert {m.kind for m in messages} == {"dossier.received"}
    assert {m.reference for m in messages} == {"000.00.01.H98-260320-0007"}


@pytest.mark.parametrize(
    ("contacts", "channels"),
    [({"email": "an.nguyen@example.vn"}, ["email"]), ({"phone": "0912345678", "email": "  "}, ["sms"]), ({}, [])],
)
def test_notify_uses_only_the_channels_it_has_an_address_for(dummy_tasks, contacts, channels):
    messages = services.notify(
        kind="dossier.result_ready", context=CONTEXTS["dossier.result_ready"], reference="X-1", **contacts
    )

    assert [m.channel for m in messages] == channels
    assert OutboxMessage.objects.count() == len(channels)


def test_notify_with_a_bad_email_or_phone_names_that_field_and_queues_nothing(dummy_tasks):
    with pytest.raises(ValidationFailed) as exc:
        services.notify(
            kind="dossier.received",
            email="an.nguyen@example",
            phone="12345",
            context=CONTEXTS["dossier.received"],
            reference="X-1",
        )

    assert [e.field for e in exc.value.errors] == ["email", "phone"]
    assert OutboxMessage.objects.count() == 0


def test_notify_twice_with_an_idempotency_key_tells_the_applicant_once(dummy_tasks):
    kwargs = dict(
        kind="dossier.apology",
        email="an.nguyen@example.vn",
        phone="0912345678",
        context=CONTEXTS["dossier.apology"],
        reference="X-1",
        idempotency_key="dossier.apology:7",
    )

    first = services.notify(**kwargs)
    second = services.notify(**kwargs)

    assert [m.pk for m in second] == [m.pk for m in first]
    assert sorted(OutboxMessage.objects.values_list("idempotency_key", flat=True)) == [
        "dossier.apology:7:email",
        "dossier.apology:7:sms",
    ]


def test_notify_with_missing_context_is_a_programming_error_and_queues_nothing(dummy_tasks):
    with pytest.raises(ValueError, match="needs context keys: items"):
        services.notify(
            kind="dossier.supplement_requested",
            email="an.nguyen@example.vn",
            context=CONTEXTS["dossier.received"],
            reference="X-1",
        )

    assert OutboxMessage.objects.count() == 0
    assert Channel.EMAIL == "email"
