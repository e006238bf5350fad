"""The actions on a dossier after it exists: one service per action of the transition table
(``statuses.TRANSITIONS``), each keyword-only and atomic.

Every action locks the dossier row, checks the version the caller saw, the transition table and the
policy (who holds the dossier, or the applicant where the law lets them act), then changes the row, its
tasks and its history, issues the legal form the action calls for, queues the notification (sent after
commit) and records the audit trail. Two officers acting at once: the row lock makes one wait, and it
then finds the dossier changed (409).

``dossier`` is the row or its code; it is read again under the lock either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.calendar import engine
from egov.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from egov.core.uploads import check_upload, discarded_on_error
from egov.dossiers import documents
from egov.dossiers.models import Dossier, DossierComponent, DossierTask, RuleSet, SupplementRequest
from egov.dossiers.selectors import rule_set_on
from egov.dossiers.services.common import (
    HANDLING_PERMISSIONS,
    DeadlineRuleViolation,
    actor,
    close_open_tasks,
    event,
    is_applicant,
    not_found,
    require_current_holder,
    require_step_worker,
    resume_clock,
    snapshot,
    spec,
    start_clock,
    start_task,
)
from egov.dossiers.services.reception import ComponentInput, store_upload
from egov.dossiers.statuses import Status, transition_for

__all__ = [
    "ACTIONS",
    "RETURN_METHODS",
    "accept",
    "apologize",
    "claim",
    "forward",
    "reassign",
    "receive_supplement",
    "record_payment",
    "refuse",
    "request_payment",
    "request_supplement",
    "return_result",
    "stop",
    "submit_supplement",
    "withdraw",
]

RETURN_METHODS = ("counter", "post", "online")


@dataclass
class _Act:
    """One action under way: the locked row and what it was before."""

    action: str
    dossier: Dossier
    before: dict
    from_status: int
    now: datetime


def _lock(dossier: Dossier | str) -> Dossier:
    code = dossier if isinstance(dossier, str) else dossier.code
    row = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency", "receiving_unit", "rule_set", "current_task", "current_task__step")
        .filter(code=code)
        .first()
    )
    if row is None:
        raise not_found(code)
    return row


def _begin(action: str, *, by, dossier: Dossier | str, version: int | None, applicant_may: bool = False) -> _Act:
    """Lock, check the version, the transition table and the policy. ``applicant_may``: the applicant
    of an online dossier may take this action on it themselves (withdrawal, NĐ 61/2018 Đ15)."""
    row = _lock(dossier)
    if version is not None and version != row.version:
        raise Conflict(
            "Hồ sơ vừa được người khác cập nhật; hãy tải lại.",
            details={"current_status": row.status, "current_version": row.version},
        )
    transition = transition_for(action, row.status)
    if not (applicant_may and is_applicant(by, row)):
        require_current_holder(by, row, transition.permission)
    return _Act(action, row, snapshot(row), row.status, timezone.now())


def _finish(
    act: _Act, *, by, data: dict | None = None, form: str | None = None, notification: str | None = None, extra=None
) -> Dossier:
    dossier = act.dossier
    Dossier.objects.filter(pk=dossier.pk).update(version=F("version") + 1)
    dossier.version += 1
    data = data or {}
    event(dossier, action=act.action, from_status=act.from_status, actor=by, data=data)
    if form:
        documents.issue(dossier, form, by=by, extra=extra)
    if notification:
        documents.notify(dossier, notification, extra=extra)
    # Last: the audit chain's head row stays locked only until the commit (see receive_dossier).
    audit.record(
        actor=by,
        action=f"dossier.{act.action}",
        target=dossier,
        before=act.before,
        after=snapshot(dossier) | {"payload": data},
    )
    return dossier


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", message)
    return reason


# --- reception of an online dossier -------------------------------------------------------------------


@transaction.atomic
def accept(*, by, dossier: Dossier | str, version: int | None = None) -> Dossier:
    """Receive an online dossier (status 1 → 2): the clock starts now, Mẫu 01 is issued."""
    act = _begin("accept", by=by, dossier=dossier, version=version)
    row = act.dossier
    # The rule set in force on the reception date applies (not the submission date).
    row.rule_set = rule_set_on(timezone.localtime(act.now).date())
    start_clock(row, at=act.now, by=by)
    row.status = Status.RECEIVED
    row.save()
    return _finish(act, by=by, form="receipt", notification="dossier.received")


@transaction.atomic
def refuse(
    *, by, dossier: Dossier | str, reason: str, missing: list[str] | tuple[str, ...] = (), version: int | None = None
) -> Dossier:
    """Refuse reception (status 3), with the reason on Mẫu 03. Refused because it is incomplete
    (``missing``: what to add), the applicant gets instead a signed Mẫu 02 listing everything to add
    at once, and is told to hand the dossier in again (NĐ 61/2018 Đ15 khoản 2 điểm b)."""
    act = _begin("refuse", by=by, dossier=dossier, version=version)
    reason = _reason(reason, "Cần nêu lý do từ chối tiếp nhận.")
    missing = [str(i).strip() for i in missing or () if str(i).strip()]
    row = act.dossier
    row.closed_reason = reason[:500]
    row.status = Status.REFUSED
    row.finished_at = act.now
    close_open_tasks(row, at=act.now, by=by, note=reason)
    row.current_assignee = None
    row.save()
    if missing:
        return _finish(
            act,
            by=by,
            data={"reason": reason, "missing": missing},
            form="supplement_request",
            notification="dossier.refused_incomplete",
            extra={"items": missing, "reason": reason},
        )
    return _finish(act, by=by, data={"reason": reason}, form="refusal")


# --- supplements ------------------------------------------------------------------------------------


@transaction.atomic
def request_supplement(
    *, by, dossier: Dossier | str, items: list[str], reason: str, version: int | None = None
) -> Dossier:
    """Ask the applicant, once and completely, for what is missing (Mẫu 02); the clock pauses."""
    act = _begin("request_supplement", by=by, dossier=dossier, version=version)
    row, now = act.dossier, act.now
    # Whoever handles the dossier where it is asks: the one-stop unit's officer at reception (also for
    # an online dossier not yet received), the appraising division later.
    holder = row.current_unit or row.receiving_unit
    if not any(policy.has(by, perm, holder) for perm in HANDLING_PERMISSIONS):
        raise PermissionDenied(f"Yêu cầu bổ sung hồ sơ do {holder.name} thực hiện.")
    items = [str(i).strip() for i in items or [] if str(i).strip()]
    reason = (reason or "").strip()
    errors = []
    if not items:
        errors.append(FieldError("items", "Cần liệt kê đầy đủ các nội dung phải bổ sung (một lần)."))
    if not reason:
        errors.append(FieldError("reason", "Cần nêu lý do yêu cầu bổ sung."))
    if errors:
        raise ValidationFailed(errors)
    if row.received_at is not None:
        # NĐ 61/2018 Đ19: within N working days of reception (rule set).
        limit = row.rule_set.supplement_within_working_days
        calendar_spec = spec(row)
        if engine.working_time_between(calendar_spec, row.received_at, now) > calendar_spec.day_length * limit:
            raise DeadlineRuleViolation.field(
                "action",
                f"Đã quá {limit} ngày làm việc kể từ khi tiếp nhận: không được yêu cầu bổ sung (NĐ 61/2018 Đ19).",
            )
    SupplementRequest.objects.create(
        dossier=row,
        items=items,
        reason=reason[:1000],
        requested_at=now,
        requested_by=actor(by),
        old_due_at=row.due_at,
    )
    row.paused_at = now
    row.status = Status.WAITING_SUPPLEMENT
    row.save()
    return _finish(
        act,
        by=by,
        data={"items": items, "reason": reason},
        form="supplement_request",
        notification="dossier.supplement_requested",
    )


def _resume_after_supplement(act: _Act, *, by, data: dict) -> Dossier:
    row, now = act.dossier, act.now
    request = row.supplement_requests.filter(fulfilled_at__isnull=True).order_by("-requested_at").first()
    if row.received_at is None:
        row.status = Status.NEW  # an online dossier completed before reception
        row.paused_at = None
    else:
        restart = row.rule_set.supplement_policy == RuleSet.SupplementPolicy.RESTART
        resume_clock(row, now=now, restart=restart)
        row.status = Status.PROCESSING
    row.save()
    if request is not None:
        SupplementRequest.objects.filter(pk=request.pk).update(fulfilled_at=now, new_due_at=row.due_at)
    return _finish(act, by=by, data=data)


@discarded_on_error()
@transaction.atomic
def receive_supplement(*, by, dossier: Dossier | str, note: str = "", version: int | None = None) -> Dossier:
    """The one-stop unit receives the supplement handed in at the counter; the dossier goes back to
    where it was (the clock resumes as the rule set says)."""
    act = _begin("supplement", by=by, dossier=dossier, version=version)
    note = (note or "").strip()[:500]
    return _resume_after_supplement(act, by=by, data={"note": note} if note else {})


@transaction.atomic
def submit_supplement(*, by, code: str, components: list[ComponentInput], note: str = "") -> Dossier:
    """The applicant hands in a supplement online, after a Mẫu 02 request: the files join the dossier's
    components and the dossier goes back to where it was. Only the applicant of the dossier may."""
    row = Dossier.objects.select_for_update(of=("self",)).filter(code=code).first()
    if row is None or not is_applicant(by, row):
        raise not_found(code)
    act = _begin("supplement", by=by, dossier=row, version=None, applicant_may=True)
    rows = {component.procedure_component_id: component for component in act.dossier.components.all()}
    errors: list[FieldError] = []
    accepted = []
    for index, given in enumerate(components):
        component = rows.get(given.procedure_component_id)
        if component is None:
            errors.append(FieldError("components", f"Thành phần {given.procedure_component_id} không thuộc hồ sơ này."))
            continue
        for upload in given.uploads:
            result = check_upload(field=f"components.{index}.files", name=upload.name, content=upload.content)
            if isinstance(result, FieldError):
                errors.append(result)
            else:
                accepted.append((component, result, upload.reused_from))
    if not accepted and not errors:
        errors.append(FieldError("components", "Cần đính kèm ít nhất một tệp hồ sơ bổ sung."))
    if len(note) > 1000:
        errors.append(FieldError("note", "Ghi chú tối đa 1.000 ký tự."))
    if errors:
        raise ValidationFailed(errors)
    for component, upload, reused_from in accepted:
        store_upload(component, upload, by=by, reused_from=reused_from, supplement=True)
        if not component.provided:
            DossierComponent.objects.filter(pk=component.pk).update(provided=True)
    return _resume_after_supplement(act, by=by, data={"note": note.strip(), "files": len(accepted)})


# --- processing ------------------------------------------------------------------------------------


@transaction.atomic
def claim(*, by, dossier: Dossier | str, version: int | None = None) -> Dossier:
    """Take the current step (Nhận xử lý): the first officer of the step's unit wins."""
    act = _begin("claim", by=by, dossier=dossier, version=version)
    row = act.dossier
    task = row.current_task
    if task is None:
        raise Conflict("Hồ sơ không có bước đang xử lý.")
    if row.current_assignee_id is not None:
        raise Conflict(
            "Hồ sơ đã có người nhận xử lý.", details={"current_assignee": row.current_assignee.get_username()}
        )
    require_step_worker(by, task)
    row.current_assignee = by
    # Taking the step is receiving the dossier at this hand-over (Mẫu 05/06 "người nhận").
    DossierTask.objects.filter(pk=task.pk).update(assignee=by, received_by=actor(by))
    row.save()
    return _finish(act, by=by)


