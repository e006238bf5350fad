"""Outgoing documents through their services: drafting from the template and from files, review and
approval as data, the signer's token signature, numbering and issue, recall and replacement, and
every bad input of the issue refused with nothing signed, numbered or half-written."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.core import numbering
from egov.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from egov.documents import services
from egov.documents.errors import AlreadyIssued, ConversionUnavailableError, NotSigned, NotTheSigner, SecretRelease
from egov.documents.models import (
    DocumentVersion,
    ExchangeQueue,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    ReviewStep,
)
from egov.documents.tests.conftest import PIN, doc_type, draft, pdf_bytes, signed, small_pdf
from egov.signing.errors import CertificateRevoked, WrongPin

pytestmark = pytest.mark.django_db


def _trail(document):
    return list(
        ReviewStep.objects.filter(document=document)
        .order_by("at", "pk")
        .values_list("action", "actor__username", "note", "version")
    )


def _year_scope(document, register="outgoing"):
    return {"scope": f"documents.{register}:{document.agency_id}", "period": str(timezone.localdate().year)}


# --- NĐ 30 number and symbol ------------------------------------------------------------------------


def test_symbols_follow_nd30_with_a_leading_zero_below_ten(world):
    qd, cv = doc_type("quyet-dinh"), doc_type("cong-van")
    province, justice, div = world["province"], world["justice"], world["justice_div"]

    assert services.symbol_for(number=15, doc_type=qd, agency=province, drafting_unit=province) == "15/QĐ-UBND"
    assert services.symbol_for(number=5, doc_type=cv, agency=justice, drafting_unit=div) == "05/STP-HCTP"
    assert services.symbol_for(number=123, doc_type=doc_type("to-trinh"), agency=justice, drafting_unit=div) == (
        "123/TTr-STP"
    )


def test_the_document_types_of_appendix_iii_are_loaded_as_data():
    from egov.documents.models import DocumentType

    types = dict(DocumentType.objects.values_list("name", "abbreviation"))
    assert (types["Quyết định"], types["Công văn"], types["Tờ trình"], types["Báo cáo"]) == ("QĐ", "", "TTr", "BC")
    assert (types["Giấy mời"], types["Thông báo"], types["Kế hoạch"], types["Quy định"]) == ("GM", "TB", "KH", "QyĐ")


# --- drafting ----------------------------------------------------------------------------------------


def test_a_draft_from_the_template_is_a_pdf_with_its_boxes_and_a_first_version(world):
    document = draft(world)

    version = document.versions.get()
    assert (document.status, document.agency, document.drafting_unit, document.version_count) == (
        OutgoingStatus.DRAFT,
        world["justice"],
        world["justice_div"],
        1,
    )
    assert pdf_bytes(version.pdf).startswith(b"%PDF")
    assert (version.source, sorted(version.placements)) == ("template", ["date", "number", "seal", "signature"])
    assert list(document.recipients.values_list("organisation__code", flat=True)) == ["H98.102", "H98.301"]
    assert _trail(document) == [("created", "cv.tp", "", 1)]
    assert AuditRecord.objects.filter(action="document.draft", target_id=str(document.pk)).count() == 1


def test_an_uploaded_pdf_becomes_the_draft(world):
    document = draft(world, body="", file_name="du-thao.pdf", file_content=small_pdf("Tờ trình thử nghiệm"))

    version = document.versions.get()
    assert version.source == "pdf"
    assert set(version.placements) >= {"signature", "number", "date", "seal"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("du-thao.pdf", b"%PDF-1.4 not really a pdf", "PDF bị hỏng"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "phải là PDF hoặc DOCX"),
        ("trong.pdf", b"", "rỗng"),
    ],
)
def test_a_file_that_is_not_a_pdf_or_docx_is_refused_naming_the_field_and_nothing_is_written(
    world, name, content, message
):
    with pytest.raises(ValidationFailed) as caught:
        draft(world, body="", file_name=name, file_content=content)

    assert caught.value.errors[0].field == "file"
    assert message in caught.value.errors[0].message
    assert (OutgoingDocument.objects.count(), DocumentVersion.objects.count()) == (0, 0)


def _broken_docx() -> bytes:
    """A ZIP with the part that makes it a DOCX but content LibreOffice cannot read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<<< not xml")
    return buffer.getvalue()


