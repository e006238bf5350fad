"""Incoming documents (văn bản đến) and their direction (điều hành): arrivals from agencies in the
platform and scanned paper, acceptance with an arrival number or return, the leader's assignment of
lead, cooperating and for-information units, the units' specialists, progress, completion with the
answering document, and reminders of due assignments through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.core import numbering
from egov.core.errors import FieldError, InvalidTransition, PermissionDenied, ValidationFailed
from egov.core.uploads import check_upload
from egov.documents import selectors
from egov.documents.models import (
    OPEN_INCOMING,
    Assignment,
    DocumentType,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    RegisterKind,
    Secrecy,
    TraceEvent,
    Urgency,
)
from egov.documents.services.common import clean_text, not_found, required_text, store_pdf
from egov.organisations.models import Organisation

__all__ = [
    "receive_internal",
    "register_paper_incoming",
    "accept_incoming",
    "return_incoming",
    "assign",
    "assign_to_specialist",
    "add_progress",
    "complete",
    "remind_due_assignments",
    "check_signatures",
]

I = IncomingStatus  # noqa: E741


def _event(incoming, *, by, action, note: str = "", unit=None, at=None) -> TraceEvent:
    # Search index (h-pages): every change of an incoming document leaves a trace event, so this is
    # the one place that asks for its reindex, after the transaction commits.
    from egov.documents import search

    search.schedule_reindex(search.INCOMING, incoming.pk)
    return TraceEvent.objects.create(
        incoming=incoming, actor=by, at=at or timezone.now(), action=action, note=note, unit=unit
    )


def _locked(incoming: IncomingDocument) -> IncomingDocument:
    try:
        return IncomingDocument.objects.select_for_update(of=("self",)).select_related("agency").get(pk=incoming.pk)
    except IncomingDocument.DoesNotExist:
        raise not_found("văn bản đến") from None


def _transition_error(incoming: IncomingDocument, action: str) -> InvalidTransition:
    return InvalidTransition(
        f"Không thể {action} văn bản đến đang ở trạng thái “{incoming.get_status_display()}”.",
        details={"current_status": incoming.status},
    )


def _register_of(incoming: IncomingDocument) -> str:
    return RegisterKind.INCOMING_SECRET if incoming.secrecy else RegisterKind.INCOMING


def _number(incoming: IncomingDocument, *, by, at: datetime) -> None:
    """The arrival number (số đến): the agency's yearly series, the secret one for secret documents."""
    day = timezone.localdate(at)
    register = _register_of(incoming)
    incoming.register, incoming.year = register, day.year
    incoming.arrival_number = numbering.allocate(
        scope=f"documents.{register}:{incoming.agency_id}", period=numbering.yearly(day)
    )
    incoming.registered_at, incoming.registered_by = at, by


def check_signatures(pdf: bytes) -> tuple[list[dict], bool | None]:
    """Every signature of ``pdf`` checked (egov.signing), as stored on the incoming document."""
    from egov.signing.errors import InvalidDocument, NoSignatures
    from egov.signing.services import validate_pdf

    try:
        reports = validate_pdf(pdf)
    except NoSignatures:
        return [], False
    except InvalidDocument:
        return [], False
    rows = []
    for report in reports:
        rows.append(
            {
                "signer": report.signer_common_name,
                "organisation": report.signer_organisation,
                "signing_time": report.signing_time.isoformat() if report.signing_time else None,
                "intact": report.intact,
                "valid": report.valid,
                "trusted": report.trusted,
                "timestamped": report.timestamped,
                "level": str(getattr(report, "level", "") or ""),
                "revoked": bool(getattr(report, "revoked", False)),
                "summary": report.summary,
            }
        )
    ok = bool(rows) and all(r["intact"] and r["valid"] and r["trusted"] and not r["revoked"] for r in rows)
    return rows, ok


