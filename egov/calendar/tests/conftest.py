"""Fixtures of the calendar tests: a second province with its own calendar, and API bearer tokens."""

from __future__ import annotations

import pytest

PASSWORD = "Mk-thu-nghiem-2026"  # make_officer's default


@pytest.fixture
def other_province(db):
    """A second province ("H97") outside the ``tree`` province, with its own (unseeded) calendar."""
    from egov.calendar.services import create_calendar
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation

    province = create_organisation(
        by=None, parent=None, name="UBND tỉnh Bên Cạnh", kind=Kind.PROVINCE, code="H97", legacy_code="000.00.00.H97"
    )
    create_calendar(by=None, organisation=province, name="Lịch tỉnh Bên Cạnh")
    return province


@pytest.fixture
def bearer(client):
    """``bearer(user)`` -> request headers carrying a token from ``POST /api/v1/auth/token``."""

    def issue(user) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}

    return issue