@transaction.atomic
def reassign(*, by, dossier: Dossier | str, assignee: str, version: int | None = None) -> Dossier:
    """Give the current step to another officer of the step's agency (by user name)."""
    from egov.people.models import Position, User

    act = _begin("reassign", by=by, dossier=dossier, version=version)
    row = act.dossier
    task = row.current_task
    username = (assignee or "").strip()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed.field("assignee", f"Không tìm thấy cán bộ '{username}'.")
    in_unit = Position.objects.active_on(timezone.localdate()).filter(
        user=user, unit__path__startswith=task.agency.path
    )
    if not in_unit.exists():
        raise ValidationFailed.field("assignee", f"{user} không công tác tại {task.agency.name}.")
    row.current_assignee = user
    DossierTask.objects.filter(pk=task.pk).update(assignee=user)
    row.save()
    return _finish(act, by=by, data={"assignee": username})


@transaction.atomic
def forward(*, by, dossier: Dossier | str, note: str = "", version: int | None = None) -> Dossier:
    """Finish the current step; start the next (possibly at another agency: liên thông), or finish."""
    act = _begin("forward", by=by, dossier=dossier, version=version)
    row, now = act.dossier, act.now
    task = row.current_task
    if task is None:
        raise Conflict("Hồ sơ không có bước đang xử lý.")
    require_step_worker(by, task)
    if task.assignee_id is not None and task.assignee_id != getattr(by, "pk", None) and by is not None:
        raise Conflict(
            f"Bước này do {task.assignee} xử lý.", details={"current_assignee": task.assignee.get_username()}
        )
    note = (note or "").strip()[:500]
    DossierTask.objects.filter(pk=task.pk).update(finished_at=now, finished_by=actor(by), note=note)
    if task.received_by_id is None:  # nobody claimed the step: whoever finished it had received it
        DossierTask.objects.filter(pk=task.pk).update(received_by=actor(by))
    data = {"note": note} if note else {}
    following = row.process.steps.filter(order__gt=task.order).order_by("order").first()
    if following is None:
        row.status = Status.DONE
        row.finished_at = now
        row.current_task = None
        row.current_unit = row.receiving_unit  # the result comes back to where it was received
        row.current_assignee = None
        row.save()
        return _finish(act, by=by, data=data, notification="dossier.result_ready")
    start_task(row, following, at=now, by=by)
    row.status = Status.PROCESSING
    row.save()
    return _finish(act, by=by, data=data)