def test_a_docx_that_cannot_be_converted_is_refused_with_a_clear_message(world):
    with pytest.raises(ValidationFailed) as caught:
        draft(world, body="", file_name="du-thao.docx", file_content=_broken_docx())

    assert caught.value.errors[0].field == "file"
    assert "sang PDF" in caught.value.errors[0].message
    assert OutgoingDocument.objects.count() == 0


def test_without_libreoffice_a_docx_is_refused_with_a_message_that_says_so(world, settings):
    settings.EGOV_SOFFICE = "/nonexistent/soffice"

    with pytest.raises(ConversionUnavailableError) as caught:
        draft(world, body="", file_name="du-thao.docx", file_content=_broken_docx())

    assert (caught.value.status, caught.value.field) == (422, "file")
    assert "LibreOffice" in caught.value.message
    assert OutgoingDocument.objects.count() == 0


def test_bad_metadata_is_refused_field_by_field(world):
    with pytest.raises(ValidationFailed) as caught:
        draft(
            world,
            subject="  ",
            signer=world["specialist"],
            signer_authority="XX.",
            urgency="rat_khan",
            external_recipients=["Bộ Tư pháp", " "],
        )

    assert sorted(e.field for e in caught.value.errors) == [
        "external_recipients.1",
        "signer",
        "signer_authority",
        "subject",
        "urgency",
    ]


# --- review and approval -----------------------------------------------------------------------------


def test_the_unit_head_returns_with_a_note_and_the_revised_draft_goes_through(world):
    document = draft(world)
    services.submit(by=world["specialist"], document=document)
    with pytest.raises(ValidationFailed) as caught:
        services.return_(by=world["head"], document=document, note=" ")
    assert caught.value.errors[0].field == "note"

    services.return_(by=world["head"], document=document, note="Bổ sung căn cứ pháp lý.")
    services.add_version(by=world["specialist"], document=document, body=BODY_V2, note="Đã bổ sung căn cứ")
    services.comment(by=world["head"], document=document, text="Được.")
    services.submit(by=world["specialist"], document=document)
    services.approve(by=world["head"], document=document)
    document.refresh_from_db()
    assert (document.status, document.awaiting_permission, document.awaiting_unit) == (
        OutgoingStatus.UNDER_REVIEW,
        "document.sign",
        world["justice"],
    )
    services.approve(by=world["leader"], document=document)

    document.refresh_from_db()
    assert document.status == OutgoingStatus.APPROVED
    assert _trail(document) == [
        ("created", "cv.tp", "", 1),
        ("submitted", "cv.tp", "", 1),
        ("returned", "tp.tp", "Bổ sung căn cứ pháp lý.", 1),
        ("revised", "cv.tp", "Đã bổ sung căn cứ", 2),
        ("commented", "tp.tp", "Được.", 2),
        ("submitted", "cv.tp", "", 2),
        ("approved", "tp.tp", "", 2),
        ("approved", "gd.tp", "", 2),
    ]
    assert list(document.versions.values_list("number", flat=True)) == [1, 2]
    assert document.versions.get(number=2).comments.get().text == "Được."


BODY_V2 = (
    "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024;\n\n"
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;\n\n"
    "Điều 1. Ban hành Quy chế công tác văn thư của Sở Tư pháp.\n\n"
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."
)


def test_only_the_stage_that_is_awaited_may_approve(world):
    """The unit head's stage is open to holders of document.review over the drafting unit (the policy's
    subtree rule also lets the agency's leader act there); nobody else."""
    document = draft(world)
    services.submit(by=world["specialist"], document=document)

    for outsider in (world["specialist"], world["fin_leader"], world["clerk"], world["fin_head"]):
        with pytest.raises(PermissionDenied):
            services.approve(by=outsider, document=document)
    document.refresh_from_db()
    assert (document.status, document.stage) == (OutgoingStatus.UNDER_REVIEW, 1)