def _arrival(outgoing: OutgoingDocument, agency: Organisation, at: datetime) -> IncomingDocument:
    return IncomingDocument(
        agency=agency,
        source=IncomingDocument.Source.INTERNAL,
        outgoing=outgoing,
        sender=outgoing.agency,
        sender_name=outgoing.agency.name,
        symbol=outgoing.symbol,
        document_date=timezone.localdate(outgoing.issued_at),
        doc_type=outgoing.doc_type,
        subject=outgoing.subject,
        signer_name=outgoing.signer.get_full_name() if outgoing.signer_id else "",
        urgency=outgoing.urgency,
        secrecy=outgoing.secrecy,
        answer_due=outgoing.answer_due,
        status=I.RECEIVED,
        received_at=at,
        pdf=outgoing.pdf.name,
        pdf_sha256=outgoing.pdf_sha256,
        pages=outgoing.pages,
        text=outgoing.text,
    )


def receive_internal(
    *, outgoing: OutgoingDocument, agencies: Sequence[Organisation], at: datetime
) -> list[IncomingDocument]:
    """The issued ``outgoing`` arrives at each of ``agencies`` (called by ``issue``, in its transaction):
    two statements whatever the number of recipients.

    The copies share the issued PDF (immutable, the same stored file); their signatures are checked
    when the clerk accepts them."""
    arrivals = IncomingDocument.objects.bulk_create([_arrival(outgoing, agency, at) for agency in agencies])
    TraceEvent.objects.bulk_create(
        [
            TraceEvent(
                incoming=arrival,
                actor=None,
                at=at,
                action=TraceEvent.Action.RECEIVED,
                note=outgoing.symbol,
                unit=outgoing.agency,
            )
            for arrival in arrivals
        ]
    )
    return arrivals


@transaction.atomic
def register_paper_incoming(
    *,
    by,
    agency: Organisation,
    file_name: str,
    file_content: bytes,
    sender_name: str,
    subject: str,
    symbol: str = "",
    document_date: date | None = None,
    doc_type: DocumentType | None = None,
    signer_name: str = "",
    urgency: str = "",
    secrecy: str = "",
    answer_due: date | None = None,
) -> IncomingDocument:
    """The clerk registers a paper document from its scan: OCR makes the scan searchable
    (ocrmypdf, Vietnamese), the document gets its arrival number at once."""
    from egov.documents import rendering

    policy.require(by, "document.register", agency)
    errors: list[FieldError] = []
    sender_name = required_text(errors, "sender_name", sender_name, "Cơ quan ban hành", 300)
    subject = required_text(errors, "subject", subject, "Trích yếu", 500)
    if len(clean_text(symbol)) > 60:
        errors.append(FieldError("symbol", "Số, ký hiệu dài quá 60 ký tự."))
    if urgency not in Urgency.values:
        errors.append(FieldError("urgency", "Độ khẩn phải là khan, thuong_khan, hoa_toc hoặc để trống."))
    if secrecy not in Secrecy.values:
        errors.append(FieldError("secrecy", "Độ mật phải là mat, toi_mat, tuyet_mat hoặc để trống."))
    checked = check_upload(field="file", name=file_name, content=file_content or b"")
    if isinstance(checked, FieldError):
        errors.append(checked)
    elif checked.content_type not in ("application/pdf", "image/jpeg", "image/png"):
        errors.append(FieldError("file", f"Bản quét '{checked.name}' phải là PDF, JPEG hoặc PNG."))
    if errors:
        raise ValidationFailed(errors)
    content, ocr_status = checked.content, "done"
    try:
        content = rendering.ocr_pdf(checked.content)
    except rendering.OcrUnavailable:
        ocr_status = "unavailable"  # kept as scanned; searchable once OCR runs again
        if checked.content_type != "application/pdf":
            raise ValidationFailed.field(
                "file", "Máy chủ chưa cài ocrmypdf nên không chuyển được ảnh quét sang PDF; hãy tải lên bản PDF."
            ) from None
    except rendering.OcrFailed as exc:
        raise ValidationFailed.field("file", f"Không nhận dạng được chữ trong bản quét '{checked.name}'.") from exc
    try:
        text = rendering.pdf_text(content)
        pages = rendering.page_count(content)
    except rendering.InvalidPdf as exc:
        raise ValidationFailed.field("file", "Bản quét không phải là PDF hợp lệ.") from exc
    except rendering.PdfTextUnavailable:
        text, pages = "", rendering.page_count(content)
    now = timezone.now()
    incoming = IncomingDocument(
        agency=agency,
        source=IncomingDocument.Source.PAPER,
        sender_name=sender_name,
        symbol=clean_text(symbol),
        document_date=document_date,
        doc_type=doc_type,
        subject=subject,
        signer_name=clean_text(signer_name)[:200],
        urgency=urgency,
        secrecy=secrecy,
        answer_due=answer_due,
        status=I.ACCEPTED,
        received_at=now,
        pages=pages,
        text=text,
        ocr_status=ocr_status,
    )
    incoming.pdf_sha256 = store_pdf(incoming.pdf, content)
    _number(incoming, by=by, at=now)
    incoming.save()
    _event(incoming, by=by, action=TraceEvent.Action.RECEIVED, note="Bản giấy", at=now)
    _event(incoming, by=by, action=TraceEvent.Action.ACCEPTED, note=f"Số đến {incoming.arrival_number_text}", at=now)
    audit.record(
        actor=by, action="document.incoming.register", target=incoming, after={"number": incoming.arrival_number}
    )
    return incoming


