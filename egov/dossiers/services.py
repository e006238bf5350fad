"""Every change to a dossier: reception, routing, supplements, apologies, results.

Each action locks the dossier row, checks the transition table (``statuses.TRANSITIONS``) and the
policy, changes the row, its tasks and its history in one transaction, records the audit trail,
issues the legal form it calls for and queues the notification (sent after commit).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.calendar import engine
from egov.calendar import selectors as calendar
from egov.catalogue import selectors as catalogue
from egov.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from egov.core.uploads import CheckedUpload, check_upload, storage_name
from egov.dossiers import documents
from egov.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFile,
    DossierResult,
    DossierSequence,
    DossierTask,
    ProcessStep,
    RuleSet,
    SupplementRequest,
)
from egov.dossiers.selectors import active_process, rule_set_on
from egov.dossiers.statuses import Channel, Status, transition_for
from egov.organisations import selectors as organisations

__all__ = [
    "ApplicantInput",
    "ComponentInput",
    "UploadInput",
    "receive_dossier",
    "attach_result",
    "submit_online",
    "perform",
    "next_code",
    "acting_unit",
    "ACTIONS",
]


class DeadlineRuleViolation(ValidationFailed):
    """A legal time limit forbids the action (e.g. supplement requested too late)."""

    code = "deadline_rule_violation"


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


# --- codes ------------------------------------------------------------------------------------


def _agency_code(agency, rule_set: RuleSet) -> str:
    if rule_set.agency_code_form == "legacy" and agency.legacy_code:
        return agency.legacy_code
    return agency.code or agency.legacy_code


def _next_sequence(agency, day) -> int:
    """Atomically take the next number of ``agency``'s daily series (one UPDATE; safe under
    concurrent reception on PostgreSQL and SQLite)."""
    for _ in range(3):
        updated = DossierSequence.objects.filter(agency=agency, day=day).update(last=F("last") + 1)
        if updated:
            return DossierSequence.objects.get(agency=agency, day=day).last
        try:
            with transaction.atomic():
                DossierSequence.objects.create(agency=agency, day=day, last=1)
            return 1
        except IntegrityError:
            continue  # another reception created today's row first; increment it
    raise Conflict("Không cấp được số hồ sơ, vui lòng thử lại.")


def next_code(*, agency, rule_set: RuleSet, at: datetime) -> str:
    day = timezone.localtime(at).date()
    seq = _next_sequence(agency, day)
    return rule_set.code_format.format(agency=_agency_code(agency, rule_set), yymmdd=day.strftime("%y%m%d"), seq=seq)


# --- helpers ------------------------------------------------------------------------------------


def _event(dossier: Dossier, *, action: str, from_status: int | None, actor, data: dict | None = None) -> None:
    DossierEvent.objects.create(
        dossier=dossier,
        at=timezone.now(),
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data or {},
    )


def _total_fee(procedure) -> int:
    return sum(procedure.fees.values_list("amount", flat=True))


def _spec(dossier: Dossier):
    return calendar.spec_for(calendar.calendar_for(dossier.agency))


def _legal_due(dossier: Dossier, start: datetime) -> datetime:
    amount, unit = catalogue.duration_for(dossier.procedure, dossier.channel)
    return engine.compute_due(_spec(dossier), start, amount, unit)


def _start_task(dossier: Dossier, step: ProcessStep, *, at: datetime, by, assignee=None) -> DossierTask:
    due = engine.add_working_hours(_spec(dossier), at, step.hours)
    task = DossierTask.objects.create(
        dossier=dossier,
        step=step,
        order=step.order,
        name=step.name,
        agency=step.agency,
        unit=step.unit,
        role=step.role,
        assignee=assignee,
        started_at=at,
        due_at=due,
        handed_by=by if getattr(by, "is_authenticated", False) else None,
    )
    dossier.current_task = task
    dossier.current_unit = step.unit
    dossier.current_assignee = assignee
    return task


def _close_open_tasks(dossier: Dossier, *, at: datetime, by, note: str = "") -> None:
    DossierTask.objects.filter(dossier=dossier, finished_at__isnull=True).update(
        finished_at=at, finished_by=by if getattr(by, "is_authenticated", False) else None, note=note[:500]
    )


def _snapshot(dossier: Dossier) -> dict:
    return audit.snapshot(
        dossier,
        ["status", "due_at", "current_unit_id", "current_assignee_id", "paused_at", "rescheduled", "fee_paid_at"],
    )


def _start_clock(dossier: Dossier, *, at: datetime, by) -> None:
    """Reception: the clock runs from now, tasks start at the first step."""
    dossier.received_at = at
    dossier.clock_started_at = at
    dossier.due_at = dossier.original_due_at = _legal_due(dossier, at)
    dossier.received_by = by if getattr(by, "is_authenticated", False) else None
    first = dossier.process.steps.order_by("order").first()
    _start_task(dossier, first, at=at, by=by)


# --- reception ------------------------------------------------------------------------------------


def _resolve_components(procedure, components: list[ComponentInput]) -> tuple[list, list[FieldError], list]:
    """Match the input to the procedure's published components; report every missing one at once."""
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
        if component.required and not provided:
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
            _store_upload(row, upload, by=by, reused_from=reused_from)


