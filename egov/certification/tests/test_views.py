"""The officer's certification page, the register (page and Excel) and who may open a copy."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.certification.models import CertifiedCopy
from egov.certification.tests.conftest import pdf
from egov.certification.tests.test_services import certify

URL = "/can-bo/chung-thuc/"


def test_the_officer_certifies_at_the_counter_and_sees_the_number(client, place):
    client.force_login(place["officer"])

    response = client.post(
        URL,
        {
            "unit": str(place["desk"].pk),
            "applicant_identity": "037190000123",
            "document_name": "Bằng tốt nghiệp trung học phổ thông",
            "fee": "4000",
            "original": SimpleUploadedFile("bang.pdf", pdf(2), content_type="application/pdf"),
        },
    )

    copy = CertifiedCopy.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}?so={copy.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Đã chứng thực: số 1, quyển số 2027-SCT/BS. Bản sao đã được lưu vào kho dữ liệu của Nguyễn Thị Hồng." in page
    assert client.get(f"/can-bo/chung-thuc/{copy.pk}/ban-sao.pdf").status_code == 200


def test_bad_input_on_the_page_is_shown_next_to_each_field(client, place):
    client.force_login(place["officer"])

    response = client.post(
        URL, {"unit": str(place["desk"].pk), "applicant_identity": "", "document_name": "", "fee": "x"}
    )

    assert response.status_code == 422
    text = response.content.decode()
    for message in (
        "Cần nhập số định danh cá nhân của người yêu cầu chứng thực.",
        "Cần ghi tên giấy tờ, văn bản được chứng thực.",
        "Cần tải lên bản chụp (scan) của bản chính.",
        "Phí chứng thực phải là số tiền (đồng), ví dụ 2000.",
    ):
        assert text.count(message) == 2  # in the summary and next to the field
    assert CertifiedCopy.objects.count() == 0


@pytest.mark.parametrize("who", ["clerk", "citizen"])
def test_who_does_not_certify_gets_no_page(client, place, who):
    client.force_login(place[who])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"applicant_identity": "037190000123"}).status_code == 403
    assert CertifiedCopy.objects.count() == 0


def test_the_register_lists_the_agency_copies_and_downloads_as_excel(client, place, django_assert_max_num_queries):
    from openpyxl import load_workbook

    certify(place)
    certify(place, name="Sổ hộ khẩu", content=pdf(1), fee=2000, identity="037190000456")
    certify(place, by=place["justice_officer"], unit=place["justice_div"], content=pdf(1), fee=2000)
    client.force_login(place["officer"])

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/can-bo/chung-thuc/so/?nam=2027")
    workbook = client.get("/can-bo/chung-thuc/so/2027.xlsx")

    assert page.status_code == 200
    assert len(queries) <= 8
    text = page.content.decode()
    assert "1/2027-SCT/BS" in text and "2/2027-SCT/BS" in text and "Sở Tư pháp" not in text
    rows = list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ CHỨNG THỰC BẢN SAO ĐIỆN TỬ TỪ BẢN CHÍNH NĂM 2027"
    assert rows[2:] == [
        (
            1,
            "2027-SCT/BS",
            "01/03/2027 10:00",
            "Nguyễn Thị Hồng",
            "037190000123",
            "Giấy khai sinh",
            3,
            5000,
            "Cán bộ 1",
            "UBND xã Thử Nghiệm",
        ),
        (
            2,
            "2027-SCT/BS",
            "01/03/2027 10:00",
            "Lê Văn Phúc",
            "037190000456",
            "Sổ hộ khẩu",
            1,
            2000,
            "Cán bộ 1",
            "UBND xã Thử Nghiệm",
        ),
    ]


def test_the_register_page_takes_a_constant_number_of_queries(client, place):
    client.force_login(place["officer"])
    certify(place)
    client.get("/can-bo/chung-thuc/so/?nam=2027")  # the first request after signing in updates the session
    with CaptureQueriesContext(connection) as one:
        client.get("/can-bo/chung-thuc/so/?nam=2027")
    for i in range(4):
        certify(place, name=f"Giấy tờ {i}", content=pdf(1), fee=2000)
    with CaptureQueriesContext(connection) as five:
        client.get("/can-bo/chung-thuc/so/?nam=2027")
    assert len(five) == len(one)


def test_a_copy_is_opened_by_its_applicant_and_the_agency_only(client, place):
    copy = certify(place)
    url = f"/can-bo/chung-thuc/{copy.pk}/ban-sao.pdf"
    statuses = {}
    for who in ("citizen", "officer", "other_citizen", "justice_officer"):
        client.force_login(place[who])
        statuses[who] = client.get(url).status_code
    assert statuses == {"citizen": 200, "officer": 200, "other_citizen": 404, "justice_officer": 404}