def test_an_approval_flow_per_agency_is_data(world):
    from egov.documents.models import ApprovalFlow, ApprovalStage

    flow = ApprovalFlow.objects.create(agency=world["justice"], name="Lãnh đạo ký trực tiếp")
    ApprovalStage.objects.create(flow=flow, order=1, name="Giám đốc duyệt, ký", permission="document.sign", at="agency")
    document = draft(world)

    services.submit(by=world["specialist"], document=document)
    document.refresh_from_db()

    assert (document.awaiting_permission, document.awaiting_unit) == ("document.sign", world["justice"])
    with pytest.raises(PermissionDenied):
        services.approve(by=world["head"], document=document)


# --- signing and issue -------------------------------------------------------------------------------


def test_the_leader_signs_with_the_token_and_the_clerk_issues_with_number_seal_and_release(world, token):
    document = signed(world, external_recipients=["Bộ Tư pháp"])
    assert document.status == OutgoingStatus.SIGNED
    with pytest.raises(AlreadyIssued):
        services.issue(by=world["clerk"], document=services.issue(by=world["clerk"], document=document))

    document.refresh_from_db()
    year = timezone.localdate().year
    assert (document.status, document.number, document.symbol, document.year) == (
        OutgoingStatus.ISSUED,
        1,
        "01/QĐ-STP",
        year,
    )
    assert numbering.current(**_year_scope(document)) == 1  # the refused second issue took nothing
    issued = pdf_bytes(document.pdf)
    from egov.signing.services import validate_pdf

    reports = validate_pdf(issued)
    assert len(reports) == 2
    assert all(r.intact and r.valid and r.trusted for r in reports)
    deliveries = IncomingDocument.objects.filter(outgoing=document).order_by("agency__code")
    assert [(d.agency.code, d.status, d.symbol, d.pdf.name) for d in deliveries] == [
        ("H98.102", IncomingStatus.RECEIVED, "01/QĐ-STP", document.pdf.name),
        ("H98.301", IncomingStatus.RECEIVED, "01/QĐ-STP", document.pdf.name),
    ]
    assert list(ExchangeQueue.objects.values_list("recipient", "status")) == [("Bộ Tư pháp", "pending")]


def test_a_wrong_pin_signs_nothing(world, token):
    document = draft(world)
    services.submit(by=world["specialist"], document=document)
    services.approve(by=world["head"], document=document)

    with pytest.raises(WrongPin) as caught:
        services.sign(by=world["leader"], document=document, pin="000000")

    assert caught.value.status == 422
    document.refresh_from_db()
    assert (document.status, document.signed_pdf.name, document.signed_at) == (
        OutgoingStatus.UNDER_REVIEW,
        "",
        None,
    )
    assert ReviewStep.objects.filter(document=document, action__in=["signed", "approved"]).count() == 1


def test_a_revoked_certificate_signs_nothing(world, token):
    from egov.signing.officers import revoke_officer_credential

    revoke_officer_credential(by=None, credential=token, reason="Mất token")
    document = draft(world)
    services.submit(by=world["specialist"], document=document)
    services.approve(by=world["head"], document=document)

    with pytest.raises(CertificateRevoked):
        services.sign(by=world["leader"], document=document, pin=PIN)
    document.refresh_from_db()
    assert (document.status, document.signed_pdf.name) == (OutgoingStatus.UNDER_REVIEW, "")


def test_only_the_named_signer_signs(world, token):
    document = draft(world)
    services.submit(by=world["specialist"], document=document)
    services.approve(by=world["head"], document=document)

    with pytest.raises(NotTheSigner):
        services.sign(by=world["fin_leader"], document=document, pin=PIN)