def _store_upload(
    component: DossierComponent, upload: CheckedUpload, *, by, reused_from: str = "", supplement: bool = False
) -> DossierFile:
    stored = DossierFile(
        component=component,
        original_name=upload.name,
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=upload.sha256,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        reused=bool(reused_from),
        reused_from=reused_from[:100],
        supplement=supplement,
    )
    stored.file.save(storage_name(upload), ContentFile(upload.content), save=False)
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
) -> Dossier:
    """Reception at the counter (or by post): complete dossiers only, clock starts now, Mẫu 01."""
    now = timezone.now()
    if channel not in (Channel.IN_PERSON, Channel.POST):
        raise ValidationFailed.field("channel", "Tiếp nhận tại quầy chỉ cho kênh trực tiếp hoặc bưu chính.")
    receiving_unit = organisations.receiving_unit_of(agency, timezone.localdate())
    if receiving_unit is None:
        raise ValidationFailed.field("agency", f"{agency.name} chưa có bộ phận một cửa đang hoạt động.")
    policy.require(by, "dossier.receive", receiving_unit)
    errors = _validate_applicant(applicant, channel)
    if not procedure.agencies.filter(pk=agency.pk).exists():
        errors.append(FieldError("procedure", f"{agency.name} không thực hiện thủ tục '{procedure.name}'."))
    checked, upload_errors, missing = _resolve_components(procedure, components)
    errors += upload_errors
    if missing:
        errors.append(FieldError("components", "Thiếu thành phần hồ sơ: " + "; ".join(missing) + "."))
    if sets_count < 1:
        errors.append(FieldError("sets_count", "Số bộ hồ sơ phải từ 1 trở lên."))
    if errors:
        raise ValidationFailed(errors)
    rule_set = rule_set_on(timezone.localtime(now).date())
    dossier = Dossier(
        code=next_code(agency=agency, rule_set=rule_set, at=now),
        procedure=procedure,
        agency=agency,
        receiving_unit=receiving_unit,
        process=active_process(procedure, agency),
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
        fee_amount=fee_amount if fee_amount is not None else _total_fee(procedure),
    )
    dossier.save()
    _start_clock(dossier, at=now, by=by)
    dossier.save()
    _store_components(dossier, checked, by=by)
    _event(dossier, action="receive", from_status=None, actor=by)
    documents.issue(dossier, "receipt", by=by)
    documents.notify(dossier, "dossier.received")
    # Last, so the audit chain's head row is locked only until the commit, not while the form is
    # rendered and signed: every audited write of the platform waits for that row (ADR 0004).
    audit.record(actor=by, action="dossier.receive", target=dossier, after=_snapshot(dossier) | {"code": dossier.code})
    return dossier


