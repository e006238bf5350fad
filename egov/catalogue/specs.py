"""What a procedure consists of, as plain values: the input of the services, the unit of import and
export, and the before/after of the audit trail.

A :class:`ProcedureSpec` names its field and agencies by code, so the same value comes from the
admin, an Excel row, a JSON document or the demo data. :func:`spec_to_dict` is the JSON exchange
format (``EXCEL_TEMPLATE.md`` describes both).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files import File

from egov.catalogue.models import Field, Procedure

__all__ = [
    "FieldSpec",
    "ComponentSpec",
    "DurationSpec",
    "FeeSpec",
    "ResultSpec",
    "ProcedureSpec",
    "field_spec",
    "spec_from_procedure",
    "spec_to_dict",
    "field_to_dict",
    "plain_decimal",
    "JSON_FORMAT",
    "JSON_VERSION",
]

JSON_FORMAT = "egov-catalogue"
JSON_VERSION = 1


@dataclass(frozen=True)
class FieldSpec:
    code: str
    name: str
    managing_sector: str = ""


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0
    required: bool = True
    # The stored name under catalogue/templates/ ("" for none), or an uploaded file to store.
    template: str | File = ""
    note: str = ""


@dataclass(frozen=True)
class DurationSpec:
    channel: int
    amount: Decimal
    unit: str
    note: str = ""


@dataclass(frozen=True)
class FeeSpec:
    kind: str
    name: str
    amount: int
    note: str = ""


@dataclass(frozen=True)
class ResultSpec:
    name: str


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    field: str  # field code
    levels: tuple[str, ...]
    agencies: tuple[str, ...]  # agency codes, either form (QĐ 20/2020 or QCVN 102:2016)
    online_level: str
    mot_phan_reason: str = ""
    applicant_types: tuple[str, ...] = ()
    channels: tuple[int, ...] = ()
    steps: str = ""
    requirements: str = ""
    legal_basis: str = ""
    result_description: str = ""
    is_active: bool = True
    components: tuple[ComponentSpec, ...] = ()
    durations: tuple[DurationSpec, ...] = ()
    fees: tuple[FeeSpec, ...] = ()
    results: tuple[ResultSpec, ...] = ()


def field_spec(field: Field) -> FieldSpec:
    return FieldSpec(code=field.code, name=field.name, managing_sector=field.managing_sector)


def spec_from_procedure(procedure: Procedure) -> ProcedureSpec:
    """The stored procedure as a spec: agencies by identifier, sorted; children in their order.

    Prefetch ``field``, ``agencies``, ``components``, ``durations``, ``fees``, ``results`` when
    reading many.
    """
    return ProcedureSpec(
        code=procedure.code,
        name=procedure.name,
        field=procedure.field.code,
        levels=tuple(procedure.levels),
        agencies=tuple(sorted(org.identifier for org in procedure.agencies.all())),
        online_level=procedure.online_level,
        mot_phan_reason=procedure.mot_phan_reason,
        applicant_types=tuple(procedure.applicant_types),
        channels=tuple(procedure.channels),
        steps=procedure.steps,
        requirements=procedure.requirements,
        legal_basis=procedure.legal_basis,
        result_description=procedure.result_description,
        is_active=procedure.is_active,
        components=tuple(
            ComponentSpec(
                name=c.name,
                originals=c.originals,
                certified_copies=c.certified_copies,
                photocopies=c.photocopies,
                required=c.required,
                template=c.template.name or "",
                note=c.note,
            )
            for c in sorted(procedure.components.all(), key=lambda c: c.order)
        ),
        durations=tuple(
            DurationSpec(channel=d.channel, amount=d.amount, unit=d.unit, note=d.note)
            for d in sorted(procedure.durations.all(), key=lambda d: d.channel)
        ),
        fees=tuple(
            FeeSpec(kind=f.kind, name=f.name, amount=f.amount, note=f.note)
            for f in sorted(procedure.fees.all(), key=lambda f: f.order)
        ),
        results=tuple(ResultSpec(name=r.name) for r in sorted(procedure.results.all(), key=lambda r: r.order)),
    )


def plain_decimal(value: Decimal) -> str:
    """``Decimal("20.00")`` → ``"20"``, ``Decimal("0.50")`` → ``"0.5"`` (never an exponent)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def field_to_dict(spec: FieldSpec) -> dict[str, Any]:
    return {"code": spec.code, "name": spec.name, "managing_sector": spec.managing_sector}


def spec_to_dict(spec: ProcedureSpec) -> dict[str, Any]:
    """The JSON exchange form of one procedure (also the audit trail's before/after)."""
    return {
        "code": spec.code,
        "name": spec.name,
        "field": spec.field,
        "levels": list(spec.levels),
        "agencies": list(spec.agencies),
        "online_level": spec.online_level,
        "mot_phan_reason": spec.mot_phan_reason,
        "applicant_types": list(spec.applicant_types),
        "channels": list(spec.channels),
        "steps": spec.steps,
        "requirements": spec.requirements,
        "legal_basis": spec.legal_basis,
        "result_description": spec.result_description,
        "is_active": spec.is_active,
        "components": [
            {
                "name": c.name,
                "originals": c.originals,
                "certified_copies": c.certified_copies,
                "photocopies": c.photocopies,
                "required": c.required,
                "template": c.template if isinstance(c.template, str) else c.template.name,
                "note": c.note,
            }
            for c in spec.components
        ],
        "durations": [
            {"channel": d.channel, "amount": plain_decimal(d.amount), "unit": d.unit, "note": d.note}
            for d in spec.durations
        ],
        "fees": [{"kind": f.kind, "name": f.name, "amount": f.amount, "note": f.note} for f in spec.fees],
        "results": [{"name": r.name} for r in spec.results],
    }
