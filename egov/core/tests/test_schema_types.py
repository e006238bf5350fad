"""Dates and moments in API input are ISO 8601 text, as the OpenAPI document says, not numbers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from egov.core.schema_types import IsoDate, IsoDateTime


@pytest.mark.parametrize("value", [0, "0", 1700000000, "20260302", "", None, "2026-3-2"])
def test_a_number_or_other_text_is_not_a_date(value):
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(IsoDate).validate_python(value)

    assert exc.value.errors()[0]["ctx"]["error"].args[0] == "Ngày không hợp lệ (định dạng YYYY-MM-DD)."


def test_iso_text_and_dates_are_dates():
    assert TypeAdapter(IsoDate).validate_python("2026-03-02") == date(2026, 3, 2)
    assert TypeAdapter(IsoDate).validate_python(date(2026, 3, 2)) == date(2026, 3, 2)


@pytest.mark.parametrize("value", [0, "0", 1700000000, "2026-03-02", "tomorrow"])
def test_a_number_or_a_bare_date_is_not_a_moment(value):
    with pytest.raises(ValidationError):
        TypeAdapter(IsoDateTime).validate_python(value)


def test_iso_text_is_a_moment():
    moment = TypeAdapter(IsoDateTime).validate_python("2026-03-02T08:00:00+07:00")

    assert moment.isoformat() == "2026-03-02T08:00:00+07:00"
    assert isinstance(moment, datetime)


def test_the_api_refuses_a_number_as_the_date_of_the_organisation_list(client, db):
    # schemathesis found GET /api/v1/organisations?on=0 answered 200 (read as 1970-01-01).
    response = client.get("/api/v1/organisations", {"on": "0"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
        "errors": [{"field": "on", "message": "Ngày không hợp lệ (định dạng YYYY-MM-DD)."}],
    }