@transaction.atomic
def submit_online(
    *, by, procedure, agency, applicant: ApplicantInput, components: list[ComponentInput], sets_count: int = 1
) -> Dossier:
    """An online submission: status 1 (Mới đăng ký), no clock until a receiving officer accepts."""
    now = timezone.now()
    receiving_unit = organisations.receiving_unit_of(agency, timezone.localdate())
    errors = _validate_applicant(applicant, Channel.ONLINE)
    if receiving_unit is None:
        errors.append(FieldError("agency", f"{agency.name} chưa có bộ phận một cửa đang hoạt động."))
    if not procedure.agencies.filter(pk=agency.pk).exists():
        errors.append(FieldError("procedure", f"{agency.name} không thực hiện thủ tục '{procedure.name}'."))
    checked, upload_errors, missing = _resolve_components(procedure, components)
    errors += upload_errors
    if missing:
        errors.append(FieldError("components", "Thiếu thành phần hồ sơ: " + "; ".join(missing) + "."))
    if errors:
        raise ValidationFailed(errors)
    rule_set = rule_set_on(timezone.localtime(now).date())
    dossier = Dossier.objects.create(
        code=next_code(agency=agency, rule_set=rule_set, at=now),
        procedure=procedure,
        agency=agency,
        receiving_unit=receiving_unit,
        process=active_process(procedure, agency),
        rule_set=rule_set,
        channel=Channel.ONLINE,
        status=Status.NEW,
        applicant_name=applicant.name.strip(),
        applicant_identity=applicant.identity,
        submitter_name=applicant.submitter_name or applicant.name,
        applicant_user=by if getattr(by, "is_authenticated", False) else None,
        address=applicant.address,
        phone=applicant.phone,
        email=applicant.email,
        matter=applicant.matter,
        sets_count=sets_count,
        submitted_at=now,
        current_unit=receiving_unit,
        fee_amount=_total_fee(procedure),
    )
    _store_components(dossier, checked, by=by)
    _event(dossier, action="submit", from_status=None, actor=by)
    audit.record(
        actor=by, action="dossier.submit_online", target=dossier, after=_snapshot(dossier) | {"code": dossier.code}
    )
    return dossier


@transaction.atomic
def submit_supplement(*, by, code: str, components: list[ComponentInput], note: str = "") -> Dossier:
    """The applicant hands in a supplement online, after a Mẫu 02 request: the files join the dossier's
    components and the dossier goes back to where it was (the clock resumes as the rule set says)."""
    dossier = Dossier.objects.select_for_update(of=("self",)).filter(code=code).first()
    own = dossier is not None and getattr(by, "is_authenticated", False) and dossier.applicant_user_id == by.pk
    if not own:
        from egov.core.errors import NotFound

        raise NotFound(f"Không tìm thấy hồ sơ có mã '{code}'.")
    transition_for("supplement", dossier.status)  # 409 unless a supplement is awaited
    rows = {row.procedure_component_id: row for row in dossier.components.all()}
    errors: list[FieldError] = []
    accepted = []
    for index, given in enumerate(components):
        row = rows.get(given.procedure_component_id)
        if row is None:
            errors.append(FieldError("components", f"Thành phần {given.procedure_component_id} không thuộc hồ sơ này."))
            continue
        for upload in given.uploads:
            result = check_upload(field=f"components.{index}.files", name=upload.name, content=upload.content)
            if isinstance(result, FieldError):
                errors.append(result)
            else:
                accepted.append((row, result, upload.reused_from))
    if not accepted and not errors:
        errors.append(FieldError("components", "Cần đính kèm ít nhất một tệp hồ sơ bổ sung."))
    if len(note) > 1000:
        errors.append(FieldError("note", "Ghi chú tối đa 1.000 ký tự."))
    if errors:
        raise ValidationFailed(errors)
    for row, upload, reused_from in accepted:
        _store_upload(row, upload, by=by, reused_from=reused_from, supplement=True)
        if not row.provided:
            DossierComponent.objects.filter(pk=row.pk).update(provided=True)
    payload = {"note": note.strip(), "files": len(accepted), "_applicant_files": True}
    return perform(by=by, code=code, action="supplement", payload=payload)


# --- actions ----------------------------------------------------------------------------------------


def acting_unit(dossier: Dossier, permission: str):
    """The unit whose officers may perform an action needing ``permission`` on ``dossier``.

    The one-stop unit's own actions (``dossier.receive``: receiving a supplement, recording a payment,
    a withdrawal, the return) stay with the receiving unit while a division holds the dossier: the
    applicant deals only with the one-stop unit (NĐ 61/2018). Every other action belongs to the unit
    that holds the dossier now.
    """
    if permission == "dossier.receive":
        return dossier.receiving_unit
    return dossier.current_unit or dossier.receiving_unit


