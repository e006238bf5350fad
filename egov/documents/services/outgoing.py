"""Outgoing documents (văn bản đi): draft, versions, comments, review and approval, the signer's own
signature, numbering and issue by the clerk, recall and replacement.

Every function is keyword-only, atomic, checked by the policy and audited. A refusal raises a typed
error before anything is written; the number is allocated inside the issue transaction after every
check has passed, so a refused issue spends no number (NĐ 30/2020: never reused, never skipped).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.core import numbering
from egov.core.errors import FieldError, InvalidTransition, PermissionDenied, ValidationFailed
from egov.core.uploads import check_upload
from egov.documents import selectors
from egov.documents.errors import (
    AlreadyIssued,
    ConversionUnavailableError,
    MissingAbbreviation,
    NotSigned,
    NotTheSigner,
    SecretRelease,
)
from egov.documents.models import (
    ISSUED_STATUSES,
    ApprovalFlow,
    ApprovalStage,
    Authority,
    DocumentType,
    DocumentVersion,
    ExchangeQueue,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
    OutgoingStatus,
    RegisterKind,
    ReviewStep,
    Secrecy,
    Urgency,
    VersionComment,
)
from egov.documents.services.common import agency_of, clean_text, not_found, required_text, store_pdf
from egov.organisations.models import Organisation

__all__ = [
    "DOCX",
    "PDF",
    "stages_of",
    "create_draft",
    "add_version",
    "comment",
    "submit",
    "approve",
    "return_",
    "sign",
    "issue",
    "recall",
    "replace",
    "symbol_for",
    "date_text",
]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
S = OutgoingStatus


# --------------------------------------------------------------------------------------------------
# The approval flow (data)
# --------------------------------------------------------------------------------------------------


def stages_of(agency: Organisation) -> list[ApprovalStage]:
    """The agency's review stages, else the platform default (documents/0002)."""
    flow = ApprovalFlow.objects.filter(agency=agency).first() or ApprovalFlow.objects.filter(agency=None).first()
    return list(flow.stages.order_by("order")) if flow is not None else []


def _stage_unit(document: OutgoingDocument, stage: ApprovalStage) -> Organisation:
    return document.drafting_unit if stage.at == ApprovalStage.At.DRAFTING_UNIT else document.agency


def _await(document: OutgoingDocument, stages: list[ApprovalStage], index: int) -> None:
    """Point the document at stage ``index`` (1-based) or, past the last, mark it approved."""
    if index > len(stages):
        document.status = S.APPROVED
        document.stage = len(stages)
        document.awaiting_permission = ""
        document.awaiting_unit = None
        return
    stage = stages[index - 1]
    document.status = S.UNDER_REVIEW
    document.stage = index
    document.awaiting_permission = stage.permission
    document.awaiting_unit = _stage_unit(document, stage)


def _trail(document, *, by, action, note: str = "", version: int | None = None) -> ReviewStep:
    # Search index (h-pages): every change of an outgoing document leaves a trail line, so this is
    # the one place that asks for its reindex, after the transaction commits.
    from egov.documents import search

    search.schedule_reindex(search.OUTGOING, document.pk)
    return ReviewStep.objects.create(
        document=document,
        actor=by,
        at=timezone.now(),
        action=action,
        note=note,
        version=version if version is not None else document.version_count,
        stage=document.stage,
    )


def _locked(document: OutgoingDocument) -> OutgoingDocument:
    try:
        return (
            OutgoingDocument.objects.select_for_update(of=("self",))
            .select_related("agency", "drafting_unit", "doc_type", "awaiting_unit")
            .get(pk=document.pk)
        )
    except OutgoingDocument.DoesNotExist:
        raise not_found() from None


def _transition_error(document: OutgoingDocument, action: str) -> InvalidTransition:
    return InvalidTransition(
        f"Không thể {action} văn bản đang ở trạng thái “{document.get_status_display()}”.",
        details={"current_status": document.status},
    )


def _require_drafter(by, document: OutgoingDocument) -> None:
    if by is not None and by.pk != document.drafter_id:
        policy.require(by, "document.draft", document.drafting_unit)


# --------------------------------------------------------------------------------------------------
# The draft's PDF: from the template or an uploaded DOCX/PDF
# --------------------------------------------------------------------------------------------------


