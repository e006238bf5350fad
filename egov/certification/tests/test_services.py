"""Certifying electronic copies: signature, register number, fee, the applicant's store; bad input
refused with the field named and nothing written; who may certify."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest

from egov.certification import services
from egov.certification.models import CertifiedCopy, RegisterCounter
from egov.certification.tests.conftest import NOON, pdf, png
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.portal.models import PersonalDocument

PDFTOTEXT = shutil.which("pdftotext") or ("/usr/bin/pdftotext" if os.path.exists("/usr/bin/pdftotext") else None)


def certify(
    place,
    *,
    by=None,
    unit=None,
    identity="037190000123",
    name="Giấy khai sinh",
    content=None,
    fee=5000,
    file_name="giay-khai-sinh.pdf",
):
    return services.certify_copy(
        by=by or place["officer"],
        unit=unit or place["desk"],
        applicant_identity=identity,
        document_name=name,
        original=services.OriginalScan(name=file_name, content=pdf(3) if content is None else content),
        fee_collected=fee,
    )


@pytest.mark.parametrize(("pages", "fee"), [(1, 2000), (2, 4000), (3, 5000), (10, 12000), (198, 200000), (400, 200000)])
def test_the_fee_is_2000_a_page_for_two_pages_then_1000_at_most_200000(pages, fee):
    assert services.fee_for(pages) == fee


def test_a_certified_copy_is_signed_by_the_commune_numbered_and_lands_in_the_applicant_store(place):
    from egov.portal.services import resolve_reuse
    from egov.signing.services import validate_pdf

    copy = certify(place)

    assert (copy.agency, copy.unit, copy.year, copy.number, copy.book, copy.pages, copy.fee_amount) == (
        place["commune"],
        place["desk"],
        2027,
        1,
        "2027-SCT/BS",
        3,
        5000,
    )
    assert (copy.applicant, copy.applicant_name, copy.certified_by, copy.certified_at) == (
        place["citizen"],
        "Nguyễn Thị Hồng",
        place["officer"],
        NOON,
    )
    signed = copy.pdf.read()
    (report,) = validate_pdf(signed)
    assert (report.intact, report.valid, report.trusted, report.signer_identifier, report.reason) == (
        True,
        True,
        True,
        "H98.301",
        "Chứng thực bản sao đúng với bản chính",
    )
    stored = PersonalDocument.objects.get(owner=place["citizen"])
    assert (stored.pk, stored.source, stored.name, stored.dossier_code, stored.sha256) == (
        copy.personal_document_id,
        "certified",
        "Giấy khai sinh (bản sao chứng thực số 1/2027-SCT/BS)",
        "",
        copy.sha256,
    )
    # Reused in a later dossier exactly as signed.
    reused = resolve_reuse(place["citizen"], f"document:{stored.pk}", field="components.0.files")
    assert (reused.content, reused.reused_from) == (signed, f"document:{stored.pk}")
    assert RegisterCounter.objects.get(agency=place["commune"], year=2027).last == 1


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_stamp_says_certified_true_copy_with_number_date_and_officer():
    from egov.signing import pades

    stamp = pades.Stamp(
        signer_name="UBND xã Thử Nghiệm",
        lines=("Chứng thực bản sao đúng với bản chính", "Số chứng thực: 7, quyển số: 2027-SCT/BS", "Ngày 01/03/2027"),
        height_mm=21,
        width_mm=80,
    )
    rendered = pades.render_stamp(stamp, signing_time=NOON)
    text = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=rendered, capture_output=True, check=True)
    assert " ".join(text.stdout.decode().split()) == (
        "Chứng thực bản sao đúng với bản chính Số chứng thực: 7, quyển số: 2027-SCT/BS Ngày 01/03/2027 "
        "Ký bởi: UBND xã Thử Nghiệm Thời gian ký: 2027-03-01T10:00:00+07:00"
    )


def test_numbers_follow_each_other_per_agency_and_an_image_is_one_page(place):
    first = certify(place)
    second = certify(place, content=png(), file_name="so-ho-khau.png", name="Sổ hộ khẩu", fee=2000)
    at_justice = certify(
        place, by=place["justice_officer"], unit=place["justice_div"], content=pdf(1), fee=2000, identity="037190000456"
    )

    assert [(c.agency.code, c.number, c.pages, c.fee_amount) for c in (first, second, at_justice)] == [
        ("H98.301", 1, 3, 5000),
        ("H98.301", 2, 1, 2000),
        ("H98.101", 1, 1, 2000),
    ]
    from egov.signing.services import validate_pdf

    (report,) = validate_pdf(second.pdf.read())
    assert (report.ok, report.signer_identifier) == (True, "H98.301")


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"identity": ""},
            [("applicant_identity", "Cần nhập số định danh cá nhân của người yêu cầu chứng thực.")],
        ),
        (
            {"identity": "001099000001"},
            [
                (
                    "applicant_identity",
                    "Không có tài khoản công dân nào có số định danh 001099000001: người yêu cầu cần có tài khoản "
                    "để nhận bản sao điện tử vào kho dữ liệu.",
                )
            ],
        ),
        ({"name": "  "}, [("document_name", "Cần ghi tên giấy tờ, văn bản được chứng thực.")]),
        ({"content": b""}, [("original", "Cần tải lên bản chụp (scan) của bản chính.")]),
        (
            {"content": b"Day khong phai tep PDF", "file_name": "ban-chinh.pdf"},
            [
                (
                    "original",
                    "Tệp 'ban-chinh.pdf' không phải PDF, JPEG, PNG, DOCX, XLSX (nhận dạng theo nội dung tệp).",
                )
            ],
        ),
        ({"fee": "hai nghìn"}, [("fee", "Phí chứng thực phải là số tiền (đồng), ví dụ 2000.")]),
        (
            {"fee": 6000},
            [("fee", "Phí chứng thực bản sao 3 trang là 5.000 đồng (TT 226/2016/TT-BTC), không phải 6.000 đồng.")],
        ),
        (
            {"identity": "", "name": "", "fee": 1},
            [
                ("applicant_identity", "Cần nhập số định danh cá nhân của người yêu cầu chứng thực."),
                ("document_name", "Cần ghi tên giấy tờ, văn bản được chứng thực."),
                ("fee", "Phí chứng thực bản sao 3 trang là 5.000 đồng (TT 226/2016/TT-BTC), không phải 1 đồng."),
            ],
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(place, overrides, errors):
    with pytest.raises(ValidationFailed) as caught:
        certify(place, **overrides)

    assert [(e.field, e.message) for e in caught.value.errors] == errors
    assert (CertifiedCopy.objects.count(), RegisterCounter.objects.count(), PersonalDocument.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_word_document_is_not_a_scan_of_an_original(place):
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    with pytest.raises(ValidationFailed) as caught:
        certify(place, content=out.getvalue(), file_name="bang-diem.xlsx")
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("original", "Bản chụp bản chính phải là tệp PDF hoặc ảnh JPEG, PNG.")
    ]


@pytest.mark.parametrize(
    ("who", "unit", "allowed"),
    [
        ("officer", "desk", True),  # the commune's one-stop unit
        ("specialist", "division", True),  # the commune's justice officer
        ("justice_officer", "justice_div", True),  # the justice office, its own unit
        ("officer", "justice_div", False),  # another agency's unit
        ("justice_officer", "desk", False),
        ("clerk", "desk", False),  # a clerk does not certify
        ("citizen", "desk", False),
        ("leader", "desk", False),  # approves dossiers, does not certify at the counter
    ],
)
def test_who_may_certify_where(place, make_officer, who, unit, allowed):
    people = {
        "specialist": lambda: make_officer("specialist", place["division"], username="chuyenvien.xa"),
        "leader": lambda: make_officer("agency_leader", place["commune"], username="lanhdao.xa"),
    }
    by = people[who]() if who in people else place[who]
    if allowed:
        assert certify(place, by=by, unit=place[unit]).number == 1
        return
    with pytest.raises(PermissionDenied):
        certify(place, by=by, unit=place[unit])
    assert (CertifiedCopy.objects.count(), RegisterCounter.objects.count(), PersonalDocument.objects.count()) == (
        0,
        0,
        0,
    )


def test_the_certified_copy_is_reused_in_a_later_online_dossier_as_signed(place, request):
    from egov.dossiers.models import DossierFile
    from egov.dossiers.services import ComponentInput, UploadInput
    from egov.portal import services as portal
    from egov.portal.tests.conftest import applicant
    from egov.portal.tests.conftest import pdf as small_pdf

    world = request.getfixturevalue("world")
    copy = certify(place)
    components = list(world["procedure"].components.order_by("order", "pk"))
    reused = portal.resolve_reuse(place["citizen"], f"document:{copy.personal_document_id}", field="x")

    dossier, created = portal.submit(
        by=place["citizen"],
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(name="Nguyễn Thị Hồng", identity="037190000123"),
        data={"matter": "Chứng thực hợp đồng mua bán xe máy"},
        components=[
            ComponentInput(components[0].pk, True, (UploadInput("hop-dong.pdf", small_pdf("hd")),)),
            ComponentInput(components[1].pk, True, (reused,)),
        ],
        idempotency_key="ban-sao-chung-thuc-01",
    )

    stored = DossierFile.objects.get(component__dossier=dossier, component__procedure_component=components[1])
    assert (created, stored.reused, stored.reused_from, stored.sha256) == (
        True,
        True,
        f"document:{copy.personal_document_id}",
        copy.sha256,
    )
