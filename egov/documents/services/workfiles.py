"""Work files (hồ sơ công việc): opened from the agency's yearly file list (danh mục hồ sơ), documents
filed into them, closed when the matter is done (NĐ 30/2020 Chương IV)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, InvalidTransition, ValidationFailed
from egov.documents import selectors
from egov.documents.models import FiledDocument, FileListEntry, IncomingDocument, OutgoingDocument, WorkFile
from egov.documents.services.common import agency_of, not_found, required_text
from egov.organisations.models import Organisation

__all__ = ["add_file_list_entry", "open_work_file", "file_document", "close_file"]

FILE_PERMISSIONS = ("document.draft", "document.handle", "document.register")


@transaction.atomic
def add_file_list_entry(
    *, by, unit: Organisation, year: int, code: str, title: str, retention: str = ""
) -> FileListEntry:
    """A line of the agency's file list for ``year``, kept by ``unit`` (the clerk keeps the list)."""
    agency = agency_of(unit)
    policy.require(by, "document.register", agency)
    errors: list[FieldError] = []
    code = required_text(errors, "code", code, "Số, ký hiệu hồ sơ", 50)
    title = required_text(errors, "title", title, "Tiêu đề hồ sơ", 500)
    if not 2000 <= int(year) <= 2100:
        errors.append(FieldError("year", "Năm không hợp lệ."))
    if errors:
        raise ValidationFailed(errors)
    if FileListEntry.objects.filter(agency=agency, year=year, code=code).exists():
        raise ValidationFailed.field("code", f"Danh mục hồ sơ năm {year} đã có hồ sơ số {code}.")
    entry = FileListEntry.objects.create(
        agency=agency, year=year, code=code, title=title, unit=unit, retention=(retention or "").strip()[:50]
    )
    audit.record(actor=by, action="document.file_list.add", target=entry)
    return entry


def _may_keep(by, unit) -> bool:
    return any(policy.has(by, p, unit) for p in FILE_PERMISSIONS)


@transaction.atomic
def open_work_file(*, by, entry: FileListEntry) -> WorkFile:
    if not _may_keep(by, entry.unit):
        policy.require(by, "document.draft", entry.unit)
    try:
        with transaction.atomic():
            work_file = WorkFile.objects.create(
                entry=entry, agency=entry.agency, year=entry.year, keeper=by, opened_at=timezone.now()
            )
    except IntegrityError as exc:
        raise Conflict(f"Hồ sơ {entry.code} đã được lập.") from exc
    audit.record(actor=by, action="document.work_file.open", target=work_file)
    return work_file


@transaction.atomic
def file_document(
    *, by, work_file: WorkFile, outgoing: OutgoingDocument | None = None, incoming: IncomingDocument | None = None
) -> FiledDocument:
    """File one document (issued outgoing or registered incoming, seen by the officer)."""
    try:
        work_file = WorkFile.objects.select_for_update().select_related("entry__unit").get(pk=work_file.pk)
    except WorkFile.DoesNotExist:
        raise not_found("hồ sơ") from None
    if not _may_keep(by, work_file.entry.unit):
        policy.require(by, "document.draft", work_file.entry.unit)
    if work_file.status != WorkFile.Status.OPEN:
        raise InvalidTransition(f"Hồ sơ {work_file.entry.code} đã kết thúc; không thêm văn bản được.")
    if (outgoing is None) == (incoming is None):
        raise ValidationFailed.field("document", "Chọn đúng một văn bản đi hoặc văn bản đến.")
    # The current rows, not the caller's copies (numbers are set by other services).
    outgoing = OutgoingDocument.objects.get(pk=outgoing.pk) if outgoing is not None else None
    incoming = IncomingDocument.objects.get(pk=incoming.pk) if incoming is not None else None
    if outgoing is not None:
        if outgoing.agency_id != work_file.agency_id or outgoing.number is None:
            raise ValidationFailed.field("outgoing", "Chỉ lưu văn bản đi đã phát hành của cơ quan.")
        if not selectors.outgoing_visible_to(by).filter(pk=outgoing.pk).exists():
            raise ValidationFailed.field("outgoing", "Bạn không xem được văn bản này.")
    if incoming is not None:
        if incoming.agency_id != work_file.agency_id or incoming.arrival_number is None:
            raise ValidationFailed.field("incoming", "Chỉ lưu văn bản đến đã vào sổ của cơ quan.")
        if not selectors.incoming_visible_to(by).filter(pk=incoming.pk).exists():
            raise ValidationFailed.field("incoming", "Bạn không xem được văn bản này.")
    try:
        with transaction.atomic():
            item = FiledDocument.objects.create(
                work_file=work_file, outgoing=outgoing, incoming=incoming, filed_by=by, filed_at=timezone.now()
            )
    except IntegrityError as exc:
        raise Conflict("Văn bản đã có trong hồ sơ.") from exc
    audit.record(actor=by, action="document.work_file.file", target=work_file)
    return item


@transaction.atomic
def close_file(*, by, work_file: WorkFile) -> WorkFile:
    work_file = WorkFile.objects.select_for_update().select_related("entry__unit").get(pk=work_file.pk)
    if not _may_keep(by, work_file.entry.unit):
        policy.require(by, "document.draft", work_file.entry.unit)
    if work_file.status != WorkFile.Status.OPEN:
        raise InvalidTransition("Hồ sơ đã kết thúc.")
    if not work_file.items.exists():
        raise ValidationFailed.field("items", "Hồ sơ chưa có văn bản nào; không kết thúc được.")
    work_file.status, work_file.closed_at = WorkFile.Status.CLOSED, timezone.now()
    work_file.save(update_fields=["status", "closed_at"])
    audit.record(actor=by, action="document.work_file.close", target=work_file)
    return work_file
