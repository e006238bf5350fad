"""Thresholds → points, and the QĐ 766 score of each department on the known dataset."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from egov.reports import periods, scoring


def rows(*bands):
    return [
        SimpleNamespace(lower=Decimal(lo), upper=None if hi is None else Decimal(hi), points=Decimal(p))
        for lo, hi, p in bands
    ]


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (Decimal("0"), Decimal(0)),
        (Decimal("49.99"), Decimal(0)),
        (Decimal("50"), Decimal(10)),  # a lower bound is inclusive
        (Decimal("89.99"), Decimal(10)),
        (Decimal("90"), Decimal(20)),  # an upper bound is exclusive
        (Decimal("100"), Decimal(20)),
        (None, None),  # nothing to measure
    ],
)
def test_points_for(value, points):
    assert scoring.points_for(value, rows((0, 50, 0), (50, 90, 10), (90, None, 20))) == points


def test_a_value_in_no_band_scores_zero():
    assert scoring.points_for(Decimal(10), rows((50, None, 5))) == Decimal(0)


def test_qd766_scores_and_ranking(dataset, world, qd766):
    scores = scoring.rank(scoring.score_units(qd766, periods.parse("2027-03"), [world["justice"], world["finance"]]))
    finance, justice = scores
    by_code = {s.indicator.code: (s.numerator, s.denominator, s.value, s.points) for s in justice.indicators}
    # bands: < 50% → 0; 50–80% → half; 80–95% → three quarters; ≥ 95% → all
    assert by_code == {
        "1.1": (None, None, None, None),  # assessed by hand
        "1.2": (1, 3, Decimal("33.33"), Decimal(0)),
        "2.1": (2, 4, Decimal("50.00"), Decimal(10)),
        "3.1": (2, 4, Decimal("50.00"), Decimal(6)),
        "4.1": (1, 3, Decimal("33.33"), Decimal(0)),
        "5.1": (2, 3, Decimal("66.67"), Decimal(9)),
        "6.1": (2, 4, Decimal("50.00"), Decimal("5.5")),
        "6.2": (1, 4, Decimal("25.00"), Decimal(0)),
    }
    assert (justice.total, justice.max_measured, justice.rank) == (Decimal("30.5"), Decimal(90), 2)
    # Finance: on time 1/1 → 20, online 1/1 → 12, digitised and reused 0/1 → 0; no fee, rating, feedback
    assert (finance.unit, finance.total, finance.max_measured, finance.rank) == (
        world["finance"],
        Decimal(32),
        Decimal(54),
        1,
    )


def test_the_tt01_grade(dataset, world):
    from egov.reports.models import IndicatorSet

    tt01 = IndicatorSet.objects.get(code="tt01-2018")
    (score,) = scoring.score_units(tt01, periods.parse("2027-03"), [world["finance"]])
    # on time 100% → 2, online 100% → 2; feedback has nothing: 4 points → "Yếu" (< 6)
    assert (score.total, score.grade) == (Decimal(4), "Yếu")


def test_equal_totals_share_a_rank(world):
    a = scoring.UnitScore(world["justice"])
    b = scoring.UnitScore(world["finance"])
    assert [s.rank for s in scoring.rank([a, b])] == [1, 1]