def symbol_suffix(*, doc_type: DocumentType, agency: Organisation, drafting_unit: Organisation) -> str:
    """``QĐ-UBND`` for a typed document, ``UBND-VX`` for a công văn (NĐ 30/2020 Phụ lục I)."""
    if doc_type.is_cong_van:
        return f"{agency.abbreviation}-{drafting_unit.abbreviation}"
    return f"{doc_type.abbreviation}-{agency.abbreviation}"


def symbol_for(*, number: int, doc_type: DocumentType, agency: Organisation, drafting_unit: Organisation) -> str:
    """``15/QĐ-UBND``, ``05/UBND-VX``: numbers below 10 get a leading zero."""
    return f"{number:02d}/{symbol_suffix(doc_type=doc_type, agency=agency, drafting_unit=drafting_unit)}"


def date_text(place: str, day: date) -> str:
    """``Sơn Nam, ngày 05 tháng 12 năm 2026`` (NĐ 30/2020 Phụ lục I, mục II.4)."""
    from egov.documents import rendering

    return rendering.date_line(place, day)


# The document types with a drafting template and the renderer's template codes.
TEMPLATE_CODES = {
    "quyet-dinh": "QD",
    "cong-van": "CV",
    "to-trinh": "TTr",
    "bao-cao": "BC",
    "giay-moi": "GM",
    "thong-bao": "TB",
}


def _parent_name(agency: Organisation) -> str:
    if agency.depth <= 1:
        return ""
    parent = Organisation.objects.filter(path=agency.path[: -Organisation.steplen]).first()
    return parent.name if parent is not None else ""


def _render(document: OutgoingDocument, *, body: str, recipients: list[str]):
    from egov.documents import rendering

    signer_name = document.signer.get_full_name() if document.signer_id else ""
    template = TEMPLATE_CODES[document.doc_type.code]
    authority = ""
    if template == "QD":
        # Who decides: the collective body (TM.) or the head by title ("GIÁM ĐỐC SỞ TƯ PHÁP").
        authority = (
            document.agency.name
            if document.signer_authority == "TM."
            else f"{document.signer_title} {document.agency.name}"
        )
    content = rendering.DraftContent(
        type_code=template,
        type_name="" if template == "CV" else document.doc_type.name,
        issuer_parent=_parent_name(document.agency),
        issuer_name=document.agency.name,
        symbol_suffix=symbol_suffix(
            doc_type=document.doc_type, agency=document.agency, drafting_unit=document.drafting_unit
        ),
        place=document.place,
        subject=document.subject,
        body=body,
        recipients=recipients,
        signer_authority=document.signer_authority,
        signer_title=document.signer_title,
        signer_name=signer_name,
        urgency=document.get_urgency_display() if document.urgency else "",
        secrecy=document.get_secrecy_display() if document.secrecy else "",
        year=timezone.localdate().year,
        addressees=recipients if template in ("CV", "TTr") else (),
        issuing_authority=authority.upper(),
    )
    return rendering.render_draft(content)


def _placements_json(placements) -> dict:
    result = {}
    for name in ("number", "date", "signature", "seal"):
        value = getattr(placements, name, None)
        if value is not None:
            result[name] = value.as_json()
    return result


def _pdf_from_upload(*, file_name: str, file_content: bytes) -> tuple[bytes, str]:
    """The uploaded draft as a PDF, and its source (``pdf`` or ``docx``)."""
    from egov.documents import rendering

    checked = check_upload(field="file", name=file_name, content=file_content)
    if isinstance(checked, FieldError):
        raise ValidationFailed(checked)
    if checked.content_type == PDF:
        return checked.content, "pdf"
    if checked.content_type == DOCX:
        try:
            return rendering.docx_to_pdf(checked.content), "docx"
        except rendering.ConversionUnavailable as exc:
            raise ConversionUnavailableError(field="file") from exc
        except rendering.ConversionFailed as exc:
            raise ValidationFailed.field(
                "file", f"Không chuyển được tệp '{checked.name}' sang PDF (tệp DOCX hỏng hoặc không đọc được)."
            ) from exc
    raise ValidationFailed.field("file", f"Tệp dự thảo '{checked.name}' phải là PDF hoặc DOCX.")


