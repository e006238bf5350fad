"""Internal processes (quy trình nội bộ) and rule sets: versioned data edited by administrators."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.calendar.engine import Unit
from egov.core.errors import FieldError, ValidationFailed
from egov.dossiers.models import ProcessDefinition, ProcessStep
from egov.organisations.models import Organisation
from egov.people.models import Role

__all__ = ["StepSpec", "legal_hours", "create_process", "activate_process"]

HOURS_PER_DAY = Decimal(8)


@dataclass(frozen=True)
class StepSpec:
    name: str
    agency: Organisation
    unit: Organisation
    role: str
    hours: Decimal


def _hours(value) -> str:
    """Vietnamese number: no trailing zeros, decimal comma (16, 7,5)."""
    return format(Decimal(value).normalize(), "f").replace(".", ",")


def legal_hours(amount: Decimal, unit: str) -> Decimal:
    """The legal time as working hours, the currency of step shares (1 working day = 8 hours;
    a calendar day counts as a working day for the split)."""
    amount = Decimal(amount)
    return amount if unit == Unit.WORKING_HOURS else amount * HOURS_PER_DAY


@transaction.atomic
def create_process(
    *, by, procedure, agency: Organisation, steps: list[StepSpec], total_hours: Decimal
) -> ProcessDefinition:
    """A new draft version. The shares must add up to the legal time; each step's unit must belong
    to the step's agency; liên thông legs name another agency."""
    policy.require(by, "process.manage", agency)
    errors: list[FieldError] = []
    if not steps:
        errors.append(FieldError("steps", "Quy trình cần ít nhất một bước."))
    roles = set(Role.objects.values_list("code", flat=True))
    for i, step in enumerate(steps, start=1):
        if not step.name.strip():
            errors.append(FieldError(f"steps.{i}.name", "Tên bước không được để trống."))
        if Decimal(step.hours) <= 0:
            errors.append(FieldError(f"steps.{i}.hours", "Thời gian của bước phải lớn hơn 0."))
        if step.role not in roles:
            errors.append(FieldError(f"steps.{i}.role", f"Vai trò '{step.role}' không tồn tại."))
        if not step.unit.path.startswith(step.agency.path):
            errors.append(FieldError(f"steps.{i}.unit", f"{step.unit.name} không thuộc {step.agency.name}."))
    total = sum((Decimal(s.hours) for s in steps), Decimal(0))
    if steps and total != Decimal(total_hours):
        errors.append(
            FieldError(
                "steps",
                f"Tổng thời gian các bước ({_hours(total)} giờ) phải bằng thời gian giải quyết theo quy định "
                f"({_hours(total_hours)} giờ).",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    last = ProcessDefinition.objects.filter(procedure=procedure, agency=agency).aggregate(v=Max("version"))["v"] or 0
    process = ProcessDefinition.objects.create(
        procedure=procedure, agency=agency, version=last + 1, total_hours=total_hours
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            process=process, order=i, name=s.name.strip(), agency=s.agency, unit=s.unit, role=s.role, hours=s.hours
        )
        for i, s in enumerate(steps, start=1)
    )
    audit.record(
        actor=by,
        action="process.create",
        target=process,
        after={
            "version": process.version,
            "total_hours": total_hours,
            "steps": [[s.name, s.agency.pk, s.unit.pk, s.role, s.hours] for s in steps],
        },
    )
    return process


@transaction.atomic
def activate_process(*, by, process: ProcessDefinition) -> ProcessDefinition:
    """Make this version the one new dossiers use; dossiers already started keep theirs."""
    process = ProcessDefinition.objects.select_for_update().get(pk=process.pk)
    policy.require(by, "process.manage", process.agency)
    ProcessDefinition.objects.filter(
        procedure=process.procedure, agency=process.agency, state=ProcessDefinition.State.ACTIVE
    ).exclude(pk=process.pk).update(state=ProcessDefinition.State.RETIRED)
    process.state = ProcessDefinition.State.ACTIVE
    process.approved_at = timezone.now()
    process.save(update_fields=["state", "approved_at"])
    audit.record(actor=by, action="process.activate", target=process, after={"version": process.version})
    return process
