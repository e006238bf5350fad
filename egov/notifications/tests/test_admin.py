"""The outbox in the back office: readable with a whole-tree ``notification.view``, never edited; the
one write is "gửi lại", through the service, audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.audit.models import AuditRecord
from egov.core.errors import Conflict, PermissionDenied
from egov.notifications import services
from egov.notifications.models import DeliveryAttempt, OutboxMessage, Status
from egov.notifications.tests.conftest import email_message, sms_message

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/notifications/outboxmessage/"


def _fail(message):
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, attempts=5, next_attempt_at=None)
    DeliveryAttempt.objects.create(message=message, outcome="error", detail="SMTPServerDisconnected: mất kết nối")
    message.refresh_from_db()
    return message


def _retry(client, *messages):
    return client.post(
        LIST_URL,
        {"action": "retry_now", "_selected_action": [str(m.pk) for m in messages], "index": "0", "select_across": "0"},
    )


def _snapshot():
    return (
        list(OutboxMessage.objects.order_by("pk").values_list("pk", "status", "attempts", "next_attempt_at")),
        AuditRecord.objects.count(),
    )


@pytest.fixture
def messages(dummy_tasks):
    sent = email_message(kind="dossier.result_ready")
    services.deliver(sent.pk)
    failed = _fail(sms_message(kind="dossier.apology"))
    pending = email_message()
    dummy_tasks.clear()
    return {"sent": sent, "failed": failed, "pending": pending}


def test_an_administrator_lists_the_outbox_newest_first(client, admin_user, messages):
    client.force_login(admin_user)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert [m.pk for m in response.context["cl"].result_list] == [
        messages["pending"].pk,
        messages["failed"].pk,
        messages["sent"].pk,
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "failed"}, ["failed"]),
        ({"status": "pending"}, ["pending"]),
        ({"kind": "dossier.result_ready"}, ["sent"]),
        ({"channel": "sms"}, ["failed"]),
        ({"channel": "email"}, ["pending", "sent"]),
        ({"q": "+84912345678"}, ["failed"]),
    ],
)
def test_an_administrator_filters_the_outbox(client, admin_user, messages, query, expected):
    client.force_login(admin_user)

    response = client.get(LIST_URL, query)

    assert response.status_code == 200
    assert [m.pk for m in response.context["cl"].result_list] == [messages[name].pk for name in expected]


def test_a_message_shows_its_attempts_and_cannot_be_changed(client, admin_user, messages):
    client.force_login(admin_user)
    url = f"{LIST_URL}{messages['failed'].pk}/change/"
    before = _snapshot()

    page = client.get(url)

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert "SMTPServerDisconnected: mất kết nối" in page.content.decode()
    assert client.post(url, {"status": "sent"}).status_code == 403
    assert client.get(f"{LIST_URL}add/").status_code == 403
    assert client.post(f"{LIST_URL}{messages['failed'].pk}/delete/", {"post": "yes"}).status_code == 403
    assert _snapshot() == before


def test_the_list_costs_the_same_queries_for_many_messages(client, admin_user, messages):
    client.force_login(admin_user)
    client.get(LIST_URL)  # warm the session and the grants
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST_URL).status_code == 200
    for n in range(20):
        sms_message(body=f"tin {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST_URL).status_code == 200

    assert len(many) == len(few)


def test_an_administrator_retries_a_failed_message_through_the_service(
    client, admin_user, messages, dummy_tasks, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    failed = messages["failed"]

    with django_capture_on_commit_callbacks(execute=True):
        response = _retry(client, failed)

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 5)
    assert [(r.task.module_path, r.args) for r in dummy_tasks.results] == [
        ("egov.notifications.tasks.deliver_message", [failed.pk])
    ]
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.actor, rec.target_id, rec.target_repr) == (
        "notification.retry",
        admin_user,
        str(failed.pk),
        f"Thông báo #{failed.pk} (dossier.apology, Tin nhắn SMS)",
    )
    assert (rec.before["status"], rec.after["status"]) == ("failed", "pending")
    assert [str(m) for m in client.get(LIST_URL).context["messages"]] == ["Đã xếp 1 thông báo vào hàng đợi để gửi lại."]


def test_a_retried_failed_message_gets_one_more_try(client, admin_user, messages, sms_sent):
    client.force_login(admin_user)
    _retry(client, messages["failed"])

    assert services.deliver(messages["failed"].pk) == "sent"
    assert sms_sent[0]["to"] == "+84912345678"


def test_retrying_a_message_already_sent_is_refused_and_reported(client, admin_user, messages, dummy_tasks):
    client.force_login(admin_user)
    before = _snapshot()

    response = _retry(client, messages["sent"], messages["pending"])

    assert response.status_code == 302
    shown = [str(m) for m in client.get(LIST_URL).context["messages"]]
    assert shown == [
        f"Thông báo #{messages['sent'].pk} đã được gửi; không gửi lại.",
        "Đã xếp 1 thông báo vào hàng đợi để gửi lại.",
    ]
    after = _snapshot()
    assert after[0][0] == before[0][0]  # the sent one is untouched
    assert after[1] == before[1] + 1  # only the pending one was audited


def test_a_specialist_is_sent_to_sign_in_and_changes_nothing(client, tree, make_officer, messages):
    client.force_login(make_officer("specialist", tree["province"]))
    before = _snapshot()

    assert client.get(LIST_URL).status_code == 302
    response = _retry(client, messages["failed"])

    assert (response.status_code, response["Location"]) == (302, f"/admin/login/?next={LIST_URL}")
    assert _snapshot() == before


def test_a_back_office_evaluator_without_the_permission_is_forbidden_and_changes_nothing(
    client, tree, make_officer, messages
):
    client.force_login(make_officer("evaluator", tree["province"]))
    before = _snapshot()

    assert client.get(LIST_URL).status_code == 403
    assert _retry(client, messages["failed"]).status_code == 403
    assert "notifications" not in {app["app_label"] for app in client.get("/admin/").context["app_list"]}
    assert _snapshot() == before


def test_an_administrator_of_one_department_does_not_see_the_province_outbox(client, tree, make_officer, messages):
    client.force_login(make_officer("administrator", tree["justice"]))
    before = _snapshot()

    assert client.get(LIST_URL).status_code == 403
    assert _retry(client, messages["failed"]).status_code == 403
    assert _snapshot() == before


def test_the_service_refuses_a_specialist_and_allows_the_platform(tree, make_officer, messages):
    failed = messages["failed"]
    specialist = make_officer("specialist", tree["province"])
    before = _snapshot()

    with pytest.raises(PermissionDenied, match="^Bạn không có quyền gửi lại thông báo.$"):
        services.retry_now(by=specialist, message=failed)
    assert _snapshot() == before

    assert services.retry_now(by=None, message=failed).status == Status.PENDING


def test_the_service_refuses_a_message_being_sent(admin_user, messages):
    from django.utils import timezone

    services._claim(messages["pending"].pk, timezone.now())

    with pytest.raises(Conflict, match="đang được gửi"):
        services.retry_now(by=admin_user, message=messages["pending"])