def _new_version(
    document: OutgoingDocument,
    *,
    by,
    body: str,
    file_name: str,
    file_content: bytes | None,
    note: str,
) -> DocumentVersion:
    from egov.documents import rendering

    recipients = [r.organisation.name for r in document.recipients.select_related("organisation")]
    recipients += list(document.external_recipients)
    if file_content is not None:
        pdf, source = _pdf_from_upload(file_name=file_name, file_content=file_content)
        try:
            placements = rendering.placements_for_upload(pdf)
            pages = rendering.page_count(pdf)
            text = rendering.pdf_text(pdf)
        except rendering.InvalidPdf as exc:
            raise ValidationFailed.field("file", "Tệp dự thảo không phải là PDF hợp lệ.") from exc
        except rendering.PdfTextUnavailable:
            text = ""
    else:
        errors: list[FieldError] = []
        if not body.strip():
            errors.append(FieldError("body", "Nội dung văn bản không được để trống (hoặc tải lên tệp DOCX, PDF)."))
        if document.doc_type.code not in TEMPLATE_CODES:
            errors.append(
                FieldError("file", f"{document.doc_type.name} chưa có mẫu soạn thảo; hãy tải lên tệp DOCX hoặc PDF.")
            )
        if document.signer_id is None:
            errors.append(FieldError("signer", "Cần chọn người ký để trình bày văn bản theo mẫu."))
        if not document.signer_title:
            errors.append(FieldError("signer_title", "Cần ghi chức vụ người ký."))
        if not document.place:
            errors.append(FieldError("place", "Cần ghi địa danh (nơi ban hành) của văn bản."))
        if errors:
            raise ValidationFailed(errors)
        rendered = _render(document, body=body, recipients=recipients)
        pdf, placements, pages, source, text = rendered.pdf, rendered.placements, rendered.pages, "template", body
    document.version_count += 1
    version = DocumentVersion(
        document=document,
        number=document.version_count,
        body=body if source == "template" else text,
        metadata={
            "subject": document.subject,
            "doc_type": document.doc_type.code,
            "signer": document.signer_id,
            "signer_title": document.signer_title,
            "signer_authority": document.signer_authority,
            "recipients": recipients,
            "urgency": document.urgency,
            "secrecy": document.secrecy,
        },
        pages=pages,
        placements=_placements_json(placements),
        source=source,
        note=note,
        author=by,
    )
    version.pdf_sha256 = store_pdf(version.pdf, pdf)
    version.save()
    document.pages = pages
    document.text = text
    document.save()
    return version


# --------------------------------------------------------------------------------------------------
# Drafting
# --------------------------------------------------------------------------------------------------


def _check_metadata(
    *,
    errors: list[FieldError],
    agency: Organisation,
    signer,
    signer_authority: str,
    recipients: Sequence[Organisation],
    external_recipients: Sequence[str],
    urgency: str,
    secrecy: str,
    in_reply_to: IncomingDocument | None,
    by,
) -> list[str]:
    if signer_authority not in Authority.values:
        errors.append(FieldError("signer_authority", "Thẩm quyền ký phải là TM., KT., Q., TL., TUQ. hoặc để trống."))
    if urgency not in Urgency.values:
        errors.append(FieldError("urgency", "Độ khẩn phải là khan, thuong_khan, hoa_toc hoặc để trống."))
    if secrecy not in Secrecy.values:
        errors.append(FieldError("secrecy", "Độ mật phải là mat, toi_mat, tuyet_mat hoặc để trống."))
    if signer is not None and not policy.has(signer, "document.sign", agency):
        errors.append(
            FieldError("signer", f"{signer.get_full_name()} không có thẩm quyền ký văn bản của {agency.name}.")
        )
    for index, org in enumerate(recipients):
        if not org.is_agency:
            errors.append(FieldError(f"recipients.{index}", f"{org.name} không phải là một cơ quan nhận văn bản."))
    external = [clean_text(x) for x in external_recipients]
    for index, name in enumerate(external):
        if not name:
            errors.append(FieldError(f"external_recipients.{index}", "Tên nơi nhận không được để trống."))
        elif len(name) > 300:
            errors.append(FieldError(f"external_recipients.{index}", "Tên nơi nhận dài quá 300 ký tự."))
    if in_reply_to is not None:
        if in_reply_to.agency_id != agency.pk:
            errors.append(FieldError("in_reply_to", "Văn bản được trả lời phải là văn bản đến của cơ quan mình."))
        elif not selectors.incoming_visible_to(by).filter(pk=in_reply_to.pk).exists():
            errors.append(FieldError("in_reply_to", "Bạn không xem được văn bản đến này."))
    return external


