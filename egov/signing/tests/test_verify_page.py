"""The public page "Kiểm tra văn bản ký số" (/kiem-tra-chu-ky/): a signed PDF in, its signatures out,
in Vietnamese, without JavaScript; refusals next to the field and in a summary at the top."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.signing import pki, services
from egov.signing.tests.conftest import flip_signed_byte

pytestmark = pytest.mark.django_db

URL = "/kiem-tra-chu-ky/"
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


def text_of(response) -> str:
    return response.content.decode()


def main_of(response) -> str:
    return text_of(response).split('<main id="main"', 1)[1]


def test_the_page_is_a_plain_accessible_form(client):
    response = client.get(URL)

    assert response.status_code == 200
    html = text_of(response)
    assert "<h1>Kiểm tra văn bản ký số</h1>" in html
    assert 'enctype="multipart/form-data"' in html and 'method="post"' in html
    assert '<label class="usa-label" for="file">' in html and 'id="file" name="file"' in html
    assert 'aria-describedby="file-hint"' in html and "tối đa 10 MB" in html
    assert 'class="usa-alert usa-alert--error error-summary"' not in html


def test_a_pdf_signed_by_a_unit_shows_its_name_intact_and_trusted(client, signed):
    response = post(client, signed)

    assert response.status_code == 200
    html = main_of(response)
    assert "Chữ ký 1: Bộ phận Một cửa Sở Tư pháp" in html
    assert "H98.101.01" in html
    assert "Nguyên vẹn" in html and "Đã bị sửa" not in html
    assert ">Hợp lệ<" in html and ">Được tin cậy<" in html and "Không được tin cậy" not in html
    assert "Cấp Giấy tiếp nhận hồ sơ" in html
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d \(giờ Việt Nam\)", html)
    assert re.search(r"Đến \d\d/\d\d/\d{4}", html)  # certificate expiry
    assert "chứng thư được tin cậy." in html  # the summary sentence
    assert 'class="usa-alert usa-alert--error error-summary"' not in html


def test_a_byte_changed_after_signing_shows_modified(client, signed):
    response = post(client, flip_signed_byte(signed))

    assert response.status_code == 200
    html = main_of(response)
    assert "Đã bị sửa sau khi ký" in html and ">Nguyên vẹn<" not in html
    assert "Cần lưu ý" in html


def test_a_pdf_signed_under_another_root_is_not_trusted(client, pki_dir, tree, small_pdf, admin_user):
    services.ensure_demo_root()  # the platform trusts its own root only
    stranger = pki.create_root_ca(common_name="Tổ chức chứng thực khác")
    issued = pki.issue_unit_certificate(stranger, name="Sở Tài chính", identifier="H98.102", passphrase=b"pw")
    services.install_unit_key(by=admin_user, unit=tree["finance"], pkcs12=issued.pkcs12, passphrase="pw")
    signed = services.sign_pdf(pdf=small_pdf, unit=tree["finance"])

    response = post(client, signed)

    assert response.status_code == 200
    html = main_of(response)
    assert "Chữ ký 1: Sở Tài chính" in html
    assert ">Nguyên vẹn<" in html and ">Hợp lệ<" in html
    assert ">Không được tin cậy<" in html and ">Được tin cậy<" not in html
    assert "không thuộc tổ chức chứng thực được tin cậy" in html  # the summary


def assert_field_error(response, message: str) -> None:
    assert response.status_code == 422
    html = main_of(response)
    summary = html.split('class="usa-alert usa-alert--error error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'<a href="#file">{message}</a>' in summary
    field = html.split('<div class="usa-form-group usa-form-group--error">', 1)[1].split("</div>", 1)[0]
    assert f'id="file-error"><span class="usa-sr-only">Lỗi: </span>{message}</p>' in field
    assert 'aria-invalid="true"' in field and 'aria-describedby="file-hint file-error"' in field
    assert "Kết quả kiểm tra" not in html


def test_a_png_named_pdf_is_refused_by_its_content(client, pki_dir):
    assert_field_error(
        post(client, PNG, name="anh.pdf"), "Tệp &#x27;anh.pdf&#x27; không phải tệp PDF (nhận dạng theo nội dung tệp)."
    )


def test_an_unsigned_pdf_says_there_is_no_signature(client, pki_dir, small_pdf):
    assert_field_error(post(client, small_pdf), "Tệp PDF không có chữ ký số nào.")


def test_a_file_over_the_limit_is_refused(client, pki_dir, settings, signed):
    settings.EGOV_MAX_UPLOAD_BYTES = 1024

    assert_field_error(post(client, signed, name="lon.pdf"), _too_large_message(signed, "lon.pdf"))


def _too_large_message(content: bytes, name: str) -> str:
    from decimal import ROUND_CEILING

    from egov.core.uploads import size_text

    return f"Tệp &#x27;{name}&#x27; quá lớn ({size_text(len(content), ROUND_CEILING)}); tối đa 1 KB."


def test_no_file_is_a_field_error(client):
    response = client.post(URL, {})

    assert_field_error(response, "Hãy chọn tệp PDF cần kiểm tra.")


def test_a_broken_pdf_is_a_field_error(client, pki_dir):
    assert_field_error(post(client, b"%PDF-1.7\nnot really a pdf"), "Tệp không phải là tệp PDF hợp lệ.")


def test_the_check_is_rate_limited_per_address_with_a_vietnamese_429(client, settings, pki_dir, small_pdf):
    settings.EGOV_VERIFY_RATE = "2/min"

    statuses = [post(client, small_pdf).status_code for _ in range(2)]
    third = post(client, small_pdf)

    assert statuses == [422, 422]  # refused files count too
    assert third.status_code == 429
    html = main_of(third)
    assert "Bạn kiểm tra quá nhiều tệp trong thời gian ngắn. Vui lòng thử lại sau ít phút." in html
    assert "Tệp PDF không có chữ ký số nào." not in html  # the file was not looked at
    assert client.get(URL).status_code == 200  # viewing the form is not counted
    assert post(client, small_pdf, REMOTE_ADDR="10.0.0.9").status_code == 422  # another address


def test_nothing_is_stored(client, signed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    assert post(client, signed).status_code == 200

    assert not (tmp_path / "media").exists()