# --- fees ------------------------------------------------------------------------------------------


@transaction.atomic
def request_payment(*, by, dossier: Dossier | str, amount: int | None = None, version: int | None = None) -> Dossier:
    """Ask for the fee (status 6); ``amount`` in đồng, the procedure's fee when not given."""
    act = _begin("request_payment", by=by, dossier=dossier, version=version)
    row = act.dossier
    amount = row.fee_amount if amount is None else amount
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise ValidationFailed.field("amount", "Số tiền phải là số nguyên (đồng).")
    if amount <= 0:
        raise ValidationFailed.field("amount", "Số tiền phải lớn hơn 0.")
    row.fee_amount = amount
    row.paused_at = act.now
    row.status = Status.WAITING_PAYMENT
    row.save()
    return _finish(act, by=by, data={"amount": amount})


@transaction.atomic
def record_payment(*, by, dossier: Dossier | str, version: int | None = None) -> Dossier:
    """Record that the fee is paid (at the counter, or ``by=None``: the payment gateway's notice)."""
    act = _begin("record_payment", by=by, dossier=dossier, version=version)
    row = act.dossier
    if row.fee_paid_at is not None:
        raise Conflict("Hồ sơ đã được ghi nhận nộp phí.")
    if row.fee_amount <= 0:
        raise ValidationFailed.field("amount", "Hồ sơ không có khoản phí, lệ phí nào phải nộp.")
    row.fee_paid_at = act.now
    if row.status == Status.WAITING_PAYMENT:
        resume_clock(row, now=act.now, restart=False)
        row.status = Status.PROCESSING
    row.save()
    return _finish(act, by=by)


