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

__all__ = [
    "load_demo_processes",
    "load_cross_level_dossiers",
    "cross_level_steps",
    "LIEN_THONG_DEMO",
    "CROSS_LEVEL_DEMO",
]

# (procedure code, partner agency code): the partner gives its opinion between appraisal and approval.
LIEN_THONG_DEMO = ("H99.103", "H99.104")

# Liên thông across levels (DOMAIN §4): (national procedure number, deciding agency, receiving agency).
# A criminal-record certificate asked for at a commune's one-stop unit and issued by the Department of
# Justice; a marital-status certificate asked for at the provincial service centre (the province's
# one-stop unit) and issued by the commune.
CROSS_LEVEL_DEMO = (
    ("2.000488", "H99.103", "H99.306"),
    ("1.004873", "H99.306", "H99"),
)


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


def cross_level_steps(deciding: Organisation, receiving: Organisation, total: Decimal) -> list[StepSpec]:
    """Received at ``receiving``'s one-stop unit, handed to ``deciding``'s, appraised, approved, sent
    back and returned where it was received. Shares: 5 %, 5 %, 55 %, 15 %, 5 %, the rest (15 %)."""
    today = timezone.localdate()
    here, _ = _units(receiving, today)
    desk, division = _units(deciding, today)
    shares = [
        (f"Tiếp nhận, chuyển hồ sơ liên thông đến {deciding.name}", receiving, here, "receiving_officer", "0.05"),
        ("Tiếp nhận hồ sơ liên thông, chuyển phòng chuyên môn", deciding, desk, "receiving_officer", "0.05"),
        ("Thẩm định hồ sơ, dự thảo kết quả", deciding, division, "specialist", "0.55"),
        ("Phê duyệt, ký kết quả", deciding, deciding, "agency_leader", "0.15"),
        (f"Chuyển kết quả về {here.name}", deciding, desk, "receiving_officer", "0.05"),
    ]
    steps = [StepSpec(name, ag, unit, role, _q(total * Decimal(share))) for name, ag, unit, role, share in shares]
    steps.append(StepSpec("Trả kết quả", receiving, here, "receiving_officer", total - sum(s.hours for s in steps)))
    return steps


def _cross_level_processes(today) -> int:
    created = 0
    for number, deciding_code, receiving_code in CROSS_LEVEL_DEMO:
        procedure = Procedure.objects.filter(code__startswith=f"{number}.", is_active=True).first()
        deciding = Organisation.objects.filter(code=deciding_code).first()
        receiving = Organisation.objects.filter(code=receiving_code).first()
        if procedure is None or deciding is None or receiving is None or not deciding.is_active_on(today):
            continue
        if ProcessDefinition.objects.filter(
            procedure=procedure, agency=deciding, receiving_agency=receiving, state=ProcessDefinition.State.ACTIVE
        ).exists():
            continue
        duration = procedure.durations.filter(channel=1).first() or procedure.durations.first()
        total = legal_hours(duration.amount, duration.unit)
        process = create_process(
            by=None,
            procedure=procedure,
            agency=deciding,
            receiving_agency=receiving,
            steps=cross_level_steps(deciding, receiving, total),
            total_hours=total,
        )
        activate_process(by=None, process=process)
        created += 1
    return created


@transaction.atomic
def load_cross_level_dossiers(applicants: list[tuple[str, str, str]]) -> int:
    """One dossier per cross-level demo process, received and handed over its first leg, so the
    worklists of both levels and the lookup show a dossier travelling. Idempotent."""
    from egov.dossiers.services import ApplicantInput, ComponentInput, forward, receive_dossier
    from egov.organisations.selectors import receiving_unit_of
    from egov.people.models import Position

    today = timezone.localdate()
    created = 0
    processes = ProcessDefinition.objects.filter(
        receiving_agency__isnull=False, state=ProcessDefinition.State.ACTIVE
    ).select_related("procedure", "agency", "receiving_agency")
    for i, process in enumerate(processes.order_by("pk")):
        if process.dossiers.exists():
            continue
        desk = receiving_unit_of(process.receiving_agency, today)
        officer = (
            Position.objects.active_on(today)
            .filter(unit=desk, role__code="receiving_officer")
            .select_related("user")
            .first()
        )
        if officer is None:
            continue
        name, identity, phone = applicants[i % len(applicants)]
        procedure = process.procedure
        dossier = receive_dossier(
            by=officer.user,
            procedure=procedure,
            agency=process.agency,
            receiving_agency=process.receiving_agency,
            channel=1,
            components=[ComponentInput(c.pk, True) for c in procedure.components.order_by("order", "pk")],
            applicant=ApplicantInput(name=name, identity=identity, phone=phone, address="Tỉnh Sơn Nam"),
        )
        forward(by=officer.user, dossier=dossier, note="Hồ sơ đầy đủ, chuyển liên thông")
        created += 1
    return created


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
        ProcessDefinition.objects.filter(
            state=ProcessDefinition.State.ACTIVE, receiving_agency__isnull=True
        ).values_list("procedure_id", "agency_id")
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
    return created + _cross_level_processes(today)


def lien_thong_procedure() -> Procedure | None:
    justice = Organisation.objects.filter(code=LIEN_THONG_DEMO[0]).first()
    return Procedure.objects.filter(agencies=justice, is_active=True).order_by("code").first() if justice else None
