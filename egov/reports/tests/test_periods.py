"""Reporting periods and their data windows (NĐ 09/2019, DOMAIN §10)."""

from __future__ import annotations

from datetime import date

import pytest

from egov.core.errors import ValidationFailed
from egov.reports import periods


@pytest.mark.parametrize(
    ("key", "kind", "start", "end"),
    [
        ("2027-03", "month", date(2027, 2, 15), date(2027, 3, 14)),
        ("2027-01", "month", date(2026, 12, 15), date(2027, 1, 14)),
        ("2027-Q1", "quarter", date(2026, 12, 15), date(2027, 3, 14)),
        ("2027-Q3", "quarter", date(2027, 6, 15), date(2027, 9, 14)),
        ("2027", "year", date(2026, 12, 15), date(2027, 12, 14)),
    ],
)
def test_windows(key, kind, start, end):
    period = periods.parse(key)
    assert (period.kind, period.key, period.start, period.end) == (kind, key, start, end)


@pytest.mark.parametrize("key", ["", "2027-13", "2027-Q5", "27-03", "2027/03", "1999"])
def test_bad_keys_name_the_field(key):
    with pytest.raises(ValidationFailed) as exc:
        periods.parse(key)
    assert exc.value.errors[0].field == "ky"


@pytest.mark.parametrize(
    ("today", "kind", "key"),
    [
        (date(2027, 3, 14), "month", "2027-03"),
        (date(2027, 3, 15), "month", "2027-04"),
        (date(2027, 12, 20), "month", "2028-01"),
        (date(2027, 3, 15), "quarter", "2027-Q2"),
        (date(2027, 12, 15), "year", "2028"),
    ],
)
def test_current_period_holds_today(today, kind, key):
    period = periods.current(kind, today=today)
    assert period.key == key and period.start <= today <= period.end


def test_previous():
    assert periods.parse("2027-01").previous().key == "2026-12"
    assert periods.parse("2027-Q1").previous().key == "2026-Q4"
    assert periods.parse("2027").previous().key == "2026"
