"""SMS text without diacritics, and the three gateways: console, file, HTTP (against a local server)."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from egov.notifications.sms import (
    ConsoleSmsBackend,
    FileSmsBackend,
    HttpSmsBackend,
    PermanentSmsDeliveryError,
    SmsDeliveryError,
    get_sms_backend,
    is_gsm7,
    sms_parts,
    to_sms_text,
)

# --- Text ---------------------------------------------------------------------------------------


def test_diacritics_are_stripped():
    assert to_sms_text("Hồ sơ đã được tiếp nhận") == "Ho so da duoc tiep nhan"


def test_every_vietnamese_letter_and_tone_loses_its_marks():
    assert to_sms_text("ĂÂĐÊÔƠƯ ăâđêôơư áàảãạ ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ÝỲỶỸỴ") == (
        "AADEOOU aadeoou aaaaa aaaaa aaaaa eeeee ooooo ooooo uuuuu YYYYY"
    )


def test_typographic_punctuation_becomes_plain():
    assert to_sms_text("“Hồ sơ” – số 7… ‘xong’") == "\"Ho so\" - so 7... 'xong'"


def test_text_without_diacritics_fits_the_gsm_alphabet_and_counts_160_per_sms():
    text = to_sms_text("Hồ sơ đã được tiếp nhận. " * 7)[:160]

    assert is_gsm7(text) and sms_parts(text) == 1
    assert sms_parts(text + "x") == 2  # 161 characters: two parts of 153


def test_text_with_diacritics_is_unicode_and_counts_70_per_sms():
    assert not is_gsm7("Hồ sơ")
    assert sms_parts("ồ" * 70) == 1
    assert sms_parts("ồ" * 71) == 2


# --- Gateways -----------------------------------------------------------------------------------


def test_the_default_gateway_is_the_console(settings):
    del settings.EGOV_SMS_BACKEND

    assert type(get_sms_backend()) is ConsoleSmsBackend


def test_the_console_gateway_prints_the_message():
    stream = io.StringIO()

    message_id = ConsoleSmsBackend(stream=stream).send(
        to="+84912345678", text="Ho so da duoc tiep nhan", reference="X-1"
    )

    assert message_id.startswith("console-")
    assert stream.getvalue() == (
        f"-- SMS {message_id} --\nTo: +84912345678\nReference: X-1\n\nHo so da duoc tiep nhan\n{'-' * 40}\n"
    )


def test_the_file_gateway_appends_one_json_line_per_message(settings, tmp_path):
    settings.EGOV_SMS_FILE = tmp_path / "sub" / "sms.log"
    gateway = FileSmsBackend()

    first = gateway.send(to="+84912345678", text="Ho so da duoc tiep nhan", reference="X-1")
    second = gateway.send(to="+84987654321", text="Hồ sơ có kết quả")

    lines = (tmp_path / "sub" / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert [(r["id"], r["to"], r["text"], r["reference"]) for r in records] == [
        (first, "+84912345678", "Ho so da duoc tiep nhan", "X-1"),
        (second, "+84987654321", "Hồ sơ có kết quả", ""),
    ]
    assert "Hồ sơ có kết quả" in lines[1]  # UTF-8, not \\u escapes
    assert all(r["at"] for r in records)


def test_the_file_gateway_defaults_to_sms_log_in_the_var_directory(settings, tmp_path):
    del settings.EGOV_SMS_FILE
    settings.VAR_DIR = tmp_path

    assert FileSmsBackend().path == tmp_path / "sms.log"


class _Gateway(BaseHTTPRequestHandler):
    """A stand-in SMS gateway: records each request and answers with the server's canned reply."""

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers["Content-Length"])
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
        )
        status, body = self.server.reply
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode("utf-8"))

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    server.requests, server.reply = [], (200, '{"id": "vt-000123", "status": "queued"}')
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/api/sms"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_http_gateway_posts_json_with_the_bearer_token(settings, gateway):
    settings.EGOV_SMS_HTTP_URL = gateway.url
    settings.EGOV_SMS_HTTP_TOKEN = "bi-mat-123"
    settings.EGOV_SMS_SENDER = "SONNAM"

    message_id = HttpSmsBackend().send(to="+84912345678", text="Ho so da duoc tiep nhan", reference="X-1")

    assert message_id == "vt-000123"
    [request] = gateway.requests
    assert request["path"] == "/api/sms"
    assert request["headers"]["Authorization"] == "Bearer bi-mat-123"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["body"] == {
        "to": "+84912345678",
        "text": "Ho so da duoc tiep nhan",
        "reference": "X-1",
        "sender": "SONNAM",
    }


def test_the_http_gateway_accepts_a_message_id_key_or_no_json_at_all(gateway):
    backend = HttpSmsBackend(url=gateway.url, token="t")

    gateway.reply = (202, '{"message_id": 42}')
    assert backend.send(to="+84912345678", text="a") == "42"
    gateway.reply = (200, "OK")
    assert backend.send(to="+84912345678", text="a") == ""


@pytest.mark.parametrize("status", [400, 401, 422])
def test_a_refusal_by_the_http_gateway_is_permanent(gateway, status):
    gateway.reply = (status, '{"error": "invalid number"}')

    with pytest.raises(
        PermanentSmsDeliveryError, match=f'^Cổng SMS trả lời HTTP {status}: {{"error": "invalid number"}}$'
    ):
        HttpSmsBackend(url=gateway.url, token="t").send(to="+84912345678", text="a")


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_a_busy_or_broken_http_gateway_is_worth_retrying(gateway, status):
    gateway.reply = (status, "busy")

    with pytest.raises(SmsDeliveryError) as exc:
        HttpSmsBackend(url=gateway.url, token="t").send(to="+84912345678", text="a")

    assert type(exc.value) is SmsDeliveryError
    assert str(exc.value) == f"Cổng SMS trả lời HTTP {status}: busy"


def test_an_unreachable_http_gateway_is_worth_retrying(gateway):
    url = gateway.url
    gateway.shutdown()
    gateway.server_close()

    with pytest.raises(SmsDeliveryError, match="^Không kết nối được cổng SMS: ") as exc:
        HttpSmsBackend(url=url, token="t", timeout=2).send(to="+84912345678", text="a")

    assert type(exc.value) is SmsDeliveryError


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://gateway.example/sms"])
def test_the_http_gateway_needs_an_http_url(settings, url):
    settings.EGOV_SMS_HTTP_URL = url

    with pytest.raises(ImproperlyConfigured):
        HttpSmsBackend()