@transaction.atomic
def accept_incoming(*, by, incoming: IncomingDocument) -> IncomingDocument:
    """The clerk accepts an arrival: its signatures are checked and stored, it gets its number."""
    incoming = _locked(incoming)
    policy.require(by, "document.register", incoming.agency)
    if incoming.status != I.RECEIVED:
        raise _transition_error(incoming, "tiếp nhận")
    if incoming.source != IncomingDocument.Source.PAPER and incoming.pdf:
        with incoming.pdf.open("rb") as handle:
            incoming.signatures, incoming.signatures_ok = check_signatures(handle.read())
    now = timezone.now()
    _number(incoming, by=by, at=now)
    incoming.status = I.ACCEPTED
    incoming.save()
    _event(incoming, by=by, action=TraceEvent.Action.ACCEPTED, note=f"Số đến {incoming.arrival_number_text}", at=now)
    audit.record(
        actor=by, action="document.incoming.accept", target=incoming, after={"number": incoming.arrival_number}
    )
    return incoming


@transaction.atomic
def return_incoming(*, by, incoming: IncomingDocument, reason: str, note: str = "") -> IncomingDocument:
    """The clerk returns a misaddressed or invalid arrival (no arrival number is taken)."""
    incoming = _locked(incoming)
    policy.require(by, "document.register", incoming.agency)
    if incoming.status != I.RECEIVED:
        raise _transition_error(incoming, "trả lại")
    if reason not in IncomingDocument.ReturnReason.values:
        raise ValidationFailed.field(
            "reason", "Lý do trả lại phải là misaddressed (gửi nhầm) hoặc invalid (không hợp lệ)."
        )
    incoming.status, incoming.return_reason, incoming.return_note = I.RETURNED, reason, clean_text(note)[:1000]
    incoming.save()
    label = IncomingDocument.ReturnReason(reason).label
    _event(incoming, by=by, action=TraceEvent.Action.RETURNED, note=f"{label}. {incoming.return_note}".strip(". "))
    audit.record(actor=by, action="document.incoming.return", target=incoming, after={"reason": reason})
    return incoming


# --------------------------------------------------------------------------------------------------
# Direction and follow-up
# --------------------------------------------------------------------------------------------------


