"""POST /api/v1/signatures/verify: the same checks as the page, as JSON; errors are 422 on ``file``."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.signing import pki, services
from egov.signing.tests.conftest import flip_signed_byte

pytestmark = pytest.mark.django_db

URL = "/api/v1/signatures/verify"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.fixture
def keys(pki_dir, tree):
    services.ensure_demo_keys([tree["justice"], tree["justice_desk"]])
    return tree


@pytest.fixture
def signed(keys, small_pdf) -> bytes:
    return services.sign_pdf(pdf=small_pdf, unit=keys["justice_desk"], reason="Cấp Giấy tiếp nhận hồ sơ")


def post(client, content: bytes, name: str = "van-ban.pdf", **extra):
    return client.post(URL, {"file": SimpleUploadedFile(name, content, "application/pdf")}, **extra)


def field_error(response) -> str:
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    [error] = body["errors"]
    assert error["field"] == "file"
    assert body["message"] == error["message"]
    return error["message"]


def test_a_signed_pdf_is_reported_field_by_field(client, signed):
    response = post(client, signed)

    assert response.status_code == 200
    [sig] = response.json()["signatures"]
    assert sig["signer_common_name"] == "Bộ phận Một cửa Sở Tư pháp"
    assert sig["signer_identifier"] == "H98.101.01"
    assert (sig["intact"], sig["valid"], sig["trusted"], sig["ok"]) == (True, True, True, True)
    assert sig["trust_problem"] is None and sig["timestamped"] is False
    assert sig["reason"] == "Cấp Giấy tiếp nhận hồ sơ"
    assert datetime.fromisoformat(sig["signing_time"]).utcoffset().total_seconds() == 7 * 3600
    assert datetime.fromisoformat(sig["certificate_not_after"]) > datetime.fromisoformat(sig["signing_time"])
    assert len(sig["certificate_fingerprint_sha256"]) == 64
    assert sig["summary"].startswith("Bộ phận Một cửa Sở Tư pháp ký lúc ")
    assert all(isinstance(v, str | bool) or v is None for v in sig.values())


def test_a_changed_byte_is_not_intact(client, signed):
    [sig] = post(client, flip_signed_byte(signed)).json()["signatures"]

    assert sig["intact"] is False and sig["ok"] is False


def test_another_root_is_not_trusted(client, pki_dir, tree, small_pdf, admin_user):
    services.ensure_demo_root()
    stranger = pki.create_root_ca(common_name="Tổ chức chứng thực khác")
    issued = pki.issue_unit_certificate(stranger, name="Sở Tài chính", identifier="H98.102", passphrase=b"pw")
    services.install_unit_key(by=admin_user, unit=tree["finance"], pkcs12=issued.pkcs12, passphrase="pw")

    [sig] = post(client, services.sign_pdf(pdf=small_pdf, unit=tree["finance"])).json()["signatures"]

    assert (sig["intact"], sig["valid"], sig["trusted"]) == (True, True, False)
    assert sig["trust_problem"] == "NO_CERTIFICATE_CHAIN_FOUND"


def test_a_png_named_pdf_is_refused(client, pki_dir):
    assert field_error(post(client, PNG, name="anh.pdf")) == (
        "Tệp 'anh.pdf' không phải tệp PDF (nhận dạng theo nội dung tệp)."
    )


def test_an_unsigned_pdf_is_refused_with_its_reason(client, pki_dir, small_pdf):
    response = post(client, small_pdf)

    assert field_error(response) == "Tệp PDF không có chữ ký số nào."
    assert response.json()["reason"] == "pdf_not_signed"


def test_a_file_over_the_limit_is_refused(client, settings, signed):
    settings.EGOV_MAX_UPLOAD_BYTES = 1024

    message = field_error(post(client, signed, name="lon.pdf"))

    assert message.startswith("Tệp 'lon.pdf' quá lớn (") and message.endswith("); tối đa 1 KB.")


def test_a_missing_file_is_a_field_error(client):
    assert field_error(client.post(URL, {})) == "Thiếu trường bắt buộc."


def test_no_login_is_needed_and_the_api_is_rate_limited(client, settings, pki_dir, small_pdf):
    settings.EGOV_VERIFY_RATE = "2/min"

    statuses = [post(client, small_pdf).status_code for _ in range(2)]
    third = post(client, small_pdf)

    assert statuses == [422, 422]
    assert third.status_code == 429
    assert third.json() == {
        "code": "throttled",
        "message": "Bạn kiểm tra quá nhiều tệp trong thời gian ngắn. Vui lòng thử lại sau ít phút.",
    }
    assert post(client, small_pdf, REMOTE_ADDR="10.0.0.9").status_code == 422


def test_the_page_and_the_api_share_one_allowance(client, settings, pki_dir, small_pdf):
    settings.EGOV_VERIFY_RATE = "1/min"

    assert post(client, small_pdf).status_code == 422
    page = client.post("/kiem-tra-chu-ky/", {"file": SimpleUploadedFile("a.pdf", small_pdf)})

    assert page.status_code == 429
