"""Scores: an indicator set applied to units for a period.

A unit's figure for a measure is the sum over the agencies in its subtree (a province's over every
department and commune under it), so commune, department and province scores come from the same
per-agency counts: one grouped query per measure used by the set, whatever the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from egov.organisations.models import Organisation
from egov.reports import measures
from egov.reports.models import Indicator, IndicatorGroup, IndicatorSet, Threshold
from egov.reports.periods import Period

__all__ = ["IndicatorScore", "UnitScore", "points_for", "load_set", "score_units", "rank"]


MAX_PREFIXES = 8


def points_for(value: Decimal | None, thresholds) -> Decimal | None:
    """The points of the threshold row ``value`` falls in (``lower`` ≤ value < ``upper``; an empty
    upper bound is open); None when there is no value; 0 when no row holds it."""
    if value is None:
        return None
    for row in thresholds:
        if row.lower <= value and (row.upper is None or value < row.upper):
            return row.points
    return Decimal(0)


@dataclass(frozen=True)
class IndicatorScore:
    indicator: Indicator
    numerator: int | None  # None: assessed by hand, nothing computed
    denominator: int | None
    points: Decimal | None

    @property
    def measure(self) -> measures.Measure | None:
        return measures.MEASURES.get(self.indicator.measure)

    @property
    def value(self) -> Decimal | None:
        return None if self.denominator is None else measures.share(self.numerator, self.denominator)


@dataclass
class UnitScore:
    unit: Organisation
    indicators: list[IndicatorScore] = field(default_factory=list)
    grade: str = ""
    rank: int | None = None

    @property
    def total(self) -> Decimal:
        return sum((s.points for s in self.indicators if s.points is not None), Decimal(0))

    @property
    def max_measured(self) -> Decimal:
        """The points the computed indicators could give (those with data)."""
        return sum((s.indicator.max_points for s in self.indicators if s.points is not None), Decimal(0))

    def as_data(self) -> list[dict]:
        return [
            {
                "code": s.indicator.code,
                "measure": s.indicator.measure,
                "numerator": s.numerator,
                "denominator": s.denominator,
                "value": None if s.value is None else str(s.value),
                "points": None if s.points is None else str(s.points),
            }
            for s in self.indicators
        ]


def load_set(indicator_set: IndicatorSet) -> IndicatorSet:
    """The set with its grades, groups, indicators and thresholds read (four queries)."""
    return IndicatorSet.objects.prefetch_related(
        "grades",
        Prefetch(
            "groups",
            IndicatorGroup.objects.order_by("order").prefetch_related(
                Prefetch(
                    "indicators",
                    Indicator.objects.order_by("order").prefetch_related(
                        Prefetch("thresholds", Threshold.objects.order_by("lower"))
                    ),
                )
            ),
        ),
    ).get(pk=indicator_set.pk)


def _sum_subtree(per_agency: dict[str, tuple[int, int]], path: str) -> tuple[int, int]:
    num = den = 0
    for agency_path, (n, d) in per_agency.items():
        if agency_path and agency_path.startswith(path):
            num += n
            den += d
    return num, den


def score_units(indicator_set: IndicatorSet, period: Period, units: list[Organisation]) -> list[UnitScore]:
    """Each unit's score, in the order given. ``indicator_set`` should come from :func:`load_set`
    (otherwise it is loaded here)."""
    if "groups" not in getattr(indicator_set, "_prefetched_objects_cache", {}):
        indicator_set = load_set(indicator_set)
    indicators = [ind for group in indicator_set.groups.all() for ind in group.indicators.all()]
    paths = sorted({u.path for u in units})
    paths = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    # Many separate subtrees (every commune): one grouped query over all agencies is cheaper than a
    # long list of prefixes; the sums below take only each unit's own subtree either way.
    narrow = paths if len(paths) <= MAX_PREFIXES else None
    per_measure = {
        code: measures.counts(measures.get(code), period, paths=narrow) if paths else {}
        for code in {ind.measure for ind in indicators if ind.measure}
    }
    grades = list(indicator_set.grades.all())
    result = []
    for unit in units:
        score = UnitScore(unit)
        for ind in indicators:
            if not ind.measure:
                score.indicators.append(IndicatorScore(ind, None, None, None))
                continue
            num, den = _sum_subtree(per_measure[ind.measure], unit.path)
            score.indicators.append(
                IndicatorScore(ind, num, den, points_for(measures.share(num, den), ind.thresholds.all()))
            )
        total = score.total
        score.grade = next((g.label for g in grades if total >= g.min_points), "")
        result.append(score)
    return result


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.unit.name))
    for i, score in enumerate(ordered):
        same = i > 0 and ordered[i - 1].total == score.total
        score.rank = ordered[i - 1].rank if same else i + 1
    return ordered