def _require_current_holder(by, dossier: Dossier, permission: str) -> None:
    policy.require(by, permission, acting_unit(dossier, permission))


HANDLING_PERMISSIONS = ("dossier.receive", "dossier.process", "dossier.approve")


def _require_step_worker(by, task: DossierTask) -> None:
    """Officers of the step's unit who handle dossiers in any capacity may work on the step."""
    if not any(policy.has(by, perm, task.unit) for perm in HANDLING_PERMISSIONS):
        raise PermissionDenied(f"Bước '{task.name}' do {task.unit.name} thực hiện.")


def _accept(dossier, *, by, now, payload):
    # The rule set in force on the reception date applies (not the submission date).
    dossier.rule_set = rule_set_on(timezone.localtime(now).date())
    _start_clock(dossier, at=now, by=by)
    dossier.status = Status.RECEIVED
    dossier.save()
    return "receipt", "dossier.received"


def _refuse(dossier, *, by, now, payload):
    reason = (payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "Cần nêu lý do từ chối tiếp nhận.")
    dossier.closed_reason = reason[:500]
    dossier.status = Status.REFUSED
    dossier.finished_at = now
    _close_open_tasks(dossier, at=now, by=by, note=reason)
    dossier.current_assignee = None
    dossier.save()
    return "refusal", None


def _request_supplement(dossier, *, by, now, payload):
    # Whoever handles the dossier where it is asks: the one-stop unit's officer at reception (also for
    # an online dossier not yet received), the appraising division later.
    holder = dossier.current_unit or dossier.receiving_unit
    if not any(policy.has(by, perm, holder) for perm in HANDLING_PERMISSIONS):
        raise PermissionDenied(f"Yêu cầu bổ sung hồ sơ do {holder.name} thực hiện.")
    items = [str(i).strip() for i in payload.get("items") or [] if str(i).strip()]
    reason = (payload.get("reason") or "").strip()
    errors = []
    if not items:
        errors.append(FieldError("items", "Cần liệt kê đầy đủ các nội dung phải bổ sung (một lần)."))
    if not reason:
        errors.append(FieldError("reason", "Cần nêu lý do yêu cầu bổ sung."))
    if errors:
        raise ValidationFailed(errors)
    if dossier.received_at is not None:
        # NĐ 61/2018 Đ19: within N working days of reception (rule set).
        limit = dossier.rule_set.supplement_within_working_days
        spent = engine.working_time_between(_spec(dossier), dossier.received_at, now)
        if spent > _spec(dossier).day_length * limit:
            raise DeadlineRuleViolation.field(
                "action",
                f"Đã quá {limit} ngày làm việc kể từ khi tiếp nhận: không được yêu cầu bổ sung (NĐ 61/2018 Đ19).",
            )
    SupplementRequest.objects.create(
        dossier=dossier,
        items=items,
        reason=reason[:1000],
        requested_at=now,
        requested_by=by if getattr(by, "is_authenticated", False) else None,
        old_due_at=dossier.due_at,
    )
    dossier.paused_at = now
    dossier.status = Status.WAITING_SUPPLEMENT
    dossier.save()
    return "supplement_request", "dossier.supplement_requested"


def _resume_clock(dossier: Dossier, *, now, restart: bool) -> timedelta:
    """Give back the paused time: restart the legal time from now, or extend by the paused time."""
    spec = _spec(dossier)
    paused = engine.working_time_between(spec, dossier.paused_at, now) if dossier.paused_at else timedelta(0)
    task = dossier.current_task
    if restart:
        dossier.clock_started_at = now
        dossier.due_at = _legal_due(dossier, now)
        if task is not None:
            DossierTask.objects.filter(pk=task.pk).update(
                started_at=now, due_at=engine.add_working_hours(spec, now, task.step.hours)
            )
    else:
        if dossier.due_at is not None:
            dossier.due_at = engine.add_working_time(spec, dossier.due_at, paused)
        if task is not None:
            DossierTask.objects.filter(pk=task.pk).update(due_at=engine.add_working_time(spec, task.due_at, paused))
    dossier.paused_seconds += int(paused.total_seconds())
    dossier.paused_at = None
    return paused


