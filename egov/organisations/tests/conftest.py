"""Fixtures for the organisation tests: a snapshot of everything a service could change, a province
that still has a district (the pre-1/7/2025 three-level layout), and API bearer tokens."""

from __future__ import annotations

from datetime import date

import pytest

from egov.audit.models import AuditRecord
from egov.organisations.models import Kind, Organisation, Succession
from egov.organisations.services import create_organisation


def db_state() -> dict:
    """Row counts and every value a service of this app may change."""
    return {
        "organisation_count": Organisation.objects.count(),
        "succession_count": Succession.objects.count(),
        "audit_count": AuditRecord.objects.count(),
        "organisations": list(
            Organisation.objects.order_by("pk").values_list(
                "pk", "path", "depth", "numchild", "name", "kind", "code", "legacy_code", "valid_from", "valid_to"
            )
        ),
        "successions": list(
            Succession.objects.order_by("pk").values_list("predecessor", "successor", "reason", "effective_on")
        ),
    }


@pytest.fixture
def state():
    """``state()`` -> a comparable snapshot of the organisation tables and the audit count."""
    return db_state


@pytest.fixture
def district(tree):
    """A district under the province with two communes, an ended commune and a division."""
    province = tree["province"]
    district = create_organisation(
        by=None, parent=province, name="UBND huyện Thử Nghiệm", kind=Kind.DISTRICT, code="H98.201"
    )
    an_binh = create_organisation(
        by=None, parent=district, name="UBND xã An Bình", kind=Kind.COMMUNE, code="H98.201.01"
    )
    binh_minh = create_organisation(
        by=None, parent=district, name="UBND xã Bình Minh", kind=Kind.COMMUNE, code="H98.201.02"
    )
    ended = create_organisation(
        by=None,
        parent=district,
        name="UBND xã Cũ",
        kind=Kind.COMMUNE,
        code="H98.201.09",
        valid_to=date(2024, 12, 31),
    )
    return {"district": district, "an_binh": an_binh, "binh_minh": binh_minh, "ended": ended}


@pytest.fixture
def bearer(client):
    """``bearer(user)`` -> request headers carrying a token from ``POST /api/v1/auth/token``."""

    def issue(user, password: str = "Mk-thu-nghiem-2026") -> dict[str, str]:  # make_officer's default
        response = client.post(
            "/api/v1/auth/token", {"username": user.username, "password": password}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}

    return issue