def test_issuing_a_document_its_signer_has_not_signed_is_refused_and_takes_no_number(world):
    document = draft(world)
    services.submit(by=world["specialist"], document=document)
    services.approve(by=world["head"], document=document)
    services.approve(by=world["leader"], document=document)

    with pytest.raises(NotSigned) as caught:
        services.issue(by=world["clerk"], document=document)

    assert caught.value.message.startswith("Văn bản chưa được người có thẩm quyền ký số")
    document.refresh_from_db()
    assert (document.status, document.number, document.pdf.name) == (OutgoingStatus.APPROVED, None, "")
    assert numbering.current(**_year_scope(document)) == 0
    assert IncomingDocument.objects.count() == 0


def test_a_secret_document_addressed_outside_is_refused_with_the_reason(world, token):
    document = signed(world, secrecy="mat", external_recipients=["Bộ Công an"])

    with pytest.raises(SecretRelease) as caught:
        services.issue(by=world["clerk"], document=document, electronic=False)

    assert caught.value.field == "external_recipients"
    assert "Bộ Công an" in caught.value.message
    document.refresh_from_db()
    assert (document.status, document.number) == (OutgoingStatus.SIGNED, None)
    assert numbering.current(**_year_scope(document, "outgoing_secret")) == 0
    assert (IncomingDocument.objects.count(), ExchangeQueue.objects.count()) == (0, 0)


def test_a_secret_document_is_never_released_electronically_but_issues_on_paper_in_its_own_series(world, token):
    document = signed(world, secrecy="mat")
    with pytest.raises(SecretRelease) as caught:
        services.issue(by=world["clerk"], document=document)
    assert caught.value.field == "electronic"

    services.issue(by=world["clerk"], document=document, electronic=False)

    document.refresh_from_db()
    assert (document.register, document.number, document.released_electronically) == ("outgoing_secret", 1, False)
    assert numbering.current(**_year_scope(document)) == 0  # the ordinary series is untouched
    assert IncomingDocument.objects.count() == 0


def test_a_cong_van_is_numbered_issuer_dash_drafting_unit(world, token):
    document = signed(
        world, type_code="cong-van", subject="V/v góp ý dự thảo Quy chế", body="Sở Tư pháp đề nghị góp ý."
    )
    services.issue(by=world["clerk"], document=document)

    document.refresh_from_db()
    assert document.symbol == "01/STP-HCTP"


def test_recall_marks_the_recipients_copies_recalled_and_replace_names_the_successor(world, token):
    first = signed(world)
    services.issue(by=world["clerk"], document=first)
    with pytest.raises(ValidationFailed):
        services.recall(by=world["clerk"], document=first, reason="")
    second = signed(world, subject="Ban hành Quy chế công tác văn thư (thay thế)")
    services.issue(by=world["clerk"], document=second)

    services.replace(by=world["clerk"], document=first, replacement=second, reason="Sai căn cứ")

    first.refresh_from_db()
    assert (first.status, first.replaced_by, first.recall_reason) == (OutgoingStatus.REPLACED, second, "Sai căn cứ")
    assert set(IncomingDocument.objects.filter(outgoing=first).values_list("status", flat=True)) == {"recalled"}
    services.recall(by=world["leader"], document=second, reason="Không còn phù hợp")
    second.refresh_from_db()
    assert second.status == OutgoingStatus.RECALLED
    with pytest.raises(InvalidTransition):
        services.recall(by=world["clerk"], document=second, reason="Lần nữa")


def test_numbers_are_consecutive_in_the_year_without_gaps_across_refusals(world, token):
    docs = [signed(world, subject=f"Văn bản {i}") for i in range(3)]
    unsigned = draft(world, subject="Chưa ký")
    for document in docs[:2]:
        services.issue(by=world["clerk"], document=document)
    with pytest.raises(NotSigned):
        services.issue(by=world["clerk"], document=unsigned)
    services.issue(by=world["clerk"], document=docs[2])

    assert sorted(OutgoingDocument.objects.exclude(number=None).values_list("symbol", flat=True)) == [
        "01/QĐ-STP",
        "02/QĐ-STP",
        "03/QĐ-STP",
    ]


def test_answer_due_and_in_reply_to_are_kept(world):
    document = draft(world, answer_due=date(2030, 1, 10))
    assert document.answer_due == date(2030, 1, 10)