# --- delays and endings ----------------------------------------------------------------------------


@transaction.atomic
def apologize(
    *, by, dossier: Dossier | str, reason: str, new_due_at: datetime | None, version: int | None = None
) -> Dossier:
    """Apologise for a delay and set a new return date, once, in time (Mẫu 04, NĐ 61/2018 Đ19)."""
    act = _begin("apologize", by=by, dossier=dossier, version=version)
    row, now = act.dossier, act.now
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(FieldError("reason", "Cần nêu lý do chậm trễ."))
    if not isinstance(new_due_at, datetime) or timezone.is_naive(new_due_at):
        errors.append(FieldError("new_due_at", "Ngày hẹn trả mới không hợp lệ (ISO 8601 có múi giờ)."))
    if errors:
        raise ValidationFailed(errors)
    if row.rescheduled:
        raise DeadlineRuleViolation.field("action", "Chỉ được hẹn lại ngày trả kết quả một lần.")
    calendar_spec = spec(row)
    lead = row.rule_set.apology_min_working_days_before_due
    if engine.working_time_between(calendar_spec, now, row.due_at) < calendar_spec.day_length * lead:
        raise DeadlineRuleViolation.field(
            "action", f"Phải xin lỗi và hẹn lại chậm nhất {lead} ngày làm việc trước hạn trả kết quả."
        )
    if new_due_at <= row.due_at:
        raise ValidationFailed.field("new_due_at", "Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại.")
    old_due_at = row.due_at
    row.original_due_at = row.original_due_at or row.due_at
    row.due_at = new_due_at
    row.rescheduled = True
    row.save()
    return _finish(
        act,
        by=by,
        data={"reason": reason, "new_due_at": new_due_at.isoformat()},
        form="apology",
        notification="dossier.apology",
        extra={"reason": reason, "_old_due_at": old_due_at},
    )