@transaction.atomic
def create_draft(
    *,
    by,
    drafting_unit: Organisation,
    doc_type: DocumentType,
    subject: str,
    body: str = "",
    file_name: str = "",
    file_content: bytes | None = None,
    signer=None,
    signer_title: str = "",
    signer_authority: str = "",
    recipients: Sequence[Organisation] = (),
    external_recipients: Sequence[str] = (),
    urgency: str = "",
    secrecy: str = "",
    answer_due: date | None = None,
    in_reply_to: IncomingDocument | None = None,
    place: str = "",
) -> OutgoingDocument:
    """A new draft with its first version: the NĐ 30 template filled with ``body``, or an uploaded
    PDF, or a DOCX converted to PDF by LibreOffice."""
    policy.require(by, "document.draft", drafting_unit)
    agency = agency_of(drafting_unit)
    errors: list[FieldError] = []
    subject = required_text(errors, "subject", subject, "Trích yếu", 500)
    if doc_type is None:
        errors.append(FieldError("doc_type", "Cần chọn loại văn bản."))
    elif not doc_type.active:
        errors.append(FieldError("doc_type", f"Loại văn bản {doc_type.name} không còn dùng."))
    external = _check_metadata(
        errors=errors,
        agency=agency,
        signer=signer,
        signer_authority=signer_authority,
        recipients=recipients,
        external_recipients=external_recipients,
        urgency=urgency,
        secrecy=secrecy,
        in_reply_to=in_reply_to,
        by=by,
    )
    if len(clean_text(signer_title)) > 200:
        errors.append(FieldError("signer_title", "Chức vụ người ký dài quá 200 ký tự."))
    if errors:
        raise ValidationFailed(errors)
    document = OutgoingDocument.objects.create(
        agency=agency,
        drafting_unit=drafting_unit,
        doc_type=doc_type,
        subject=subject,
        drafter=by,
        signer=signer,
        signer_title=clean_text(signer_title),
        signer_authority=signer_authority,
        external_recipients=external,
        urgency=urgency,
        secrecy=secrecy,
        answer_due=answer_due,
        in_reply_to=in_reply_to,
        place=clean_text(place) or agency.address.split(",")[-1].strip()[:100],
    )
    seen: set[int] = set()
    for order, org in enumerate(recipients):
        if org.pk not in seen:
            seen.add(org.pk)
            OutgoingRecipient.objects.create(document=document, organisation=org, order=order)
    version = _new_version(document, by=by, body=body, file_name=file_name, file_content=file_content, note="")
    _trail(document, by=by, action=ReviewStep.Action.CREATED, version=version.number)
    audit.record(actor=by, action="document.draft", target=document, after={"subject": subject, "type": doc_type.code})
    return document


@transaction.atomic
def add_version(
    *,
    by,
    document: OutgoingDocument,
    body: str = "",
    file_name: str = "",
    file_content: bytes | None = None,
    subject: str | None = None,
    note: str = "",
) -> DocumentVersion:
    """A revised draft (a new version); the earlier ones stay with their comments."""
    document = _locked(document)
    _require_drafter(by, document)
    if document.status not in (S.DRAFT, S.RETURNED, S.UNDER_REVIEW):
        raise _transition_error(document, "sửa")
    if subject is not None:
        errors: list[FieldError] = []
        document.subject = required_text(errors, "subject", subject, "Trích yếu", 500)
        if errors:
            raise ValidationFailed(errors)
    version = _new_version(
        document, by=by, body=body, file_name=file_name, file_content=file_content, note=clean_text(note)[:1000]
    )
    _trail(document, by=by, action=ReviewStep.Action.REVISED, note=clean_text(note), version=version.number)
    audit.record(actor=by, action="document.revise", target=document, after={"version": version.number})
    return version


