"""Reads of the organisation tree that several callers need."""

from __future__ import annotations

from datetime import date

from egov.organisations.models import AGENCY_KINDS, RECEIVING_KINDS, Organisation

__all__ = ["by_code", "agency_of", "receiving_unit_of", "receiving_units_of", "ancestors_and_self"]


def by_code(code: str) -> Organisation | None:
    """Find by either identifier form."""
    return Organisation.objects.filter(code=code).first() or Organisation.objects.filter(legacy_code=code).first()


def ancestors_and_self(org: Organisation):
    paths = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    return Organisation.objects.filter(path__in=paths).order_by("depth")


def agency_of(unit: Organisation) -> Organisation:
    """The nearest agency at or above ``unit`` (a division's or one-stop unit's agency)."""
    for org in reversed(list(ancestors_and_self(unit))):
        if org.kind in AGENCY_KINDS:
            return org
    return unit


def receiving_unit_of(agency: Organisation, on: date) -> Organisation | None:
    """The one-stop unit (or service centre) where ``agency`` receives dossiers on ``on``."""
    return (
        Organisation.objects.children_of(agency).filter(kind__in=RECEIVING_KINDS).active_on(on).order_by("path").first()
    )


def receiving_units_of(agencies, on: date) -> dict[int, Organisation]:
    """``receiving_unit_of`` for many agencies in one query: agency id -> its receiving unit (agencies
    without one are left out)."""
    agencies = list(agencies)
    if not agencies:
        return {}
    by_path = {a.path: a for a in agencies}
    steplen = Organisation.steplen
    found: dict[int, Organisation] = {}
    candidates = (
        Organisation.objects.filter(kind__in=RECEIVING_KINDS, depth__in={a.depth + 1 for a in agencies})
        .active_on(on)
        .order_by("path")
    )
    for unit in candidates:
        agency = by_path.get(unit.path[:-steplen])
        if agency is not None and agency.pk not in found:
            found[agency.pk] = unit
    return found
