"""Demo internal processes: one per procedure and implementing agency, split the usual way, and a
liên thông process that passes through a second agency. Used by ``seed_demo``; idempotent."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from egov.catalogue.models import Procedure
from egov.dossiers.models import ProcessDefinition
from egov.dossiers.processes import StepSpec, activate_process, create_process, legal_hours
from egov.organisations.models import Kind, Organisation

__all__ = ["load_demo_processes", "LIEN_THONG_DEMO"]

# (procedure code, partner agency code): the partner gives its opinion between appraisal and approval.
LIEN_THONG_DEMO = ("H99.103", "H99.104")


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _units(agency: Organisation, today) -> tuple[Organisation, Organisation]:
    children = list(Organisation.objects.children_of(agency).active_on(today).order_by("path"))
    desk = next((c for c in children if c.kind in (Kind.ONE_STOP, Kind.SERVICE_CENTRE)), agency)
    division = next((c for c in children if c.kind == Kind.DIVISION), agency)
    return desk, division


def default_steps(agency: Organisation, total: Decimal, *, partner: Organisation | None = None) -> list[StepSpec]:
    """Reception 10 %, appraisal the rest, (partner's opinion 20 %), approval 20 %, return 10 %."""
    today = timezone.localdate()
    desk, division = _units(agency, today)
    shares = [("Tiếp nhận, chuyển hồ sơ", agency, desk, "receiving_officer", Decimal("0.10"))]
    appraisal = Decimal("0.40") if partner else Decimal("0.60")
    shares.append(("Thẩm định hồ sơ, dự thảo kết quả", agency, division, "specialist", appraisal))
    if partner is not None:
        _, partner_division = _units(partner, today)
        shares.append(
            (f"Lấy ý kiến {partner.name} (liên thông)", partner, partner_division, "specialist", Decimal("0.20"))
        )
    shares.append(("Phê duyệt, ký kết quả", agency, agency, "agency_leader", Decimal("0.20")))
    steps = [StepSpec(name, ag, unit, role, _q(total * share)) for name, ag, unit, role, share in shares]
    steps.append(StepSpec("Trả kết quả", agency, desk, "receiving_officer", total - sum(s.hours for s in steps)))
    return steps


@transaction.atomic
def load_demo_processes() -> int:
    """An active process for every (active procedure, active implementing agency) that has none."""
    today = timezone.localdate()
    created = 0
    partner_for = {}
    justice, finance = (Organisation.objects.filter(code=c).first() for c in LIEN_THONG_DEMO)
    first_justice = (
        Procedure.objects.filter(agencies=justice, is_active=True).order_by("code").first() if justice else None
    )
    if first_justice is not None and finance is not None:
        partner_for[(first_justice.pk, justice.pk)] = finance
    active = set(
        ProcessDefinition.objects.filter(state=ProcessDefinition.State.ACTIVE).values_list("procedure_id", "agency_id")
    )
    for procedure in Procedure.objects.filter(is_active=True).prefetch_related("agencies", "durations"):
        durations = {d.channel: d for d in procedure.durations.all()}
        duration = durations.get(1) or next(iter(durations.values()), None)
        if duration is None:
            continue
        total = legal_hours(duration.amount, duration.unit)
        for agency in procedure.agencies.all():
            if (procedure.pk, agency.pk) in active or not agency.is_active_on(today):
                continue
            steps = default_steps(agency, total, partner=partner_for.get((procedure.pk, agency.pk)))
            activate_process(
                by=None,
                process=create_process(by=None, procedure=procedure, agency=agency, steps=steps, total_hours=total),
            )
            created += 1
    return created


def lien_thong_procedure() -> Procedure | None:
    justice = Organisation.objects.filter(code=LIEN_THONG_DEMO[0]).first()
    return Procedure.objects.filter(agencies=justice, is_active=True).order_by("code").first() if justice else None
