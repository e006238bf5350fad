"""Reception: a dossier received at the counter (or by post) and an online submission."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import FieldError, ValidationFailed
from egov.core.uploads import CheckedUpload, check_upload, discarded_on_error, remember_written, storage_name
from egov.dossiers import documents
from egov.dossiers.models import Dossier, DossierComponent, DossierFile, IncompleteSubmission
from egov.dossiers.selectors import active_process, rule_set_on
from egov.dossiers.services.common import (
    actor,
    event,
    next_code,
    procedure_in_force,
    snapshot,
    start_clock,
    total_fee,
)
from egov.dossiers.statuses import Channel, Status
from egov.organisations import selectors as organisations

__all__ = [
    "ApplicantInput",
    "ComponentInput",
    "UploadInput",
    "receive_dossier",
    "submit_online",
    "turn_away_incomplete",
]


@dataclass(frozen=True)
class ApplicantInput:
    name: str
    identity: str = ""
    submitter_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    matter: str = ""


@dataclass(frozen=True)
class UploadInput:
    name: str
    content: bytes
    # Where a reused file comes from ("result:<dossier code>", "document:<id>"): the file is not
    # asked for again (NĐ 45/2020 Đ13) and the reuse counts in the digitisation indicators.
    reused_from: str = ""


@dataclass(frozen=True)
class ComponentInput:
    """What the officer ticked for one component of the procedure (by its position in the list)."""

    procedure_component_id: int
    provided: bool
    uploads: tuple[UploadInput, ...] = field(default_factory=tuple)


def resolve_components(
    procedure, components: list[ComponentInput], *, online: bool = False
) -> tuple[list, list[FieldError], list]:
    """Match the input to the procedure's published components; report every missing one at once.
    Online, a document the applicant only shows in person is not asked for as an upload."""
    published = list(procedure.components.order_by("order", "pk"))
    by_id = {c.procedure_component_id: c for c in components}
    errors: list[FieldError] = []
    checked: list[tuple] = []
    unknown = set(by_id) - {c.pk for c in published}
    for pk in sorted(unknown):
        errors.append(
            FieldError("components", f"Thành phần {pk} không thuộc thủ tục này (không được yêu cầu thêm giấy tờ).")
        )
    missing = []
    for index, component in enumerate(published):
        given = by_id.get(component.pk)
        provided = bool(given and (given.provided or given.uploads))
        if component.required and not provided and not (online and component.shown_in_person):
            missing.append(component.name)
        uploads = []
        for upload in given.uploads if given else ():
            result = check_upload(field=f"components.{index}.files", name=upload.name, content=upload.content)
            if isinstance(result, FieldError):
                errors.append(result)
            else:
                uploads.append((result, upload.reused_from))
        checked.append((component, provided, uploads))
    return checked, errors, missing


def _store_components(dossier: Dossier, checked: list, *, by) -> None:
    for order, (component, provided, uploads) in enumerate(checked):
        row = DossierComponent.objects.create(
            dossier=dossier,
            procedure_component=component,
            order=order,
            name=component.name,
            originals=component.originals,
            certified_copies=component.certified_copies,
            photocopies=component.photocopies,
            required=component.required,
            provided=provided,
        )
        for upload, reused_from in uploads:
            store_upload(row, upload, by=by, reused_from=reused_from)


def store_upload(
    component: DossierComponent, upload: CheckedUpload, *, by, reused_from: str = "", supplement: bool = False
) -> DossierFile:
    stored = DossierFile(
        component=component,
        original_name=upload.name,
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=upload.sha256,
        uploaded_by=actor(by),
        reused=bool(reused_from),
        reused_from=reused_from[:100],
        supplement=supplement,
    )
    stored.file.save(storage_name(upload), ContentFile(upload.content), save=False)
    remember_written(stored.file)
    stored.save()
    return stored


def _validate_applicant(applicant: ApplicantInput, channel: int) -> list[FieldError]:
    errors = []
    if not applicant.name.strip():
        errors.append(FieldError("applicant.name", "Tên chủ hồ sơ không được để trống."))
    if channel == Channel.ONLINE and not (applicant.email or applicant.phone):
        errors.append(
            FieldError("applicant.email", "Hồ sơ trực tuyến cần thư điện tử hoặc số điện thoại để nhận thông báo.")
        )
    return errors


@discarded_on_error()
@transaction.atomic
def receive_dossier(
    *,
    by,
    procedure,
    agency,
    channel: int,
    applicant: ApplicantInput,
    components: list[ComponentInput],
    sets_count: int = 1,
    fee_amount: int | None = None,
    receiving_agency=None,
) -> Dossier:
    """Reception at the counter (or by post): complete dossiers only, clock starts now, Mẫu 01.

    ``agency`` decides; ``receiving_agency`` (default: ``agency``) is where the dossier is received,
    another level's agency for liên thông across levels (its process says how the dossier travels
    and brings the result back there)."""
    now = timezone.now()
    procedure, procedure_version = procedure_in_force(procedure)
    if channel not in (Channel.IN_PERSON, Channel.POST):
        raise ValidationFailed.field("channel", "Tiếp nhận tại quầy chỉ cho kênh trực tiếp hoặc bưu chính.")
    receiving_agency = receiving_agency or agency
    receiving_unit = organisations.receiving_unit_of(receiving_agency, timezone.localdate())
    if receiving_unit is None:
        raise ValidationFailed.field("agency", f"{receiving_agency.name} chưa có bộ phận một cửa đang hoạt động.")
    policy.require(by, "dossier.receive", receiving_unit)
    errors = _validate_applicant(applicant, channel)
    if not procedure.agencies.filter(pk=agency.pk).exists():
        errors.append(FieldError("procedure", f"{agency.name} không thực hiện thủ tục '{procedure.name}'."))
    checked, upload_errors, missing = resolve_components(procedure, components)
    errors += upload_errors
    if missing:
        errors.append(FieldError("components", "Thiếu thành phần hồ sơ: " + "; ".join(missing) + "."))
    if sets_count < 1:
        errors.append(FieldError("sets_count", "Số bộ hồ sơ phải từ 1 trở lên."))
    if errors:
        raise ValidationFailed(errors)
    rule_set = rule_set_on(timezone.localtime(now).date())
    process = active_process(procedure, agency, receiving_agency)
    dossier = Dossier(
        # TT 01/2018 Đ19: the daily series is the receiving agency's.
        code=next_code(agency=receiving_agency, rule_set=rule_set, at=now),
        procedure=procedure,
        procedure_version=procedure_version,
        agency=agency,
        receiving_unit=receiving_unit,
        process=process,
        rule_set=rule_set,
        channel=channel,
        status=Status.RECEIVED,
        applicant_name=applicant.name.strip(),
        applicant_identity=applicant.identity,
        submitter_name=applicant.submitter_name or applicant.name,
        address=applicant.address,
        phone=applicant.phone,
        email=applicant.email,
        matter=applicant.matter,
        sets_count=sets_count,
        submitted_at=now,
        fee_amount=fee_amount if fee_amount is not None else total_fee(procedure),
    )
    dossier.save()
    start_clock(dossier, at=now, by=by)
    dossier.save()
    _store_components(dossier, checked, by=by)
    event(dossier, action="receive", from_status=None, actor=by)
    documents.issue(dossier, "receipt", by=by)
    documents.notify(dossier, "dossier.received")
    # Last, so the audit chain's head row is locked only until the commit, not while the form is
    # rendered and signed: every audited write of the platform waits for that row (ADR 0004).
    audit.record(actor=by, action="dossier.receive", target=dossier, after=snapshot(dossier) | {"code": dossier.code})
    return dossier


@discarded_on_error()
@transaction.atomic
def submit_online(
    *, by, procedure, agency, applicant: ApplicantInput, components: list[ComponentInput], sets_count: int = 1
) -> Dossier:
    """An online submission: status 1 (Mới đăng ký), no clock until a receiving officer accepts."""
    now = timezone.now()
    procedure, procedure_version = procedure_in_force(procedure)
    receiving_unit = organisations.receiving_unit_of(agency, timezone.localdate())
    errors = _validate_applicant(applicant, Channel.ONLINE)
    if receiving_unit is None:
        errors.append(FieldError("agency", f"{agency.name} chưa có bộ phận một cửa đang hoạt động."))
    if not procedure.agencies.filter(pk=agency.pk).exists():
        errors.append(FieldError("procedure", f"{agency.name} không thực hiện thủ tục '{procedure.name}'."))
    checked, upload_errors, missing = resolve_components(procedure, components, online=True)
    errors += upload_errors
    if missing:
        errors.append(FieldError("components", "Thiếu thành phần hồ sơ: " + "; ".join(missing) + "."))
    if errors:
        raise ValidationFailed(errors)
    rule_set = rule_set_on(timezone.localtime(now).date())
    dossier = Dossier.objects.create(
        code=next_code(agency=agency, rule_set=rule_set, at=now),
        procedure=procedure,
        procedure_version=procedure_version,
        agency=agency,
        receiving_unit=receiving_unit,
        process=active_process(procedure, agency),
        rule_set=rule_set,
        channel=Channel.ONLINE,
        status=Status.NEW,
        applicant_name=applicant.name.strip(),
        applicant_identity=applicant.identity,
        submitter_name=applicant.submitter_name or applicant.name,
        applicant_user=actor(by),
        address=applicant.address,
        phone=applicant.phone,
        email=applicant.email,
        matter=applicant.matter,
        sets_count=sets_count,
        submitted_at=now,
        current_unit=receiving_unit,
        fee_amount=total_fee(procedure),
    )
    _store_components(dossier, checked, by=by)
    event(dossier, action="submit", from_status=None, actor=by)
    audit.record(
        actor=by, action="dossier.submit_online", target=dossier, after=snapshot(dossier) | {"code": dossier.code}
    )
    return dossier


INCOMPLETE_REASON = "Hồ sơ chưa có đủ thành phần theo quy định của thủ tục hành chính."


@transaction.atomic
def turn_away_incomplete(
    *,
    by,
    procedure,
    agency,
    applicant: ApplicantInput,
    components: list[ComponentInput],
    items: list[str] | tuple[str, ...] = (),
    reason: str = "",
) -> IncompleteSubmission:
    """A dossier found incomplete at the counter: it is not received and no dossier code is spent;
    the applicant leaves with a signed Mẫu 02 listing, at once, every missing component of the
    procedure and anything else the officer adds (NĐ 61/2018 Đ15 khoản 2 điểm b)."""
    now = timezone.now()
    receiving_unit = organisations.receiving_unit_of(agency, timezone.localdate())
    if receiving_unit is None:
        raise ValidationFailed.field("agency", f"{agency.name} chưa có bộ phận một cửa đang hoạt động.")
    policy.require(by, "dossier.receive", receiving_unit)
    errors = []
    if not applicant.name.strip():
        errors.append(FieldError("applicant.name", "Tên chủ hồ sơ không được để trống."))
    if not procedure.agencies.filter(pk=agency.pk).exists():
        errors.append(FieldError("procedure", f"{agency.name} không thực hiện thủ tục '{procedure.name}'."))
    # Files are not kept for a dossier that is not received: only what is missing matters here.
    _checked, _upload_errors, missing = resolve_components(procedure, components)
    wanted = [*missing, *(str(i).strip() for i in items if str(i).strip())]
    if not wanted:
        errors.append(
            FieldError(
                "items",
                "Hồ sơ đã có đủ thành phần bắt buộc: hãy tiếp nhận, hoặc ghi rõ nội dung cần bổ sung.",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    reason = (reason or "").strip()[:1000] or INCOMPLETE_REASON
    rule_set = rule_set_on(timezone.localtime(now).date())
    number = documents.allocate_number("supplement_request", receiving_unit, now)
    pdf = documents.incomplete_notice_pdf(
        procedure=procedure,
        receiving_unit=receiving_unit,
        form_set=rule_set.form_set,
        applicant=applicant,
        items=wanted,
        reason=reason,
        number=number,
        by=by,
    )
    from egov.forms.selectors import current_template_of_kind

    template = current_template_of_kind(form_set=rule_set.form_set, kind="supplement")
    row = IncompleteSubmission(
        procedure=procedure,
        agency=agency,
        receiving_unit=receiving_unit,
        rule_set=rule_set,
        applicant_name=applicant.name.strip()[:200],
        applicant_identity=applicant.identity[:20],
        address=applicant.address[:300],
        phone=applicant.phone[:20],
        email=applicant.email[:254],
        items=wanted,
        reason=reason,
        number=number,
        form_set=rule_set.form_set,
        form_code=template.code,
        sha256=hashlib.sha256(pdf).hexdigest(),
        issued_at=now,
        issued_by=actor(by),
    )
    row.pdf.save(f"mau-{template.code}-{receiving_unit.pk}-{now:%Y}-{number}.pdf", ContentFile(pdf), save=False)
    row.save()
    audit.record(
        actor=by,
        action="dossier.turn_away_incomplete",
        target=row,
        after={"procedure": procedure.code, "agency": agency.pk, "number": number, "items": wanted},
    )
    return row