@transaction.atomic
def assign(
    *,
    by,
    incoming: IncomingDocument,
    lead: Organisation,
    cooperating: Sequence[Organisation] = (),
    informed: Sequence[Organisation] = (),
    deadline: date | None = None,
    instruction: str = "",
) -> list[Assignment]:
    """The leader directs: a lead unit (chủ trì), cooperating (phối hợp) and for-information (để
    biết) units of the agency, a deadline and an instruction."""
    incoming = _locked(incoming)
    policy.require(by, "document.assign", incoming.agency)
    if incoming.status != I.ACCEPTED:
        raise _transition_error(incoming, "phân công")
    errors: list[FieldError] = []
    units = [("lead", 0, lead)] + [("cooperating", i, u) for i, u in enumerate(cooperating)]
    units += [("informed", i, u) for i, u in enumerate(informed)]
    seen: set[int] = set()
    for field, index, unit in units:
        name = field if field == "lead" else f"{field}.{index}"
        if not unit.path.startswith(incoming.agency.path):
            errors.append(FieldError(name, f"{unit.name} không thuộc {incoming.agency.name}."))
        elif unit.pk in seen:
            errors.append(FieldError(name, f"{unit.name} đã được phân công ở vai trò khác."))
        seen.add(unit.pk)
    if deadline is not None and deadline < timezone.localdate():
        errors.append(FieldError("deadline", "Hạn xử lý không được trước hôm nay."))
    instruction = (instruction or "").strip()
    if len(instruction) > 5000:
        errors.append(FieldError("instruction", "Ý kiến chỉ đạo dài quá 5000 ký tự."))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    roles = {"lead": Assignment.Role.LEAD, "cooperating": Assignment.Role.COOPERATE, "informed": Assignment.Role.INFORM}
    rows = Assignment.objects.bulk_create(
        [
            Assignment(
                incoming=incoming,
                unit=unit,
                role=roles[field],
                deadline=deadline if field != "informed" else None,
                instruction=instruction,
                assigned_by=by,
                assigned_at=now,
                done_at=now if field == "informed" else None,
            )
            for field, _, unit in units
        ]
    )
    incoming.status, incoming.handling_due = I.ASSIGNED, deadline
    incoming.save(update_fields=["status", "handling_due"])
    summary = "; ".join(f"{roles[f].label}: {u.name}" for f, _, u in units)
    _event(incoming, by=by, action=TraceEvent.Action.ASSIGNED, note=f"{summary}. {instruction}".strip(". "), at=now)
    audit.record(
        actor=by, action="document.incoming.assign", target=incoming, after={"units": [u.pk for _, _, u in units]}
    )
    return rows


@transaction.atomic
def assign_to_specialist(*, by, assignment: Assignment, specialist, note: str = "") -> Assignment:
    """The unit head gives the unit's part to one of its specialists."""
    try:
        assignment = (
            Assignment.objects.select_for_update(of=("self",)).select_related("unit", "incoming").get(pk=assignment.pk)
        )
    except Assignment.DoesNotExist:
        raise not_found("phân công") from None
    policy.require(by, "document.assign", assignment.unit)
    if assignment.done_at is not None or assignment.incoming.status not in OPEN_INCOMING:
        raise InvalidTransition("Phân công này đã kết thúc.")
    if specialist is None:
        raise ValidationFailed.field("specialist", "Cần chọn chuyên viên xử lý.")
    if not policy.has(specialist, "document.handle", assignment.unit):
        raise ValidationFailed.field("specialist", f"{specialist.get_full_name()} không thuộc {assignment.unit.name}.")
    assignment.assignee = specialist
    assignment.save(update_fields=["assignee"])
    _event(
        assignment.incoming,
        by=by,
        action=TraceEvent.Action.ASSIGNED_TO_SPECIALIST,
        note=f"{specialist.get_full_name()}. {clean_text(note)}".strip(". "),
        unit=assignment.unit,
    )
    audit.record(actor=by, action="document.incoming.assign_specialist", target=assignment.incoming)
    return assignment


def _involvement(by, incoming: IncomingDocument) -> list[Assignment]:
    """The open assignments ``by`` answers for (their own, or as head of the unit)."""
    if by is None:
        return list(incoming.assignments.filter(done_at__isnull=True))
    return [
        a
        for a in incoming.assignments.filter(done_at__isnull=True).select_related("unit")
        if a.assignee_id == by.pk or policy.has(by, "document.assign", a.unit)
    ]


