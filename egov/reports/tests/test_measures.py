"""Each measure on the known dataset (conftest), computed by hand and compared exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egov.reports import measures, periods

MARCH = "2027-03"


def result(code, unit):
    return measures.get(code).compute(periods.parse(MARCH), paths=[unit.path])


@pytest.mark.parametrize(
    ("code", "numerator", "denominator", "value"),
    [
        # finished in the window: d1 early, d2 on the due day (after the hour: still on time),
        # d3 late, d6 late (received before the window, finished in it)
        ("on_time", 2, 4, Decimal("50.00")),
        # received in the window: d1–d4; online: d2, d3
        ("online", 2, 4, Decimal("50.00")),
        # with a fee: d1, d2, d4; paid online: d1 (d2's order is only pending)
        ("online_payment", 1, 3, Decimal("33.33")),
        ("digitised", 2, 4, Decimal("50.00")),  # d1, d2 have a file
        ("reused", 1, 4, Decimal("25.00")),  # d2's file is reused
        ("satisfaction", 2, 3, Decimal("66.67")),  # very satisfied, satisfied / 3 ratings
        # due by now or answered: f1 (on time), f2 (late), f3 (unanswered, past due); f4 not yet due
        ("feedback_on_time", 1, 3, Decimal("33.33")),
    ],
)
def test_each_measure_for_the_department_of_justice(dataset, world, code, numerator, denominator, value):
    # Given the known dataset, when the measure is computed for the Department of Justice's subtree
    got = result(code, world["justice"])
    # then numerator, denominator and share are exactly the hand-computed ones
    assert (got.numerator, got.denominator, got.value) == (numerator, denominator, value)
    assert got.formula and "×" in got.formula


def test_the_province_sums_its_subtree(dataset, world):
    # d5 (Department of Finance) is finished early and online: it joins the province's figures.
    on_time = result("on_time", world["province"])
    online = result("online", world["province"])
    assert (on_time.numerator, on_time.denominator, on_time.value) == (3, 5, Decimal("60.00"))
    assert (online.numerator, online.denominator) == (3, 5)


def test_counts_per_agency_in_one_query(dataset, world, django_assert_num_queries):
    with django_assert_num_queries(1):
        got = measures.counts(measures.get("on_time"), periods.parse(MARCH))
    assert got == {world["justice"].path: (2, 4), world["finance"].path: (1, 1)}


def test_the_rows_behind_each_part_are_exactly_the_counted_dossiers(dataset, world):
    measure, period, paths = measures.get("on_time"), periods.parse(MARCH), [world["justice"].path]
    codes = {
        part: set(measure.rows(period, paths=paths, part=part).values_list("code", flat=True))
        for part in measures.PARTS
    }
    d = dataset
    assert codes["numerator"] == {d["d1"].code, d["d2"].code}
    assert codes["rest"] == {d["d3"].code, d["d6"].code}
    assert codes["denominator"] == codes["numerator"] | codes["rest"]


def test_another_period_counts_nothing(dataset, world):
    got = measures.get("online").compute(periods.parse("2027-05"), paths=[world["justice"].path])
    assert (got.numerator, got.denominator, got.value) == (0, 0, None)


def test_share_rounds_half_up():
    assert measures.share(1, 8) == Decimal("12.50")
    assert measures.share(2, 3) == Decimal("66.67")
    assert measures.share(0, 0) is None