def _supplement(dossier, *, by, now, payload):
    request = dossier.supplement_requests.filter(fulfilled_at__isnull=True).order_by("-requested_at").first()
    if dossier.received_at is None:
        dossier.status = Status.NEW  # an online dossier completed before reception
        dossier.paused_at = None
    else:
        restart = dossier.rule_set.supplement_policy == RuleSet.SupplementPolicy.RESTART
        _resume_clock(dossier, now=now, restart=restart)
        dossier.status = Status.PROCESSING
    dossier.save()
    if request is not None:
        SupplementRequest.objects.filter(pk=request.pk).update(fulfilled_at=now, new_due_at=dossier.due_at)
    return None, None


def _claim(dossier, *, by, now, payload):
    task = dossier.current_task
    if task is None:
        raise Conflict("Hồ sơ không có bước đang xử lý.")
    if dossier.current_assignee_id is not None:
        raise Conflict(
            "Hồ sơ đã có người nhận xử lý.", details={"current_assignee": dossier.current_assignee.get_username()}
        )
    _require_step_worker(by, task)
    dossier.current_assignee = by
    DossierTask.objects.filter(pk=task.pk).update(assignee=by)
    dossier.save()
    return None, None


def _reassign(dossier, *, by, now, payload):
    from egov.people.models import Position, User

    task = dossier.current_task
    username = (payload.get("assignee") or "").strip()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed.field("assignee", f"Không tìm thấy cán bộ '{username}'.")
    in_unit = Position.objects.active_on(timezone.localdate()).filter(
        user=user, unit__path__startswith=task.agency.path
    )
    if not in_unit.exists():
        raise ValidationFailed.field("assignee", f"{user} không công tác tại {task.agency.name}.")
    dossier.current_assignee = user
    DossierTask.objects.filter(pk=task.pk).update(assignee=user)
    dossier.save()
    return None, None


def _forward(dossier, *, by, now, payload):
    """Finish the current step; start the next (possibly at another agency: liên thông), or finish."""
    task = dossier.current_task
    if task is None:
        raise Conflict("Hồ sơ không có bước đang xử lý.")
    _require_step_worker(by, task)
    if task.assignee_id is not None and task.assignee_id != getattr(by, "pk", None) and by is not None:
        raise Conflict(
            f"Bước này do {task.assignee} xử lý.", details={"current_assignee": task.assignee.get_username()}
        )
    note = (payload.get("note") or "").strip()[:500]
    DossierTask.objects.filter(pk=task.pk).update(
        finished_at=now, finished_by=by if getattr(by, "is_authenticated", False) else None, note=note
    )
    following = dossier.process.steps.filter(order__gt=task.order).order_by("order").first()
    if following is None:
        dossier.status = Status.DONE
        dossier.finished_at = now
        dossier.current_task = None
        dossier.current_unit = dossier.receiving_unit  # the result comes back to where it was received
        dossier.current_assignee = None
        dossier.save()
        return None, "dossier.result_ready"
    _start_task(dossier, following, at=now, by=by)
    dossier.status = Status.PROCESSING
    dossier.save()
    return None, None


def _request_payment(dossier, *, by, now, payload):
    amount = payload.get("amount", dossier.fee_amount)
    try:
        amount = int(amount)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed.field("amount", "Số tiền phải là số nguyên (đồng).") from exc
    if amount <= 0:
        raise ValidationFailed.field("amount", "Số tiền phải lớn hơn 0.")
    dossier.fee_amount = amount
    dossier.paused_at = now
    dossier.status = Status.WAITING_PAYMENT
    dossier.save()
    return None, None


