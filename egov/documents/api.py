"""API: official documents (văn bản đi, văn bản đến, sổ văn bản) under ``/api/v1/documents``.

Handlers parse, look up, call one service and render; every refusal is a typed error mapped to 4xx
by ``egov.core.api_errors`` (NĐ 30 rules, signing refusals such as a wrong PIN, permissions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from django.db.models import Prefetch
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from egov.access.authentication import officer_auth
from egov.core.errors import FieldError, ValidationFailed
from egov.core.files import serve_stored_file
from egov.core.openapi import errors
from egov.documents import selectors, services
from egov.documents.models import (
    Assignment,
    DocumentType,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    ReviewStep,
)
from egov.documents.services.common import not_found
from egov.organisations import selectors as organisations
from egov.people.models import User

router = Router(tags=["Văn bản và điều hành"])

MAX_FILE_BYTES = 20 * 1024 * 1024


# --------------------------------------------------------------------------------------------------
# Look-ups (each names the field it concerns)
# --------------------------------------------------------------------------------------------------


def _org(code: str, field: str, errs: list[FieldError]):
    org = organisations.by_code(code) if code else None
    if org is None:
        errs.append(FieldError(field, f"Không tìm thấy cơ quan, đơn vị có mã '{code}'."))
    return org


def _user(username: str, field: str, errs: list[FieldError]):
    user = User.objects.filter(username=username, is_active=True).first() if username else None
    if username and user is None:
        errs.append(FieldError(field, f"Không tìm thấy cán bộ có tên đăng nhập '{username}'."))
    return user


def _doc_type(code: str, errs: list[FieldError]):
    doc_type = DocumentType.objects.filter(code=code).first() if code else None
    if code and doc_type is None:
        errs.append(FieldError("doc_type", f"Không có loại văn bản mã '{code}'."))
    return doc_type


def _read(file: UploadedFile | None) -> tuple[str, bytes | None]:
    if file is None:
        return "", None
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise ValidationFailed.field("file", "Tệp quá lớn (tối đa 20 MB).")
    return file.name or "tep", file.read()


def _outgoing(request, document_id: int) -> OutgoingDocument:
    document = (
        selectors.outgoing_visible_to(request.user)
        .select_related("agency", "drafting_unit", "doc_type", "signer", "drafter")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise not_found()
    return document


def _incoming(request, document_id: int) -> IncomingDocument:
    document = (
        selectors.incoming_visible_to(request.user).select_related("agency", "doc_type").filter(pk=document_id).first()
    )
    if document is None:
        raise not_found("văn bản đến")
    return document


# --------------------------------------------------------------------------------------------------
# Outgoing
# --------------------------------------------------------------------------------------------------


class OutgoingIn(Schema):
    doc_type: str = Field(..., description="Mã loại văn bản, ví dụ quyet-dinh, cong-van, to-trinh")
    subject: str = Field(..., max_length=500, description="Trích yếu")
    drafting_unit: str = Field(..., description="Mã định danh đơn vị soạn thảo")
    body: str = Field("", max_length=100_000, description="Nội dung (soạn theo mẫu), khi không gửi tệp")
    signer: str = Field("", description="Tên đăng nhập người ký")
    signer_title: str = Field("", max_length=200, description="Chức vụ người ký, ví dụ CHỦ TỊCH")
    signer_authority: Literal["", "TM.", "KT.", "Q.", "TL.", "TUQ."] = Field("", description="Thẩm quyền ký")
    recipients: list[str] = Field([], description="Mã định danh các cơ quan nhận trong hệ thống")
    external_recipients: list[str] = Field([], description="Nơi nhận ngoài hệ thống")
    urgency: Literal["", "khan", "thuong_khan", "hoa_toc"] = ""
    secrecy: Literal["", "mat", "toi_mat", "tuyet_mat"] = ""
    answer_due: date | None = None
    in_reply_to: int | None = Field(None, description="Số định danh văn bản đến được trả lời")
    place: str = Field("", max_length=100, description="Địa danh")


class VersionCommentOut(Schema):
    author: str
    text: str
    created_at: datetime


class VersionOut(Schema):
    number: int
    source: str
    note: str
    author: str
    created_at: datetime
    pages: int
    pdf_url: str
    comments: list[VersionCommentOut]


class TrailOut(Schema):
    actor: str
    at: datetime
    action: str
    action_label: str
    note: str
    version: int | None


class DeliveryOut(Schema):
    agency: str
    status: str
    arrival_number: int | None
    assignments: list[str]
    answers: list[str]


class OutgoingOut(Schema):
    id: int
    status: str
    status_label: str
    doc_type: str
    subject: str
    agency: str
    drafting_unit: str
    drafter: str
    signer: str | None
    signer_title: str
    signer_authority: str
    recipients: list[str]
    external_recipients: list[str]
    urgency: str
    secrecy: str
    answer_due: date | None
    in_reply_to: int | None
    awaiting: str | None = Field(None, description="Quyền của người đang được chờ xem xét")
    number: int | None = Field(None, description="Số văn bản (số nguyên)")
    symbol: str = Field("", description="Số, ký hiệu, ví dụ 15/QĐ-UBND")
    issued_at: datetime | None
    signed_at: datetime | None
    pdf_url: str | None = Field(None, description="Bản phát hành (sau khi phát hành), hoặc bản dự thảo mới nhất")
    recall_reason: str
    versions: list[VersionOut]
    trail: list[TrailOut]
    deliveries: list[DeliveryOut]


def outgoing_out(document: OutgoingDocument, *, user) -> OutgoingOut:
    versions = list(
        document.versions.select_related("author").prefetch_related(Prefetch("comments__author")).order_by("number")
    )
    trail = list(document.trail.select_related("actor").order_by("at", "pk"))
    base = f"/api/v1/documents/outgoing/{document.pk}"
    return OutgoingOut(
        id=document.pk,
        status=document.status,
        status_label=document.get_status_display(),
        doc_type=document.doc_type.code,
        subject=document.subject,
        agency=document.agency.identifier,
        drafting_unit=document.drafting_unit.identifier,
        drafter=document.drafter.get_username(),
        signer=document.signer.get_username() if document.signer_id else None,
        signer_title=document.signer_title,
        signer_authority=document.signer_authority,
        recipients=[r.organisation.identifier for r in document.recipients.select_related("organisation")],
        external_recipients=list(document.external_recipients),
        urgency=document.urgency,
        secrecy=document.secrecy,
        answer_due=document.answer_due,
        in_reply_to=document.in_reply_to_id,
        awaiting=document.awaiting_permission or None,
        number=document.number,
        symbol=document.symbol,
        issued_at=document.issued_at,
        signed_at=document.signed_at,
        pdf_url=f"{base}/pdf" if (document.pdf or versions) else None,
        recall_reason=document.recall_reason,
        versions=[
            VersionOut(
                number=v.number,
                source=v.source,
                note=v.note,
                author=v.author.get_username(),
                created_at=v.created_at,
                pages=v.pages,
                pdf_url=f"{base}/versions/{v.number}/pdf",
                comments=[
                    VersionCommentOut(author=c.author.get_username(), text=c.text, created_at=c.created_at)
                    for c in v.comments.all()
                ],
            )
            for v in versions
        ],
        trail=[
            TrailOut(
                actor=t.actor.get_username(),
                at=t.at,
                action=t.action,
                action_label=ReviewStep.Action(t.action).label,
                note=t.note,
                version=t.version,
            )
            for t in trail
        ],
        deliveries=[
            DeliveryOut(
                agency=entry.incoming.agency.identifier,
                status=entry.incoming.status,
                arrival_number=entry.incoming.arrival_number,
                assignments=[f"{a.get_role_display()}: {a.unit.name}" for a in entry.assignments],
                answers=[a.symbol or a.subject for a in entry.answers],
            )
            for entry in selectors.trace_of(user, document)
        ],
    )


@router.post(
    "/outgoing",
    response={201: OutgoingOut, **errors(409)},
    auth=officer_auth,
    summary="Tạo dự thảo văn bản đi (theo mẫu hoặc tệp DOCX/PDF)",
    description=(
        "multipart/form-data: các trường thông tin (Phụ lục VI, NĐ 30/2020) và tệp `file` (DOCX hoặc PDF) "
        "tùy chọn; không gửi tệp thì `body` được soạn theo mẫu của loại văn bản. Lỗi 422 nêu trường."
    ),
)
def create_outgoing(request, payload: Form[OutgoingIn], file: File[UploadedFile] = None):
    errs: list[FieldError] = []
    unit = _org(payload.drafting_unit, "drafting_unit", errs)
    doc_type = _doc_type(payload.doc_type, errs)
    signer = _user(payload.signer, "signer", errs)
    for field, given, message in (
        ("drafting_unit", unit, "Cần chọn đơn vị soạn thảo."),
        ("doc_type", doc_type, "Cần chọn loại văn bản."),
    ):
        if given is None and not any(e.field == field for e in errs):
            errs.append(FieldError(field, message))
    recipients = [_org(code, f"recipients.{i}", errs) for i, code in enumerate(payload.recipients) if code]
    in_reply_to = None
    if payload.in_reply_to is not None:
        in_reply_to = selectors.incoming_visible_to(request.user).filter(pk=payload.in_reply_to).first()
        if in_reply_to is None:
            errs.append(FieldError("in_reply_to", "Không tìm thấy văn bản đến được trả lời."))
    if errs:
        raise ValidationFailed(errs)
    name, content = _read(file)
    document = services.create_draft(
        by=request.user,
        drafting_unit=unit,
        doc_type=doc_type,
        subject=payload.subject,
        body=payload.body,
        file_name=name,
        file_content=content,
        signer=signer,
        signer_title=payload.signer_title,
        signer_authority=payload.signer_authority,
        recipients=recipients,
        external_recipients=[x for x in payload.external_recipients if x.strip()],
        urgency=payload.urgency,
        secrecy=payload.secrecy,
        answer_due=payload.answer_due,
        in_reply_to=in_reply_to,
        place=payload.place,
    )
    return 201, outgoing_out(_outgoing(request, document.pk), user=request.user)


@router.get("/outgoing/{document_id}", response=OutgoingOut, auth=officer_auth, summary="Chi tiết văn bản đi")
def get_outgoing(request, document_id: int):
    return outgoing_out(_outgoing(request, document_id), user=request.user)


@router.get(
    "/outgoing/{document_id}/pdf",
    auth=officer_auth,
    summary="Tệp PDF của văn bản đi (bản phát hành, bản đã ký hoặc dự thảo mới nhất)",
    response={200: None},
)
def outgoing_pdf(request, document_id: int):
    document = _outgoing(request, document_id)
    if document.pdf:
        name = document.pdf.name
    elif document.signed_pdf:
        name = document.signed_pdf.name
    else:
        version = document.versions.order_by("-number").first()
        if version is None:
            raise not_found("tệp")
        name = version.pdf.name
    label = (document.symbol or f"du-thao-{document.pk}").replace("/", "-")
    return serve_stored_file(name, content_type="application/pdf", filename=f"{label}.pdf")


@router.get(
    "/outgoing/{document_id}/versions/{number}/pdf",
    auth=officer_auth,
    summary="Tệp PDF của một phiên bản dự thảo",
    response={200: None},
)
def version_pdf(request, document_id: int, number: int):
    document = _outgoing(request, document_id)
    version = document.versions.filter(number=number).first()
    if version is None:
        raise not_found("phiên bản")
    return serve_stored_file(version.pdf.name, content_type="application/pdf", filename=f"du-thao-v{number}.pdf")


class OutgoingActionIn(Schema):
    note: str = Field("", max_length=5000, description="submit, approve, return: ý kiến (return: bắt buộc)")
    pin: str = Field("", max_length=64, description="sign: mã PIN của thiết bị ký (token) hoặc OTP")
    reason: str = Field("", max_length=1000, description="recall, replace: lý do")
    electronic: bool = Field(True, description="issue: phát hành điện tử (văn bản mật: false, bản giấy)")
    replacement: int | None = Field(None, description="replace: văn bản thay thế (đã phát hành)")


def _replacement(by, body: OutgoingActionIn) -> OutgoingDocument:
    found = selectors.outgoing_visible_to(by).filter(pk=body.replacement).first() if body.replacement else None
    if found is None:
        raise ValidationFailed.field("replacement", "Không tìm thấy văn bản thay thế.")
    return found


OUTGOING_ACTIONS: dict[str, Callable[..., OutgoingDocument]] = {
    "submit": lambda by, doc, body: services.submit(by=by, document=doc, note=body.note),
    "approve": lambda by, doc, body: services.approve(by=by, document=doc, note=body.note),
    "return": lambda by, doc, body: services.return_(by=by, document=doc, note=body.note),
    "sign": lambda by, doc, body: services.sign(by=by, document=doc, pin=body.pin),
    "issue": lambda by, doc, body: services.issue(by=by, document=doc, electronic=body.electronic),
    "recall": lambda by, doc, body: services.recall(by=by, document=doc, reason=body.reason),
    "replace": lambda by, doc, body: services.replace(
        by=by, document=doc, replacement=_replacement(by, body), reason=body.reason
    ),
}
OutgoingAction = Literal[tuple(OUTGOING_ACTIONS)]  # type: ignore[valid-type]


@router.post(
    "/outgoing/{document_id}/actions/{action}",
    response={200: OutgoingOut, **errors(409)},
    auth=officer_auth,
    summary="Trình, duyệt, trả lại, ký, phát hành, thu hồi văn bản đi",
    description=(
        "submit (người soạn), approve / return (người xem xét ở bước hiện tại; return cần `note`), sign "
        "(người ký, `pin`), issue (văn thư: cấp số, đóng dấu, phát hành), recall / replace (lý do `reason`). "
        "Mã PIN sai: 422 `wrong_pin`; chứng thư bị thu hồi, hết hạn: 409; văn bản chưa ký: 409 "
        "`document_not_signed`; văn bản mật gửi ra ngoài: 409 `secret_document_release`."
    ),
)
def outgoing_action(request, document_id: int, action: OutgoingAction, payload: OutgoingActionIn):
    document = _outgoing(request, document_id)
    OUTGOING_ACTIONS[action](request.user, document, payload)
    return outgoing_out(_outgoing(request, document_id), user=request.user)


class CommentIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)
    version: int | None = None


@router.post(
    "/outgoing/{document_id}/comments",
    response={201: OutgoingOut},
    auth=officer_auth,
    summary="Cho ý kiến về một phiên bản dự thảo",
)
def comment_outgoing(request, document_id: int, payload: CommentIn):
    document = _outgoing(request, document_id)
    version = None
    if payload.version is not None:
        version = document.versions.filter(number=payload.version).first()
        if version is None:
            raise ValidationFailed.field("version", "Không có phiên bản này.")
    services.comment(by=request.user, document=document, text=payload.text, version=version)
    return 201, outgoing_out(document, user=request.user)


class VersionIn(Schema):
    body: str = Field("", max_length=100_000)
    subject: str | None = Field(None, max_length=500)
    note: str = Field("", max_length=1000)


@router.post(
    "/outgoing/{document_id}/versions",
    response={201: OutgoingOut, **errors(409)},
    auth=officer_auth,
    summary="Cập nhật dự thảo (phiên bản mới, theo mẫu hoặc tệp DOCX/PDF)",
)
def add_outgoing_version(request, document_id: int, payload: Form[VersionIn], file: File[UploadedFile] = None):
    document = _outgoing(request, document_id)
    name, content = _read(file)
    services.add_version(
        by=request.user,
        document=document,
        body=payload.body,
        file_name=name,
        file_content=content,
        subject=payload.subject,
        note=payload.note,
    )
    return 201, outgoing_out(_outgoing(request, document_id), user=request.user)


# --------------------------------------------------------------------------------------------------
# Incoming
# --------------------------------------------------------------------------------------------------


class IncomingIn(Schema):
    agency: str = Field(..., description="Mã định danh cơ quan nhận (vào sổ)")
    sender_name: str = Field(..., max_length=300, description="Cơ quan ban hành (tác giả)")
    subject: str = Field(..., max_length=500, description="Trích yếu")
    symbol: str = Field("", max_length=60, description="Số, ký hiệu")
    document_date: date | None = None
    doc_type: str = Field("", description="Mã loại văn bản")
    signer_name: str = Field("", max_length=200)
    urgency: Literal["", "khan", "thuong_khan", "hoa_toc"] = ""
    secrecy: Literal["", "mat", "toi_mat", "tuyet_mat"] = ""
    answer_due: date | None = None


class AssignmentOut(Schema):
    id: int
    unit: str
    unit_name: str
    role: str
    role_label: str
    deadline: date | None
    instruction: str
    assignee: str | None
    done_at: datetime | None


class TraceOut(Schema):
    actor: str | None
    at: datetime
    action: str
    action_label: str
    note: str


class SignatureCheckOut(Schema):
    signer: str
    organisation: str
    signing_time: str | None
    intact: bool
    valid: bool
    trusted: bool
    timestamped: bool
    level: str
    revoked: bool
    summary: str


class IncomingOut(Schema):
    id: int
    agency: str
    source: str
    status: str
    status_label: str
    sender_name: str
    symbol: str
    document_date: date | None
    doc_type: str | None
    subject: str
    urgency: str
    secrecy: str
    received_at: datetime
    arrival_number: int | None = Field(None, description="Số đến trong sổ của năm")
    year: int | None
    handling_due: date | None
    answer: int | None = Field(None, description="Văn bản đi trả lời")
    outgoing: int | None = Field(None, description="Văn bản đi gốc (gửi trong hệ thống)")
    signatures_ok: bool | None
    signatures: list[SignatureCheckOut]
    ocr_status: str
    pdf_url: str
    assignments: list[AssignmentOut]
    trace: list[TraceOut]


def incoming_out(document: IncomingDocument, *, detail: bool = True) -> IncomingOut:
    assignments = list(document.assignments.select_related("unit", "assignee")) if detail else []
    trace = list(document.trace.select_related("actor")) if detail else []
    return IncomingOut(
        id=document.pk,
        agency=document.agency.identifier,
        source=document.source,
        status=document.status,
        status_label=document.get_status_display(),
        sender_name=document.sender_name,
        symbol=document.symbol,
        document_date=document.document_date,
        doc_type=document.doc_type.code if document.doc_type_id else None,
        subject=document.subject,
        urgency=document.urgency,
        secrecy=document.secrecy,
        received_at=document.received_at,
        arrival_number=document.arrival_number,
        year=document.year,
        handling_due=document.handling_due,
        answer=document.answer_id,
        outgoing=document.outgoing_id,
        signatures_ok=document.signatures_ok,
        signatures=[SignatureCheckOut(**s) for s in document.signatures] if detail else [],
        ocr_status=document.ocr_status,
        pdf_url=f"/api/v1/documents/incoming/{document.pk}/pdf",
        assignments=[
            AssignmentOut(
                id=a.pk,
                unit=a.unit.identifier,
                unit_name=a.unit.name,
                role=a.role,
                role_label=a.get_role_display(),
                deadline=a.deadline,
                instruction=a.instruction,
                assignee=a.assignee.get_username() if a.assignee_id else None,
                done_at=a.done_at,
            )
            for a in assignments
        ],
        trace=[
            TraceOut(
                actor=t.actor.get_username() if t.actor_id else None,
                at=t.at,
                action=t.action,
                action_label=t.get_action_display(),
                note=t.note,
            )
            for t in trace
        ],
    )


@router.post(
    "/incoming",
    response={201: IncomingOut, **errors(409)},
    auth=officer_auth,
    summary="Vào sổ văn bản đến bản giấy (tệp quét, nhận dạng chữ)",
    description="multipart/form-data: thông tin văn bản và tệp quét `file` (PDF, JPEG, PNG). Cấp số đến ngay.",
)
def register_incoming(request, payload: Form[IncomingIn], file: File[UploadedFile]):
    errs: list[FieldError] = []
    agency = _org(payload.agency, "agency", errs)
    doc_type = _doc_type(payload.doc_type, errs)
    if errs:
        raise ValidationFailed(errs)
    name, content = _read(file)
    document = services.register_paper_incoming(
        by=request.user,
        agency=agency,
        file_name=name,
        file_content=content or b"",
        sender_name=payload.sender_name,
        subject=payload.subject,
        symbol=payload.symbol,
        document_date=payload.document_date,
        doc_type=doc_type,
        signer_name=payload.signer_name,
        urgency=payload.urgency,
        secrecy=payload.secrecy,
        answer_due=payload.answer_due,
    )
    return 201, incoming_out(_incoming(request, document.pk))


class IncomingPage(Schema):
    items: list[IncomingOut]
    next_cursor: str | None


class IncomingQuery(Schema):
    agency: str | None = Field(None, description="Mã định danh cơ quan nhận")
    status: Literal[tuple(IncomingStatus.values)] | None = None  # type: ignore[valid-type]
    after: str | None = Field(None, description="Con trỏ trang (next_cursor của trang trước)")
    limit: int = Field(50, ge=1, le=200)


@router.get("/incoming", response=IncomingPage, auth=officer_auth, summary="Danh sách văn bản đến (con trỏ)")
def list_incoming(request, query: Query[IncomingQuery]):
    agency = None
    if query.agency:
        errs: list[FieldError] = []
        agency = _org(query.agency, "agency", errs)
        if errs:
            raise ValidationFailed(errs)
    rows, cursor = selectors.incoming_page(
        request.user, agency=agency, status=query.status, after=query.after, limit=query.limit
    )
    return IncomingPage(items=[incoming_out(d, detail=False) for d in rows], next_cursor=cursor)


@router.get("/incoming/{document_id}", response=IncomingOut, auth=officer_auth, summary="Chi tiết văn bản đến")
def get_incoming(request, document_id: int):
    return incoming_out(_incoming(request, document_id))


@router.get("/incoming/{document_id}/pdf", auth=officer_auth, summary="Tệp PDF của văn bản đến", response={200: None})
def incoming_pdf(request, document_id: int):
    document = _incoming(request, document_id)
    label = (document.symbol or f"van-ban-den-{document.pk}").replace("/", "-")
    return serve_stored_file(document.pdf.name, content_type="application/pdf", filename=f"{label}.pdf")


class AssignIn(Schema):
    lead: str = Field(..., description="Mã định danh đơn vị chủ trì")
    cooperating: list[str] = Field([], description="Đơn vị phối hợp")
    informed: list[str] = Field([], description="Đơn vị để biết")
    deadline: date | None = Field(None, description="Hạn xử lý")
    instruction: str = Field("", max_length=5000, description="Ý kiến chỉ đạo")


@router.post(
    "/incoming/{document_id}/assignments",
    response={201: IncomingOut, **errors(409)},
    auth=officer_auth,
    summary="Phân công xử lý (chủ trì, phối hợp, để biết)",
)
def assign_incoming(request, document_id: int, payload: AssignIn):
    document = _incoming(request, document_id)
    errs: list[FieldError] = []
    lead = _org(payload.lead, "lead", errs)
    cooperating = [_org(c, f"cooperating.{i}", errs) for i, c in enumerate(payload.cooperating)]
    informed = [_org(c, f"informed.{i}", errs) for i, c in enumerate(payload.informed)]
    if errs:
        raise ValidationFailed(errs)
    services.assign(
        by=request.user,
        incoming=document,
        lead=lead,
        cooperating=cooperating,
        informed=informed,
        deadline=payload.deadline,
        instruction=payload.instruction,
    )
    return 201, incoming_out(_incoming(request, document_id))


class SpecialistIn(Schema):
    specialist: str = Field(..., description="Tên đăng nhập chuyên viên")
    note: str = Field("", max_length=1000)


@router.post(
    "/incoming/{document_id}/assignments/{assignment_id}/specialist",
    response={200: IncomingOut, **errors(409)},
    auth=officer_auth,
    summary="Trưởng đơn vị giao chuyên viên xử lý",
)
def assign_specialist(request, document_id: int, assignment_id: int, payload: SpecialistIn):
    document = _incoming(request, document_id)
    assignment = Assignment.objects.filter(pk=assignment_id, incoming=document).first()
    if assignment is None:
        raise not_found("phân công")
    errs: list[FieldError] = []
    specialist = _user(payload.specialist, "specialist", errs)
    if errs:
        raise ValidationFailed(errs)
    services.assign_to_specialist(by=request.user, assignment=assignment, specialist=specialist, note=payload.note)
    return incoming_out(_incoming(request, document_id))


class IncomingActionIn(Schema):
    reason: Literal["", "misaddressed", "invalid"] = Field("", description="return: misaddressed hoặc invalid")
    note: str = Field("", max_length=5000, description="return: ghi chú; progress: nội dung tiến độ; complete")
    answer: int | None = Field(None, description="complete: văn bản đi trả lời (in_reply_to là văn bản này)")


def _answer(by, body: IncomingActionIn) -> OutgoingDocument | None:
    if body.answer is None:
        return None
    found = selectors.outgoing_visible_to(by).filter(pk=body.answer).first()
    if found is None:
        raise ValidationFailed.field("answer", "Không tìm thấy văn bản trả lời.")
    return found


INCOMING_ACTIONS: dict[str, Callable[..., object]] = {
    "accept": lambda by, doc, body: services.accept_incoming(by=by, incoming=doc),
    "return": lambda by, doc, body: services.return_incoming(by=by, incoming=doc, reason=body.reason, note=body.note),
    "progress": lambda by, doc, body: services.add_progress(by=by, incoming=doc, note=body.note),
    "complete": lambda by, doc, body: services.complete(by=by, incoming=doc, answer=_answer(by, body), note=body.note),
}
IncomingAction = Literal[tuple(INCOMING_ACTIONS)]  # type: ignore[valid-type]


@router.post(
    "/incoming/{document_id}/actions/{action}",
    response={200: IncomingOut, **errors(409)},
    auth=officer_auth,
    summary="Tiếp nhận, trả lại, cập nhật tiến độ, hoàn thành văn bản đến",
)
def incoming_action(request, document_id: int, action: IncomingAction, payload: IncomingActionIn):
    document = _incoming(request, document_id)
    INCOMING_ACTIONS[action](request.user, document, payload)
    return incoming_out(_incoming(request, document_id))


# --------------------------------------------------------------------------------------------------
# Registers and the officer's home
# --------------------------------------------------------------------------------------------------


class RegisterEntryOut(Schema):
    number: int
    number_text: str = Field(..., description="Số có số 0 đứng trước nếu nhỏ hơn 10")
    symbol: str
    date: date | None
    arrival_date: datetime | None
    doc_type: str
    subject: str
    signer: str = Field(..., description="Văn bản đi: người ký; văn bản đến: tác giả")
    recipients: str = Field(..., description="Văn bản đi: nơi nhận; văn bản đến: đơn vị, người xử lý")
    secrecy: str
    urgency: str
    status: str
    notes: str
    document_id: int


class RegisterOut(Schema):
    agency: str
    kind: str
    year: int
    entries: list[RegisterEntryOut]


class RegisterQuery(Schema):
    agency: str = Field(..., description="Mã định danh cơ quan")
    kind: Literal["outgoing", "incoming"]
    year: int = Field(..., ge=2000, le=2100)


@router.get("/registers", response=RegisterOut, auth=officer_auth, summary="Sổ văn bản đi, đến theo năm")
def get_register(request, query: Query[RegisterQuery]):
    errs: list[FieldError] = []
    agency = _org(query.agency, "agency", errs)
    if errs:
        raise ValidationFailed(errs)
    entries = selectors.register(request.user, agency=agency, kind=query.kind, year=query.year)
    return RegisterOut(
        agency=agency.identifier,
        kind=query.kind,
        year=query.year,
        entries=[RegisterEntryOut(**entry.__dict__) for entry in entries],
    )


class HomeOut(Schema):
    counts: dict[str, int]
    to_review: list[int]
    to_sign: list[int]
    to_issue: list[int]
    to_register: list[int]
    to_handle: list[int]


@router.get("/home", response=HomeOut, auth=officer_auth, summary="Việc cần làm về văn bản của cán bộ")
def get_home(request):
    home = selectors.home(request.user)
    return HomeOut(
        counts=home.counts,
        to_review=[d.pk for d in home.to_review],
        to_sign=[d.pk for d in home.to_sign],
        to_issue=[d.pk for d in home.to_issue],
        to_register=[d.pk for d in home.to_register],
        to_handle=[d.pk for d in home.to_handle],
    )


__all__ = ["router"]