@transaction.atomic
def comment(*, by, document: OutgoingDocument, text: str, version: DocumentVersion | None = None) -> VersionComment:
    """A comment on a version (the latest unless named), by anyone who sees the draft."""
    document = _locked(document)
    if not selectors.outgoing_visible_to(by).filter(pk=document.pk).exists():
        raise PermissionDenied("Bạn không có quyền xem văn bản này.")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed.field("text", "Ý kiến không được để trống.")
    if len(text) > 5000:
        raise ValidationFailed.field("text", "Ý kiến dài quá 5000 ký tự.")
    if version is None:
        version = document.versions.order_by("-number").first()
    elif version.document_id != document.pk:
        raise ValidationFailed.field("version", "Phiên bản không thuộc văn bản này.")
    item = VersionComment.objects.create(version=version, author=by, text=text)
    _trail(document, by=by, action=ReviewStep.Action.COMMENTED, note=text, version=version.number)
    return item


# --------------------------------------------------------------------------------------------------
# Review and approval
# --------------------------------------------------------------------------------------------------


@transaction.atomic
def submit(*, by, document: OutgoingDocument, note: str = "") -> OutgoingDocument:
    """The drafter sends the draft to the first review stage."""
    document = _locked(document)
    _require_drafter(by, document)
    if document.status not in (S.DRAFT, S.RETURNED):
        raise _transition_error(document, "trình")
    if document.signer_id is None:
        raise ValidationFailed.field("signer", "Cần chọn người ký trước khi trình duyệt.")
    _await(document, stages_of(document.agency), 1)
    document.save()
    _trail(document, by=by, action=ReviewStep.Action.SUBMITTED, note=clean_text(note))
    audit.record(actor=by, action="document.submit", target=document, after={"stage": document.stage})
    return document


def _require_stage(by, document: OutgoingDocument) -> None:
    if not policy.has(by, document.awaiting_permission, document.awaiting_unit):
        raise PermissionDenied("Văn bản không đang chờ bạn xem xét ở bước này.")


@transaction.atomic
def approve(*, by, document: OutgoingDocument, note: str = "") -> OutgoingDocument:
    """The current stage agrees: the draft moves to the next stage or, after the last, is approved."""
    document = _locked(document)
    if document.status != S.UNDER_REVIEW:
        raise _transition_error(document, "duyệt")
    _require_stage(by, document)
    _trail(document, by=by, action=ReviewStep.Action.APPROVED, note=clean_text(note))
    _await(document, stages_of(document.agency), document.stage + 1)
    document.save()
    audit.record(actor=by, action="document.approve", target=document, after={"status": document.status})
    return document


@transaction.atomic
def return_(*, by, document: OutgoingDocument, note: str) -> OutgoingDocument:
    """The reviewer (or the signer before signing) sends the draft back with a note."""
    document = _locked(document)
    note = (note or "").strip()
    if document.status == S.UNDER_REVIEW:
        _require_stage(by, document)
    elif document.status == S.APPROVED:
        if by is not None and by.pk != document.signer_id:
            raise NotTheSigner("Chỉ người ký mới trả lại được văn bản đã duyệt.")
    else:
        raise _transition_error(document, "trả lại")
    if not note:
        raise ValidationFailed.field("note", "Cần ghi rõ lý do trả lại, nội dung cần sửa.")
    if len(note) > 5000:
        raise ValidationFailed.field("note", "Ý kiến dài quá 5000 ký tự.")
    _trail(document, by=by, action=ReviewStep.Action.RETURNED, note=note)
    document.status = S.RETURNED
    document.stage = 0
    document.awaiting_permission = ""
    document.awaiting_unit = None
    document.save()
    audit.record(actor=by, action="document.return", target=document, after={"note": note})
    return document


# --------------------------------------------------------------------------------------------------
# The signer's own signature
# --------------------------------------------------------------------------------------------------


