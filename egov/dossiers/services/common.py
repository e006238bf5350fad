"""What every dossier service shares: the clock, the tasks, the history and who holds the dossier."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.calendar import engine
from egov.calendar import selectors as calendar
from egov.catalogue import selectors as catalogue
from egov.catalogue import versions as catalogue_versions
from egov.core import numbering
from egov.core.errors import NotFound, PermissionDenied, ValidationFailed
from egov.dossiers.models import Dossier, DossierEvent, DossierTask, ProcessStep, RuleSet

__all__ = ["DeadlineRuleViolation", "HANDLING_PERMISSIONS", "acting_unit", "agency_code", "next_code"]

# Officers who handle dossiers in any capacity (reception, processing, approval).
HANDLING_PERMISSIONS = ("dossier.receive", "dossier.process", "dossier.approve")


class DeadlineRuleViolation(ValidationFailed):
    """A legal time limit forbids the action (e.g. supplement requested too late)."""

    code = "deadline_rule_violation"


# --- codes ------------------------------------------------------------------------------------


def agency_code(agency, rule_set: RuleSet) -> str:
    if rule_set.agency_code_form == "legacy" and agency.legacy_code:
        return agency.legacy_code
    return agency.code or agency.legacy_code


def next_code(*, agency, rule_set: RuleSet, at: datetime) -> str:
    """The next dossier code of ``agency``'s daily series (TT 01/2018 Đ19), in the rule set's format."""
    day = timezone.localtime(at).date()
    seq = numbering.allocate(scope=f"dossier:{agency.pk}", period=numbering.daily(day))
    return rule_set.code_format.format(agency=agency_code(agency, rule_set), yymmdd=day.strftime("%y%m%d"), seq=seq)


# --- who -----------------------------------------------------------------------------------------


def actor(by):
    """``by`` as a foreign key value: the platform itself (``None``, anonymous) records no one."""
    return by if getattr(by, "is_authenticated", False) else None


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


def require_current_holder(by, dossier: Dossier, permission: str) -> None:
    policy.require(by, permission, acting_unit(dossier, permission))


def require_step_worker(by, task: DossierTask) -> None:
    """Officers of the step's unit who handle dossiers in any capacity may work on the step."""
    if not any(policy.has(by, perm, task.unit) for perm in HANDLING_PERMISSIONS):
        raise PermissionDenied(f"Bước '{task.name}' do {task.unit.name} thực hiện.")


def is_applicant(by, dossier: Dossier) -> bool:
    """``by`` is the signed-in citizen who submitted ``dossier`` online."""
    return (
        getattr(by, "is_authenticated", False)
        and dossier.applicant_user_id is not None
        and dossier.applicant_user_id == by.pk
    )


def not_found(code: str) -> NotFound:
    return NotFound(f"Không tìm thấy hồ sơ có mã '{code}'.")


# --- history ---------------------------------------------------------------------------------------


def event(dossier: Dossier, *, action: str, from_status: int | None, actor, data: dict | None = None) -> None:
    DossierEvent.objects.create(
        dossier=dossier,
        at=timezone.now(),
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data or {},
    )


def snapshot(dossier: Dossier) -> dict:
    return audit.snapshot(
        dossier,
        ["status", "due_at", "current_unit_id", "current_assignee_id", "paused_at", "rescheduled", "fee_paid_at"],
    )


# --- clock and tasks -------------------------------------------------------------------------------


def total_fee(procedure) -> int:
    return sum(procedure.fees.values_list("amount", flat=True))


def spec(dossier: Dossier):
    return calendar.spec_for(calendar.calendar_for(dossier.agency))


def legal_due(dossier: Dossier, start: datetime) -> datetime:
    amount, unit = catalogue.duration_under(dossier.procedure_version, dossier.procedure, dossier.channel)
    return engine.compute_due(spec(dossier), start, amount, unit)


def start_task(dossier: Dossier, step: ProcessStep, *, at: datetime, by, assignee=None) -> DossierTask:
    due = engine.add_working_hours(spec(dossier), at, step.hours)
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
        handed_by=actor(by),
    )
    dossier.current_task = task
    dossier.current_unit = step.unit
    dossier.current_assignee = assignee
    return task


def close_open_tasks(dossier: Dossier, *, at: datetime, by, note: str = "") -> None:
    DossierTask.objects.filter(dossier=dossier, finished_at__isnull=True).update(
        finished_at=at, finished_by=actor(by), note=note[:500]
    )


def start_clock(dossier: Dossier, *, at: datetime, by) -> None:
    """Reception: the clock runs from now, tasks start at the first step."""
    dossier.received_at = at
    dossier.clock_started_at = at
    dossier.due_at = dossier.original_due_at = legal_due(dossier, at)
    dossier.received_by = actor(by)
    first = dossier.process.steps.order_by("order").first()
    start_task(dossier, first, at=at, by=by)


def resume_clock(dossier: Dossier, *, now, restart: bool) -> timedelta:
    """Give back the paused time: restart the legal time from now, or extend by the paused time."""
    calendar_spec = spec(dossier)
    paused = engine.working_time_between(calendar_spec, dossier.paused_at, now) if dossier.paused_at else timedelta(0)
    task = dossier.current_task
    if restart:
        dossier.clock_started_at = now
        dossier.due_at = legal_due(dossier, now)
        if task is not None:
            DossierTask.objects.filter(pk=task.pk).update(
                started_at=now, due_at=engine.add_working_hours(calendar_spec, now, task.step.hours)
            )
    else:
        if dossier.due_at is not None:
            dossier.due_at = engine.add_working_time(calendar_spec, dossier.due_at, paused)
        if task is not None:
            DossierTask.objects.filter(pk=task.pk).update(
                due_at=engine.add_working_time(calendar_spec, task.due_at, paused)
            )
    dossier.paused_seconds += int(paused.total_seconds())
    dossier.paused_at = None
    return paused


def procedure_in_force(procedure):
    """The procedure as in force today, and its version: a version whose date has come is written
    first, so the dossier gets its fees, components and legal time (issue #7, item 22)."""
    if catalogue_versions.apply_due_versions(procedure=procedure):
        procedure = type(procedure).objects.get(pk=procedure.pk)
    return procedure, catalogue_versions.version_in_force(procedure)