@transaction.atomic
def add_progress(*, by, incoming: IncomingDocument, note: str) -> TraceEvent:
    incoming = _locked(incoming)
    if incoming.status not in (I.ASSIGNED, I.IN_PROGRESS):
        raise _transition_error(incoming, "cập nhật tiến độ")
    mine = _involvement(by, incoming)
    if not mine:
        raise PermissionDenied("Bạn không được giao xử lý văn bản này.")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed.field("note", "Nội dung tiến độ không được để trống.")
    if len(note) > 5000:
        raise ValidationFailed.field("note", "Nội dung tiến độ dài quá 5000 ký tự.")
    incoming.status = I.IN_PROGRESS
    incoming.save(update_fields=["status"])
    return _event(incoming, by=by, action=TraceEvent.Action.PROGRESS, note=note, unit=mine[0].unit)


@transaction.atomic
def complete(
    *, by, incoming: IncomingDocument, answer: OutgoingDocument | None = None, note: str = ""
) -> IncomingDocument:
    """The lead unit finishes, naming the answering outgoing document (its in-reply-to is this one)."""
    incoming = _locked(incoming)
    if incoming.status not in (I.ASSIGNED, I.IN_PROGRESS):
        raise _transition_error(incoming, "hoàn thành")
    if not any(a.role == Assignment.Role.LEAD for a in _involvement(by, incoming)):
        raise PermissionDenied("Chỉ đơn vị chủ trì mới hoàn thành được văn bản này.")
    if answer is not None:
        if answer.in_reply_to_id != incoming.pk:
            raise ValidationFailed.field(
                "answer", f"Văn bản {answer.symbol or answer.subject} không trả lời văn bản đến này."
            )
        if not selectors.outgoing_visible_to(by).filter(pk=answer.pk).exists():
            raise ValidationFailed.field("answer", "Bạn không xem được văn bản trả lời này.")
    now = timezone.now()
    incoming.status, incoming.completed_at, incoming.answer = I.COMPLETED, now, answer
    incoming.save(update_fields=["status", "completed_at", "answer"])
    incoming.assignments.filter(done_at__isnull=True).update(done_at=now)
    text = f"Trả lời bằng văn bản {answer.symbol or answer.subject}. " if answer else ""
    _event(incoming, by=by, action=TraceEvent.Action.COMPLETED, note=(text + clean_text(note)).strip(), at=now)
    audit.record(
        actor=by, action="document.incoming.complete", target=incoming, after={"answer": answer.pk if answer else None}
    )
    return incoming


def remind_due_assignments(*, today: date | None = None, soon_days: int = selectors.DUE_SOON_DAYS) -> dict[str, int]:
    """Queue one e-mail per open assignment due within ``soon_days`` or overdue, to its specialist
    (else to nobody: the unit head sees it on the home page). Idempotent per assignment and day."""
    from egov.notifications.services import enqueue

    today = today or timezone.localdate()
    counts = {"due_soon": 0, "overdue": 0}
    rows = (
        Assignment.objects.filter(
            done_at__isnull=True,
            incoming__status__in=OPEN_INCOMING,
            deadline__lte=today + timedelta(days=soon_days),
            assignee__isnull=False,
        )
        .exclude(Q(assignee__email="") | Q(assignee__email__isnull=True))
        .select_related("incoming", "assignee", "unit")
        .order_by("pk")
    )
    for a in rows.iterator(chunk_size=500):
        kind = "overdue" if a.deadline < today else "due_soon"
        label = "đã quá hạn" if kind == "overdue" else "sắp đến hạn"
        subject = f"Văn bản {a.incoming.symbol or a.incoming.subject[:60]} {label} xử lý"
        body = (
            f"Văn bản đến “{a.incoming.subject}” ({a.incoming.sender_name}) giao {a.unit.name} "
            f"{a.get_role_display().lower()}, hạn xử lý {a.deadline:%d/%m/%Y}, {label}."
        )
        with transaction.atomic():
            enqueue(
                kind=f"document.{kind}",
                channel="email",
                recipient=a.assignee.email,
                subject=subject,
                body=body,
                reference=(a.incoming.symbol or str(a.incoming.pk))[:100],
                idempotency_key=f"document.{kind}:{a.pk}:{today.isoformat()}",
            )
        counts[kind] += 1
    return counts