@transaction.atomic
def sign(*, by, document: OutgoingDocument, pin: str) -> OutgoingDocument:
    """The named signer signs the latest version with their own certificate (token PIN or remote
    service), at the signature box of the layout. Approves first when the draft waits at the
    signing stage ("duyệt và ký"). A wrong PIN or an unusable certificate signs nothing."""
    from egov.signing.officers import sign_as_officer
    from egov.signing.placement import Placement

    document = _locked(document)
    if by is None or by.pk != document.signer_id:
        raise NotTheSigner()
    policy.require(by, "document.sign", document.agency)
    at_signing_stage = (
        document.status == S.UNDER_REVIEW
        and document.awaiting_permission == "document.sign"
        and policy.has(by, "document.sign", document.awaiting_unit)
        and document.stage == len(stages_of(document.agency))
    )
    if document.status != S.APPROVED and not at_signing_stage:
        raise _transition_error(document, "ký")
    version = document.versions.order_by("-number").first()
    if "signature" not in version.placements:
        raise ValidationFailed.field("file", "Dự thảo không có vị trí chữ ký.")
    with version.pdf.open("rb") as handle:
        pdf = handle.read()
    signed = sign_as_officer(
        by=by,
        pdf=pdf,
        pin=pin or "",
        placement=Placement.from_json(version.placements["signature"]),
        reason=f"Ký ban hành: {document.subject}"[:200],
    )
    if at_signing_stage:
        _trail(document, by=by, action=ReviewStep.Action.APPROVED, version=version.number)
    store_pdf(document.signed_pdf, signed)
    document.status = S.SIGNED
    document.signed_at = timezone.now()
    document.signed_version = version.number
    document.awaiting_permission = ""
    document.awaiting_unit = None
    document.save()
    _trail(document, by=by, action=ReviewStep.Action.SIGNED, version=version.number)
    audit.record(actor=by, action="document.sign", target=document, after={"version": version.number})
    return document


# --------------------------------------------------------------------------------------------------
# Issue (phát hành): number, seal, release
# --------------------------------------------------------------------------------------------------


def _register_of(document: OutgoingDocument) -> str:
    return RegisterKind.OUTGOING_SECRET if document.secrecy else RegisterKind.OUTGOING


def _scope(agency: Organisation, register: str) -> str:
    return f"documents.{register}:{agency.pk}"


@transaction.atomic
def issue(*, by, document: OutgoingDocument, electronic: bool = True) -> OutgoingDocument:
    """The clerk numbers, seals and releases a signed document.

    Checks first (signed, not yet numbered, secrecy, abbreviations); then takes the number from the
    agency's yearly register (the secret series for secret documents), adds number and date and the
    organisation's signature with the seal image, stores the immutable PDF, delivers it at once to
    each recipient agency in the platform and queues the outside recipients for the exchange. A
    secret document is numbered and sealed but never released electronically (NĐ 30/2020)."""
    from egov.signing.placement import Placement
    from egov.signing.services import seal_issued

    document = _locked(document)
    policy.require(by, "document.register", document.agency)
    if document.status in ISSUED_STATUSES or document.number is not None:
        raise AlreadyIssued(f"Văn bản đã được cấp số {document.symbol}; không cấp số lần nữa.")
    if document.status != S.SIGNED:
        raise NotSigned()
    recipients = list(document.recipients.select_related("organisation").order_by("order", "pk"))
    if document.secrecy:
        if document.external_recipients:
            raise SecretRelease(
                f"Văn bản {document.get_secrecy_display().lower()} không được gửi ra ngoài hệ thống "
                f"({', '.join(document.external_recipients)}); "
                "hãy chuyển bản giấy theo quy định bảo vệ bí mật nhà nước.",
                field="external_recipients",
            )
        if electronic:
            raise SecretRelease(
                f"Văn bản {document.get_secrecy_display().lower()} không được phát hành điện tử; "
                "hãy phát hành bản giấy (electronic = false).",
                field="electronic",
            )
    if not document.agency.abbreviation:
        raise MissingAbbreviation(
            f"{document.agency.name} chưa có chữ viết tắt để ghi ký hiệu văn bản.", field="agency.abbreviation"
        )
    if document.doc_type.is_cong_van and not document.drafting_unit.abbreviation:
        raise MissingAbbreviation(
            f"{document.drafting_unit.name} chưa có chữ viết tắt để ghi ký hiệu công văn.",
            field="drafting_unit.abbreviation",
        )
    version = document.versions.get(number=document.signed_version)
    for name in ("number", "date", "seal"):
        if name not in version.placements:
            raise ValidationFailed.field("file", "Văn bản không có vị trí ghi số, ngày hoặc đóng dấu.")
    # Every check has passed: from here on, the number is taken (and rolled back with any failure).
    now = timezone.now()
    day = timezone.localdate(now)
    register = _register_of(document)
    number = numbering.allocate(scope=_scope(document.agency, register), period=numbering.yearly(day))
    symbol = symbol_for(
        number=number, doc_type=document.doc_type, agency=document.agency, drafting_unit=document.drafting_unit
    )
    with document.signed_pdf.open("rb") as handle:
        signed = handle.read()
    sealed = seal_issued(
        unit=document.agency,
        pdf=signed,
        seal=Placement.from_json(version.placements["seal"]),
        number_text=symbol,
        number=Placement.from_json(version.placements["number"]),
        date_text=date_text(document.place, day),
        date=Placement.from_json(version.placements["date"]),
    )
    document.pdf_sha256 = store_pdf(document.pdf, sealed)
    document.number, document.symbol, document.register, document.year = number, symbol, register, day.year
    document.issued_at, document.issued_by = now, by
    document.status = S.ISSUED
    document.released_electronically = electronic
    document.save()
    _trail(document, by=by, action=ReviewStep.Action.ISSUED, version=version.number)
    if electronic:
        from egov.documents.services.incoming import receive_internal

        receive_internal(outgoing=document, agencies=[r.organisation for r in recipients], at=now)
        ExchangeQueue.objects.bulk_create(
            [ExchangeQueue(document=document, recipient=name) for name in document.external_recipients]
        )
    audit.record(
        actor=by,
        action="document.issue",
        target=document,
        after={"number": number, "symbol": symbol, "electronic": electronic, "recipients": len(recipients)},
    )
    return document


