"""Security events: what records them, the counts, the threshold alert, and that recording never
breaks the request."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.audit.services import verify_chain
from egov.audit.tests.conftest import raw_update, triggers_disabled
from egov.notifications.models import OutboxMessage
from egov.security import services
from egov.security.models import EventKind, SecurityAlert, SecurityEvent

PASSWORD = "Mk-thu-nghiem-2026"


def events() -> list[tuple[str, str, str | None, str]]:
    return list(SecurityEvent.objects.order_by("pk").values_list("kind", "username", "ip_address", "path"))


def test_a_wrong_password_on_the_sign_in_page_is_a_failed_login(client, admin_user):
    response = client.post("/dang-nhap/", {"username": "quantri", "password": "sai-mat-khau"})

    assert response.status_code == 400
    assert events() == [("login_failed", "quantri", "127.0.0.1", "/dang-nhap/")]


def test_a_wrong_password_for_an_api_token_is_a_failed_login(client, admin_user):
    response = client.post(
        "/api/v1/auth/token", {"username": "quantri", "password": "sai"}, content_type="application/json"
    )

    assert response.status_code == 401
    assert events() == [("login_failed", "quantri", "127.0.0.1", "/api/v1/auth/token")]


def test_the_lock_out_is_an_event_of_its_own(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/dang-nhap/", {"username": "quantri", "password": "sai-mat-khau"})

    kinds = [kind for kind, *_ in events()]
    assert kinds.count("login_failed") == settings.AXES_FAILURE_LIMIT
    assert kinds.count("lockout") == 1
    assert SecurityEvent.objects.get(kind="lockout").username == "quantri"


def test_a_refused_bearer_token_is_recorded_without_the_token(client, db):
    response = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer khong-phai-ma-that-123")

    assert response.status_code == 401
    assert events() == [("token_refused", "", "127.0.0.1", "/api/v1/auth/me")]
    assert SecurityEvent.objects.get().detail == ""


def test_no_token_at_all_is_not_a_refused_token(client, db):
    assert client.get("/api/v1/auth/me").status_code == 401
    assert events() == []


def test_a_forbidden_answer_is_recorded_with_the_signed_in_user(admin_user, tree, make_officer):
    clerk = make_officer("receiving_officer", tree["province"], username="motcuaa")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clerk)

    response = browser.post("/dang-xuat/")  # no CSRF token: refused with 403

    assert response.status_code == 403
    assert events() == [("forbidden", "motcuaa", "127.0.0.1", "/dang-xuat/")]


def test_a_broken_audit_chain_is_recorded(admin_user):
    record = AuditRecord.objects.order_by("seq").first()
    with triggers_disabled():
        raw_update("UPDATE audit_auditrecord SET action = %s WHERE id = %s", ["sua.trai.phep", record.pk])

    report = verify_chain()

    assert report.ok is False
    event = SecurityEvent.objects.get()
    assert (event.kind, event.detail) == ("audit_chain_broken", f"bản ghi số {record.seq}: nội dung đã bị sửa")


def test_an_intact_audit_chain_records_nothing(admin_user):
    assert verify_chain().ok is True
    assert events() == []


def test_counts_are_per_kind_and_window(db):
    now = timezone.now()
    services.record(EventKind.FORBIDDEN, now=now - timedelta(hours=2))
    services.record(EventKind.FORBIDDEN, now=now - timedelta(minutes=5))
    services.record(EventKind.LOGIN_FAILED, username="a", now=now - timedelta(minutes=1))

    recent = services.counts(since=now - timedelta(hours=1))
    older = services.counts(since=now - timedelta(hours=3), until=now - timedelta(hours=1))

    assert recent == {kind.value: 0 for kind in EventKind} | {"forbidden": 1, "login_failed": 1}
    assert older == {kind.value: 0 for kind in EventKind} | {"forbidden": 1}


def test_reaching_the_threshold_sends_one_alert_per_window_to_each_address(
    db, settings, django_capture_on_commit_callbacks
):
    settings.EGOV_SECURITY_ALERT_THRESHOLDS = {"login_failed": 3}
    settings.EGOV_SECURITY_ALERT_EMAILS = ["soc@sonnam.gov.vn", "it@sonnam.gov.vn"]
    settings.EGOV_SECURITY_ALERT_WINDOW = timedelta(minutes=10)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)

    for i in range(2):
        services.record(EventKind.LOGIN_FAILED, username="x", now=start + timedelta(seconds=i))
    assert SecurityAlert.objects.count() == 0

    for i in range(2, 6):
        services.record(EventKind.LOGIN_FAILED, username="x", now=start + timedelta(seconds=i))

    alert = SecurityAlert.objects.get()
    assert (alert.kind, alert.count, alert.threshold, alert.window_start) == ("login_failed", 3, 3, start)
    mails = OutboxMessage.objects.order_by("recipient")
    assert [(m.kind, m.channel, m.recipient) for m in mails] == [
        ("security.alert", "email", "it@sonnam.gov.vn"),
        ("security.alert", "email", "soc@sonnam.gov.vn"),
    ]
    assert mails[0].subject == "[Cảnh báo an ninh] Đăng nhập sai: 3 sự kiện trong 10 phút"
    assert "ngưỡng cảnh báo: 3" in mails[0].body

    # The next window gets its own alert.
    services.record(EventKind.LOGIN_FAILED, username="x", now=start + timedelta(minutes=10, seconds=3))
    assert SecurityAlert.objects.count() == 2


def test_other_kinds_do_not_count_towards_a_threshold(db, settings):
    settings.EGOV_SECURITY_ALERT_THRESHOLDS = {"forbidden": 2}
    services.record(EventKind.FORBIDDEN)
    services.record(EventKind.TOKEN_REFUSED)

    assert SecurityAlert.objects.count() == 0


def test_one_tampered_payment_notification_is_already_an_alert(db):
    services.record(EventKind.PAYMENT_TAMPERED, detail="IPN: chữ ký sai (đơn X)")

    assert SecurityAlert.objects.get().kind == "payment_tampered"


def test_a_forged_client_address_is_dropped_not_the_event(db):
    event = services.record(EventKind.FORBIDDEN, ip_address="not-an-address")

    assert (event.kind, event.ip_address) == ("forbidden", None)


def test_a_failure_to_record_is_logged_and_the_request_still_answers(client, db, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database full")

    monkeypatch.setattr(SecurityEvent.objects, "create", broken)

    with caplog.at_level(logging.ERROR, logger="egov.security.services"):
        response = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer sai")

    assert response.status_code == 401
    assert "Could not record the security event token_refused" in caplog.text
    assert SecurityEvent.objects.count() == 0


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_address_is_no_address(db, value):
    assert services.record(EventKind.LOCKOUT, ip_address=value).ip_address is None