def _close(act: _Act, *, by, reason: str, status: Status) -> None:
    row = act.dossier
    row.closed_reason = reason[:500]
    row.status = status
    row.finished_at = act.now
    if row.paused_at is not None:
        row.paused_at = None
    close_open_tasks(row, at=act.now, by=by, note=reason)
    row.current_task = None
    row.current_assignee = None
    row.save()


@transaction.atomic
def withdraw(*, by, dossier: Dossier | str, reason: str, version: int | None = None) -> Dossier:
    """Withdraw the dossier (status 7): at the one-stop unit, or by the applicant of an online dossier."""
    act = _begin("withdraw", by=by, dossier=dossier, version=version, applicant_may=True)
    reason = _reason(reason, "Cần nêu lý do.")
    _close(act, by=by, reason=reason, status=Status.WITHDRAWN)
    return _finish(act, by=by, data={"reason": reason})


@transaction.atomic
def stop(*, by, dossier: Dossier | str, reason: str, version: int | None = None) -> Dossier:
    """Stop processing (status 8), with the reason: the agency's signed stop notice (2025 Mẫu 05; the
    "TB" notice under TT 01/2018) is issued and the applicant is told."""
    act = _begin("stop", by=by, dossier=dossier, version=version)
    reason = _reason(reason, "Cần nêu lý do.")
    _close(act, by=by, reason=reason, status=Status.STOPPED)
    return _finish(act, by=by, data={"reason": reason}, form="stop_notice", notification="dossier.stopped")


@transaction.atomic
def return_result(*, by, dossier: Dossier | str, method: str = "counter", version: int | None = None) -> Dossier:
    """Hand the result back (status 10): at the counter, by post or online."""
    act = _begin("return_result", by=by, dossier=dossier, version=version)
    row = act.dossier
    method = method or "counter"
    if method not in RETURN_METHODS:
        raise ValidationFailed.field("method", "Hình thức trả phải là 'counter', 'post' hoặc 'online'.")
    if row.fee_amount > 0 and row.fee_paid_at is None:
        raise Conflict("Hồ sơ chưa hoàn thành nghĩa vụ tài chính (phí, lệ phí).")
    if method == "online" and not row.results.exists():
        # Returned online means the applicant downloads the signed result: without one, the portal
        # would say "Đã trả kết quả" with nothing to download, and the statistics would count it.
        raise ValidationFailed.field(
            "method",
            "Chưa có kết quả điện tử đã ký số để trả trực tuyến: hãy đính kèm kết quả, "
            "hoặc chọn trả tại Bộ phận Một cửa hoặc qua bưu chính.",
        )
    row.status = Status.RETURNED
    row.returned_at = act.now
    row.return_method = method
    row.save()
    return _finish(act, by=by, data={"method": method})


# Each action of the transition table and the service that performs it (a test checks they match).
ACTIONS = {
    "accept": accept,
    "refuse": refuse,
    "request_supplement": request_supplement,
    "supplement": receive_supplement,
    "claim": claim,
    "reassign": reassign,
    "forward": forward,
    "request_payment": request_payment,
    "record_payment": record_payment,
    "apologize": apologize,
    "withdraw": withdraw,
    "stop": stop,
    "return_result": return_result,
}