def _withdraw_deliveries(document: OutgoingDocument, *, by, reason: str, at) -> None:
    from egov.documents.models import IncomingStatus, TraceEvent

    deliveries = list(document.deliveries.exclude(status=IncomingStatus.RECALLED))
    from egov.documents import search

    for incoming in deliveries:
        incoming.status = IncomingStatus.RECALLED
        incoming.save(update_fields=["status"])
        search.schedule_reindex(search.INCOMING, incoming.pk)  # search index (h-pages): status changed
    TraceEvent.objects.bulk_create(
        [
            TraceEvent(
                incoming=i, actor=by, at=at, action=TraceEvent.Action.RECALLED, note=reason, unit=document.agency
            )
            for i in deliveries
        ]
    )
    document.exchange_items.filter(status=ExchangeQueue.Status.PENDING).update(status=ExchangeQueue.Status.CANCELLED)


def _require_recall_right(by, document: OutgoingDocument) -> None:
    if by is not None and by.pk != document.signer_id:
        policy.require(by, "document.register", document.agency)


@transaction.atomic
def recall(*, by, document: OutgoingDocument, reason: str) -> OutgoingDocument:
    """Withdraw an issued document (thu hồi): its recipients' copies are marked recalled."""
    document = _locked(document)
    _require_recall_right(by, document)
    if document.status != S.ISSUED:
        raise _transition_error(document, "thu hồi")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "Cần ghi rõ lý do thu hồi văn bản.")
    now = timezone.now()
    document.status, document.recalled_at, document.recall_reason = S.RECALLED, now, reason[:1000]
    document.save()
    _withdraw_deliveries(document, by=by, reason=reason, at=now)
    _trail(document, by=by, action=ReviewStep.Action.RECALLED, note=reason)
    audit.record(actor=by, action="document.recall", target=document, after={"reason": reason})
    return document


@transaction.atomic
def replace(*, by, document: OutgoingDocument, replacement: OutgoingDocument, reason: str) -> OutgoingDocument:
    """``replacement`` (issued by the same agency) replaces ``document``; its copies are recalled."""
    document = _locked(document)
    _require_recall_right(by, document)
    if document.status != S.ISSUED:
        raise _transition_error(document, "thay thế")
    reason = (reason or "").strip()
    replacement = OutgoingDocument.objects.get(pk=replacement.pk)  # its current status, not the caller's copy
    errors = []
    if not reason:
        errors.append(FieldError("reason", "Cần ghi rõ lý do thay thế văn bản."))
    if replacement.pk == document.pk or replacement.agency_id != document.agency_id or replacement.status != S.ISSUED:
        errors.append(
            FieldError("replacement", "Văn bản thay thế phải là một văn bản khác đã phát hành của cùng cơ quan.")
        )
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    document.status, document.recalled_at, document.recall_reason = S.REPLACED, now, reason[:1000]
    document.replaced_by = replacement
    document.save()
    _withdraw_deliveries(document, by=by, reason=f"Thay thế bởi {replacement.symbol}: {reason}", at=now)
    _trail(document, by=by, action=ReviewStep.Action.REPLACED, note=f"{replacement.symbol}: {reason}")
    audit.record(actor=by, action="document.replace", target=document, after={"replacement": replacement.symbol})
    return document


def read_pdf(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()
