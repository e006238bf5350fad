"""Reads of the signing keys that several callers need."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from egov.organisations.models import AGENCY_KINDS, RECEIVING_KINDS, Organisation
from egov.organisations.selectors import ancestors_and_self
from egov.signing.errors import KeyNotFound
from egov.signing.models import SigningKey

__all__ = ["key_for", "signing_units_of", "demo_signing_units"]


def signing_units_of(unit: Organisation) -> list[Organisation]:
    """``unit``, then each ancestor up to and including its agency: the units whose key may sign for it.

    The search stops at the agency: a one-stop unit or division signs with its own key, else its
    agency's, never with the key of the agency above (a department's form is not the province's).
    """
    fresh = Organisation.objects.get(pk=unit.pk)  # paths move when the tree changes (ADR 0002)
    chain: list[Organisation] = []
    for org in reversed(list(ancestors_and_self(fresh))):
        chain.append(org)
        if org.kind in AGENCY_KINDS:
            break
    return chain


def key_for(unit: Organisation) -> SigningKey:
    """The active key that signs for ``unit``: its own, else the nearest one up to its agency.

    Raises :class:`~egov.signing.errors.KeyNotFound` when there is none.
    """
    chain = signing_units_of(unit)
    keys = {k.unit_id: k for k in SigningKey.objects.filter(unit__in=chain, is_active=True).select_related("unit")}
    for org in chain:
        if org.pk in keys:
            return keys[org.pk]
    agency = chain[-1]
    where = unit.name if agency.pk == unit.pk else f"{unit.name} và {agency.name}"
    raise KeyNotFound(f"{where} chưa có khóa ký số: quản trị viên cần cấp hoặc cài khóa cho đơn vị.")


def demo_signing_units(on: date | None = None):
    """The units that get a demo key: agencies and one-stop units / service centres active on ``on``."""
    on = on or timezone.localdate()
    return Organisation.objects.active_on(on).filter(kind__in=AGENCY_KINDS | RECEIVING_KINDS)