def _record_payment(dossier, *, by, now, payload):
    if dossier.fee_paid_at is not None:
        raise Conflict("Hồ sơ đã được ghi nhận nộp phí.")
    if dossier.fee_amount <= 0:
        raise ValidationFailed.field("amount", "Hồ sơ không có khoản phí, lệ phí nào phải nộp.")
    dossier.fee_paid_at = now
    if dossier.status == Status.WAITING_PAYMENT:
        _resume_clock(dossier, now=now, restart=False)
        dossier.status = Status.PROCESSING
    dossier.save()
    return None, None


def _apologize(dossier, *, by, now, payload):
    reason = (payload.get("reason") or "").strip()
    raw_new_due = payload.get("new_due_at")
    errors = []
    if not reason:
        errors.append(FieldError("reason", "Cần nêu lý do chậm trễ."))
    new_due = raw_new_due if isinstance(raw_new_due, datetime) else None
    if new_due is None and raw_new_due:
        try:
            new_due = datetime.fromisoformat(str(raw_new_due))
        except ValueError:
            new_due = None
    if new_due is None or timezone.is_naive(new_due):
        errors.append(FieldError("new_due_at", "Ngày hẹn trả mới không hợp lệ (ISO 8601 có múi giờ)."))
    if errors:
        raise ValidationFailed(errors)
    if dossier.rescheduled:
        raise DeadlineRuleViolation.field("action", "Chỉ được hẹn lại ngày trả kết quả một lần.")
    spec = _spec(dossier)
    lead = dossier.rule_set.apology_min_working_days_before_due
    if engine.working_time_between(spec, now, dossier.due_at) < spec.day_length * lead:
        raise DeadlineRuleViolation.field(
            "action", f"Phải xin lỗi và hẹn lại chậm nhất {lead} ngày làm việc trước hạn trả kết quả."
        )
    if new_due <= dossier.due_at:
        raise ValidationFailed.field("new_due_at", "Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại.")
    dossier.original_due_at = dossier.original_due_at or dossier.due_at
    payload["_old_due_at"] = dossier.due_at
    dossier.due_at = new_due
    dossier.rescheduled = True
    dossier.save()
    return "apology", "dossier.apology"


def _close(status: Status):
    def close(dossier, *, by, now, payload):
        reason = (payload.get("reason") or "").strip()
        if not reason:
            raise ValidationFailed.field("reason", "Cần nêu lý do.")
        dossier.closed_reason = reason[:500]
        dossier.status = status
        dossier.finished_at = now
        if dossier.paused_at is not None:
            dossier.paused_at = None
        _close_open_tasks(dossier, at=now, by=by, note=reason)
        dossier.current_task = None
        dossier.current_assignee = None
        dossier.save()
        return None, None

    return close


def _return_result(dossier, *, by, now, payload):
    method = payload.get("method") or "counter"
    if method not in ("counter", "post", "online"):
        raise ValidationFailed.field("method", "Hình thức trả phải là 'counter', 'post' hoặc 'online'.")
    if dossier.fee_amount > 0 and dossier.fee_paid_at is None:
        raise Conflict("Hồ sơ chưa hoàn thành nghĩa vụ tài chính (phí, lệ phí).")
    dossier.status = Status.RETURNED
    dossier.returned_at = now
    dossier.return_method = method
    dossier.save()
    return None, None


ACTIONS = {
    "accept": _accept,
    "refuse": _refuse,
    "request_supplement": _request_supplement,
    "supplement": _supplement,
    "claim": _claim,
    "reassign": _reassign,
    "forward": _forward,
    "request_payment": _request_payment,
    "record_payment": _record_payment,
    "apologize": _apologize,
    "withdraw": _close(Status.WITHDRAWN),
    "stop": _close(Status.STOPPED),
    "return_result": _return_result,
}


RESULT_STATUSES = frozenset({Status.PROCESSING, Status.DONE})


def may_attach_result(by, dossier: Dossier) -> bool:
    """The officers of the unit holding the dossier now, or those who process/approve for its agency."""
    if dossier.status not in RESULT_STATUSES:
        return False
    unit = dossier.current_unit or dossier.receiving_unit
    return any(policy.has(by, perm, unit) for perm in HANDLING_PERMISSIONS) or any(
        policy.has(by, perm, dossier.agency) for perm in ("dossier.process", "dossier.approve")
    )


