"""Zalo ZNS: template messages through the outbox, the file stand-in and the HTTP API (a local fake)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from egov.core.errors import ValidationFailed
from egov.notifications import services
from egov.notifications.models import DeliveryAttempt, OutboxMessage, Status
from egov.notifications.tests.conftest import CONTEXTS
from egov.notifications.zalo import (
    FileZaloBackend,
    HttpZaloBackend,
    PermanentZaloDeliveryError,
    ZaloDeliveryError,
    template_data,
    zalo_phone,
)

TEMPLATES = {"dossier.received": "231234", "dossier.result_ready": "231235"}


class _Zns(BaseHTTPRequestHandler):
    """A stand-in for business.openapi.zalo.me: records each request, answers the canned reply."""

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers["Content-Length"])
        self.server.requests.append(
            {
                "path": self.path,
                # Header names are case-insensitive (urllib sends "Access_token").
                "access_token": self.headers.get("access_token"),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        status, body = self.server.replies.pop(0) if self.server.replies else self.server.reply
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode("utf-8"))

    def log_message(self, *args):
        pass


@pytest.fixture
def zns():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Zns)
    server.requests, server.replies = [], []
    server.reply = (200, '{"error": 0, "message": "Success", "data": {"msg_id": "zns-77", "sent_time": "1"}}')
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/message/template"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def zalo_settings(settings, zns):
    settings.EGOV_ZALO_TEMPLATES = dict(TEMPLATES)
    settings.EGOV_ZALO_BACKEND = "egov.notifications.zalo.HttpZaloBackend"
    settings.EGOV_ZALO_API_URL = zns.url
    settings.EGOV_ZALO_ACCESS_TOKEN = "zalo-token-abc"
    settings.EGOV_ZALO_TIMEOUT = 2
    return settings


# --- Gateways -----------------------------------------------------------------------------------


def test_the_phone_is_sent_in_the_84_form():
    assert zalo_phone("+84912345678") == "84912345678"


def test_template_parameters_are_strings_with_vietnamese_dates():
    data = template_data(CONTEXTS["dossier.received"], ("applicant_name", "due_at", "missing"))

    assert data == {"applicant_name": "Nguyễn Văn An", "due_at": "16:00 30/03/2026"}


def test_the_http_gateway_posts_the_template_with_the_access_token(zns):
    backend = HttpZaloBackend(url=zns.url, access_token="zalo-token-abc", timeout=2)

    message_id = backend.send(
        phone="84912345678", template_id="231234", template_data={"dossier_code": "X-1"}, tracking_id="t-1"
    )

    assert message_id == "zns-77"
    [request] = zns.requests
    assert request["path"] == "/message/template"
    assert request["access_token"] == "zalo-token-abc"
    assert request["body"] == {
        "phone": "84912345678",
        "template_id": "231234",
        "template_data": {"dossier_code": "X-1"},
        "tracking_id": "t-1",
    }


def test_no_zalo_account_behind_the_number_is_permanent(zns):
    zns.reply = (200, '{"error": -118, "message": "Zalo account not existed"}')

    with pytest.raises(PermanentZaloDeliveryError, match=r"^Zalo ZNS từ chối \(mã -118\): Zalo account not existed$"):
        HttpZaloBackend(url=zns.url, access_token="t").send(phone="84912345678", template_id="1", template_data={})


@pytest.mark.parametrize(
    ("reply", "text"),
    [
        (
            (200, '{"error": -124, "message": "Access token invalid"}'),
            "Zalo ZNS từ chối (mã -124): Access token invalid",
        ),
        ((503, "busy"), "Zalo ZNS trả lời HTTP 503: busy"),
        ((200, "<html>"), "Zalo ZNS trả lời không phải JSON: b'<html>'"),
    ],
)
def test_an_expired_token_a_busy_server_or_a_garbled_answer_is_retried(zns, reply, text):
    zns.reply = reply

    with pytest.raises(ZaloDeliveryError) as exc:
        HttpZaloBackend(url=zns.url, access_token="t").send(phone="84912345678", template_id="1", template_data={})

    assert type(exc.value) is ZaloDeliveryError
    assert str(exc.value) == text


def test_the_http_gateway_needs_an_access_token(settings):
    settings.EGOV_ZALO_ACCESS_TOKEN = ""

    with pytest.raises(ImproperlyConfigured):
        HttpZaloBackend()


def test_the_file_stand_in_appends_one_json_line(tmp_path):
    path = tmp_path / "zalo.log"

    message_id = FileZaloBackend(path).send(phone="84912345678", template_id="231234", template_data={"a": "b"})

    [line] = path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert message_id.startswith("file-") and entry["id"] == message_id
    assert {k: entry[k] for k in ("phone", "template_id", "template_data")} == {
        "phone": "84912345678",
        "template_id": "231234",
        "template_data": {"a": "b"},
    }


# --- Through the outbox -------------------------------------------------------------------------


@pytest.mark.django_db
def test_notify_queues_zalo_only_when_chosen_and_a_template_exists(zalo_settings, dummy_tasks):
    context = CONTEXTS["dossier.received"]

    messages = services.notify(
        kind="dossier.received",
        email="an@example.vn",
        phone="0912 345 678",
        context=context,
        reference="X-1",
        channels=["zalo"],
    )

    [message] = messages
    assert (message.channel, message.recipient, message.template_id) == ("zalo", "+84912345678", "231234")
    assert message.template_data == {
        "applicant_name": "Nguyễn Văn An",
        "dossier_code": "000.00.01.H98-260320-0007",
        "procedure_name": "Cấp Phiếu lý lịch tư pháp",
        "agency_name": "Bộ phận Một cửa Sở Tư pháp",
        "lookup_url": "https://dichvucong.sonnam.gov.vn/tra-cuu",
        "received_at": "08:15 20/03/2026",
        "due_at": "16:00 30/03/2026",
    }
    # A kind with no ZNS template is not sent by Zalo, and the default stays e-mail and SMS.
    assert (
        services.notify(
            kind="dossier.submitted",
            phone="0912345678",
            context=CONTEXTS["dossier.submitted"],
            reference="X-1",
            channels=["zalo"],
        )
        == []
    )
    default = services.notify(
        kind="dossier.received", email="an@example.vn", phone="0912345678", context=context, reference="X-2"
    )
    assert sorted(m.channel for m in default) == ["email", "sms"]


@pytest.mark.django_db
def test_a_zalo_message_is_delivered_to_zns_and_recorded(zalo_settings, zns, dummy_tasks):
    [message] = services.notify(
        kind="dossier.received",
        phone="0912345678",
        context=CONTEXTS["dossier.received"],
        reference="X-1",
        channels=["zalo"],
    )

    assert services.deliver(message.pk) == "sent"

    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (Status.SENT, "zns-77")
    [request] = zns.requests
    assert request["body"]["phone"] == "84912345678"
    assert request["body"]["template_id"] == "231234"
    assert request["body"]["template_data"]["due_at"] == "16:00 30/03/2026"


@pytest.mark.django_db
def test_zalo_retries_through_the_outbox_then_succeeds(zalo_settings, zns, dummy_tasks):
    zns.replies = [(200, '{"error": -124, "message": "Access token invalid"}')]
    [message] = services.notify(
        kind="dossier.received",
        phone="0912345678",
        context=CONTEXTS["dossier.received"],
        reference="X-1",
        channels=["zalo"],
    )

    assert services.deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert services.deliver(message.pk, now=message.next_attempt_at) == "sent"
    outcomes = list(DeliveryAttempt.objects.filter(message=message).order_by("id").values_list("outcome", "detail"))
    assert outcomes == [
        ("error", "ZaloDeliveryError: Zalo ZNS từ chối (mã -124): Access token invalid"),
        ("ok", "Mã tin: zns-77"),
    ]


@pytest.mark.django_db
def test_no_zalo_account_fails_the_message_at_once(zalo_settings, zns, dummy_tasks):
    zns.reply = (200, '{"error": -118, "message": "Zalo account not existed"}')
    [message] = services.notify(
        kind="dossier.received",
        phone="0912345678",
        context=CONTEXTS["dossier.received"],
        reference="X-1",
        channels=["zalo"],
    )

    assert services.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (Status.FAILED, 1, None)


@pytest.mark.django_db
def test_a_zalo_message_needs_a_template_id():
    with pytest.raises(ValidationFailed) as exc:
        services.enqueue(kind="dossier.received", channel="zalo", recipient="0912345678", subject="", body="a")

    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("template_id", "Tin Zalo cần mã mẫu ZNS (template_id).")
    ]
    assert OutboxMessage.objects.count() == 0
