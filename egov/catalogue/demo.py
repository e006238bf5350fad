"""Load the demo province's procedure catalogue (``demo_data``) through the services.

Idempotent: procedures are upserted by code, so a second run writes nothing and returns 0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from egov.catalogue import demo_data, services
from egov.catalogue.specs import ComponentSpec, DurationSpec, FeeSpec, FieldSpec, ProcedureSpec, ResultSpec
from egov.core.errors import FieldError, ValidationFailed
from egov.demo.data import PROVINCE_CODE
from egov.organisations.models import Kind, Organisation

__all__ = ["load_demo_catalogue", "demo_specs"]


def _spec(item: dict, communes: list[str]) -> ProcedureSpec:
    agencies: list[str] = []
    for code in item["agencies"]:
        agencies.extend(communes if code == demo_data.COMMUNES else [code])
    return ProcedureSpec(
        code=f"{item['number']}.{demo_data.AGENCY_PART}",
        name=item["name"],
        field=item["field"],
        levels=tuple(item["levels"]),
        agencies=tuple(agencies),
        online_level=item["online_level"],
        mot_phan_reason=item["mot_phan_reason"],
        applicant_types=tuple(item["applicant_types"]),
        channels=tuple(item["channels"]),
        steps=item["steps"],
        requirements=item["requirements"],
        legal_basis=item["legal_basis"],
        result_description=item["result_description"],
        components=tuple(ComponentSpec(**c) for c in item["components"]),
        durations=tuple(
            DurationSpec(channel=d["channel"], amount=Decimal(d["amount"]), unit=d["unit"], note=d["note"])
            for d in item["durations"]
        ),
        fees=tuple(FeeSpec(**f) for f in item["fees"]),
        results=tuple(ResultSpec(name=name) for name in item["results"]),
    )


def demo_specs(on: date | None = None) -> tuple[list[FieldSpec], list[ProcedureSpec]]:
    """The demo fields and procedures, commune-level ones linked to every commune of the demo
    province in force on ``on`` (today by default). Raises ValidationFailed, naming the missing
    codes, when the demo province has not been seeded."""
    day = on or timezone.localdate()
    province = Organisation.objects.filter(code=PROVINCE_CODE).first()
    communes = (
        list(
            Organisation.objects.subtree_of(province)
            .filter(kind=Kind.COMMUNE)
            .active_on(day)
            .order_by("code")
            .values_list("code", flat=True)
        )
        if province
        else []
    )
    named = {code for item in demo_data.PROCEDURES for code in item["agencies"] if code != demo_data.COMMUNES}
    missing = sorted(named - set(Organisation.objects.filter(code__in=named).values_list("code", flat=True)))
    if not communes:
        missing.append(f"các xã, phường của {PROVINCE_CODE} có hiệu lực ngày {day:%d/%m/%Y}")
    if missing:
        raise ValidationFailed(
            FieldError(
                "agencies",
                f"Chưa có cơ quan của tỉnh mẫu: {', '.join(missing)}. Hãy nạp dữ liệu mẫu (seed_demo) trước.",
            )
        )
    fields = [FieldSpec(code, name, sector) for code, name, sector in demo_data.FIELDS]
    return fields, [_spec(item, communes) for item in demo_data.PROCEDURES]


def load_demo_catalogue(on: date | None = None) -> int:
    """Load the demo catalogue (by the platform itself, ``by=None``); returns how many procedures
    were created. Needs the demo province (``seed_demo``) first."""
    fields, procedures = demo_specs(on)
    summary = services.import_catalogue(by=None, fields=fields, procedures=procedures, source="demo_data")
    return summary.created