@transaction.atomic
def attach_result(*, by, code: str, name: str, upload: UploadInput) -> DossierResult:
    """Attach a result document: a PDF, signed with the handling agency's key (e-result)."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("agency").filter(code=code).first()
    if dossier is None:
        from egov.core.errors import NotFound

        raise NotFound(f"Không tìm thấy hồ sơ có mã '{code}'.")
    if not may_attach_result(by, dossier):
        raise PermissionDenied(f"Chỉ cán bộ đang xử lý hồ sơ tại {dossier.agency.name} được đính kèm kết quả.")
    if dossier.status not in RESULT_STATUSES:
        raise Conflict(
            f"Chỉ đính kèm kết quả khi hồ sơ đang xử lý hoặc đã xử lý xong (hiện: {Status(dossier.status).label}).",
            details={"current_status": dossier.status},
        )
    errors = []
    if not name.strip():
        errors.append(FieldError("name", "Cần ghi tên giấy tờ kết quả."))
    checked = check_upload(field="file", name=upload.name, content=upload.content)
    if isinstance(checked, FieldError):
        errors.append(checked)
    elif checked.content_type != "application/pdf":
        errors.append(FieldError("file", "Kết quả điện tử phải là tệp PDF để ký số."))
    if errors:
        raise ValidationFailed(errors)
    signed = documents.sign_result(dossier, checked.content, name=name.strip())
    result = DossierResult(
        dossier=dossier,
        name=name.strip()[:500],
        sha256=hashlib.sha256(signed).hexdigest(),
        signed_by_unit=dossier.agency,
        issued_at=timezone.now(),
        issued_by=by if getattr(by, "is_authenticated", False) else None,
    )
    result.pdf.save(f"{dossier.code}-ket-qua.pdf", ContentFile(signed), save=False)
    result.save()
    Dossier.objects.filter(pk=dossier.pk).update(version=F("version") + 1)
    _event(dossier, action="attach_result", from_status=dossier.status, actor=by, data={"name": result.name})
    audit.record(
        actor=by, action="dossier.attach_result", target=dossier, after={"result": result.name, "sha256": result.sha256}
    )
    return result


@transaction.atomic
def perform(*, by, code: str, action: str, payload: dict | None = None, expected_version: int | None = None) -> Dossier:
    """Perform ``action`` on the dossier ``code``. Two officers acting at once: the row lock makes
    one wait, and it then finds the dossier changed (409)."""
    payload = dict(payload or {})
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency", "receiving_unit", "rule_set", "current_task", "current_task__step")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        from egov.core.errors import NotFound

        raise NotFound(f"Không tìm thấy hồ sơ có mã '{code}'.")
    if expected_version is not None and expected_version != dossier.version:
        raise Conflict(
            "Hồ sơ vừa được người khác cập nhật; hãy tải lại.",
            details={"current_status": dossier.status, "current_version": dossier.version},
        )
    transition = transition_for(action, dossier.status)
    # The applicant withdraws their own dossier, and hands in a supplement online (submit_supplement).
    applicant_action = (
        getattr(by, "is_authenticated", False)
        and dossier.applicant_user_id is not None
        and dossier.applicant_user_id == by.pk
        and (action == "withdraw" or (action == "supplement" and payload.get("_applicant_files")))
    )
    if not applicant_action:
        _require_current_holder(by, dossier, transition.permission)
    before = _snapshot(dossier)
    from_status = dossier.status
    now = timezone.now()
    form, notification = ACTIONS[action](dossier, by=by, now=now, payload=payload)
    Dossier.objects.filter(pk=dossier.pk).update(version=F("version") + 1)
    dossier.version += 1
    _event(dossier, action=action, from_status=from_status, actor=by, data=_public_payload(payload))
    if form:
        documents.issue(dossier, form, by=by, extra=payload)
    if notification:
        documents.notify(dossier, notification, extra=payload)
    # Last: the audit chain's head row stays locked only until the commit (see receive_dossier).
    audit.record(
        actor=by,
        action=f"dossier.{action}",
        target=dossier,
        before=before,
        after=_snapshot(dossier) | {"payload": _public_payload(payload)},
    )
    return dossier


def _public_payload(payload: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in payload.items() if not k.startswith("_")}
