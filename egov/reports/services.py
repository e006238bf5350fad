"""The only write path of the reports app: indicator sets (create a draft, replace a draft, publish,
start a new version) and score snapshots.

An indicator set is given as a *spec*, a plain dict (the shape :func:`spec_of` returns)::

    {"code": "qd766", "name": ..., "legal_basis": ..., "effective_from": date, "effective_to": None,
     "total_points": 100, "grades": [{"min_points": 15, "label": "Xuất sắc"}],
     "groups": [{"code": "1", "name": ..., "max_points": 18,
                 "indicators": [{"code": "1.1", "name": ..., "measure": "on_time", "max_points": 10,
                                 "note": "", "thresholds": [{"lower": 0, "upper": 50, "points": 0}, ...]}]}]}

Validation reports every problem at once, each naming its field in Vietnamese; nothing is saved.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from egov.access import policy
from egov.audit.services import record
from egov.core.errors import FieldError, ValidationFailed
from egov.organisations.models import Organisation
from egov.reports import measures
from egov.reports.errors import IndicatorSetPublished
from egov.reports.models import Grade, Indicator, IndicatorGroup, IndicatorSet, ScoreSnapshot, Threshold
from egov.reports.periods import Period

__all__ = [
    "validate_spec",
    "create_indicator_set",
    "replace_draft",
    "publish_indicator_set",
    "new_version",
    "spec_of",
    "take_snapshot",
]


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def validate_spec(spec: dict) -> list[FieldError]:
    """Every problem of ``spec``; empty when it can be saved."""
    errors: list[FieldError] = []

    def need_text(field: str, value: Any, label: str) -> None:
        if not isinstance(value, str) or not value.strip():
            errors.append(FieldError(field, f"{label}: không được để trống."))

    def need_points(field: str, value: Any, label: str) -> Decimal | None:
        number = _decimal(value)
        if number is None:
            errors.append(FieldError(field, f"{label}: phải là một số."))
        elif number < 0:
            errors.append(FieldError(field, f"{label}: không được âm."))
            return None
        return number

    need_text("code", spec.get("code"), "Mã bộ chỉ số")
    need_text("name", spec.get("name"), "Tên bộ chỉ số")
    start, end = spec.get("effective_from"), spec.get("effective_to")
    if not isinstance(start, date):
        errors.append(FieldError("effective_from", "Hiệu lực từ: phải là một ngày."))
    if end is not None and not isinstance(end, date):
        errors.append(FieldError("effective_to", "Hiệu lực đến: phải là một ngày."))
    elif isinstance(start, date) and end is not None and end < start:
        errors.append(FieldError("effective_to", "Hiệu lực đến: phải sau ngày hiệu lực từ."))
    total = need_points("total_points", spec.get("total_points"), "Tổng điểm")

    groups = spec.get("groups") or []
    if not groups:
        errors.append(FieldError("groups", "Bộ chỉ số phải có ít nhất một nhóm."))
    group_sum = Decimal(0)
    seen_groups: set[str] = set()
    for g, group in enumerate(groups):
        gf = f"groups[{g}]"
        need_text(f"{gf}.code", group.get("code"), f"Nhóm {g + 1}, mã nhóm")
        need_text(f"{gf}.name", group.get("name"), f"Nhóm {g + 1}, tên nhóm")
        if group.get("code") in seen_groups:
            errors.append(FieldError(f"{gf}.code", f"Nhóm {g + 1}: mã nhóm «{group.get('code')}» bị trùng."))
        seen_groups.add(group.get("code"))
        gmax = need_points(f"{gf}.max_points", group.get("max_points"), f"Nhóm {group.get('code', g + 1)}, điểm tối đa")
        group_sum += gmax or 0
        indicators = group.get("indicators") or []
        if not indicators:
            errors.append(
                FieldError(f"{gf}.indicators", f"Nhóm {group.get('code', g + 1)}: phải có ít nhất một chỉ số.")
            )
        ind_sum = Decimal(0)
        seen_codes: set[str] = set()
        for i, ind in enumerate(indicators):
            f = f"{gf}.indicators[{i}]"
            label = f"Chỉ số {ind.get('code') or i + 1}"
            need_text(f"{f}.code", ind.get("code"), f"{label}, mã chỉ số")
            need_text(f"{f}.name", ind.get("name"), f"{label}, tên chỉ số")
            if ind.get("code") in seen_codes:
                errors.append(FieldError(f"{f}.code", f"{label}: mã chỉ số bị trùng trong nhóm."))
            seen_codes.add(ind.get("code"))
            measure = ind.get("measure") or ""
            if measure and measure not in measures.MEASURES:
                errors.append(FieldError(f"{f}.measure", f"{label}: phép đo «{measure}» không có trong hệ thống."))
            imax = need_points(f"{f}.max_points", ind.get("max_points"), f"{label}, điểm tối đa")
            ind_sum += imax or 0
            thresholds = ind.get("thresholds") or []
            if measure and not thresholds:
                errors.append(FieldError(f"{f}.thresholds", f"{label}: chỉ số tính tự động phải có các ngưỡng điểm."))
            previous_upper: Decimal | None = None
            previous_ok = False  # a row in error says nothing about the order of the next one
            for t, row in enumerate(thresholds):
                tf = f"{f}.thresholds[{t}]"
                tl = f"{label}, ngưỡng {t + 1}"
                lower, upper = _decimal(row.get("lower")), _decimal(row.get("upper"))
                points = need_points(f"{tf}.points", row.get("points"), f"{tl}, điểm")
                if lower is None or not 0 <= lower <= 100:
                    errors.append(FieldError(f"{tf}.lower", f"{tl}: giá trị «từ» phải là số từ 0 đến 100."))
                    previous_ok = False
                    continue
                if row.get("upper") not in (None, "") and (upper is None or upper <= lower or upper > 100):
                    errors.append(
                        FieldError(f"{tf}.upper", f"{tl}: giá trị «đến dưới» phải lớn hơn «từ» và không quá 100.")
                    )
                    previous_ok = False
                    continue
                if t > 0 and previous_ok:
                    if previous_upper is None:
                        errors.append(
                            FieldError(
                                f"{tf}.lower",
                                f"{tl}: ngưỡng trước không có giới hạn trên nên các ngưỡng chồng lên nhau.",
                            )
                        )
                    elif lower < previous_upper:
                        errors.append(
                            FieldError(
                                f"{tf}.lower",
                                f"{tl}: «từ» {_fmt(lower)}% nhỏ hơn «đến dưới» {_fmt(previous_upper)}% của ngưỡng trước"
                                " (các ngưỡng chồng lên nhau hoặc sai thứ tự).",
                            )
                        )
                if points is not None and imax is not None and points > imax:
                    errors.append(
                        FieldError(
                            f"{tf}.points", f"{tl}: điểm {_fmt(points)} vượt điểm tối đa {_fmt(imax)} của chỉ số."
                        )
                    )
                previous_upper, previous_ok = upper, True
        if gmax is not None and indicators and ind_sum != gmax:
            errors.append(
                FieldError(
                    f"{gf}.max_points",
                    f"Nhóm {group.get('code')}: điểm tối đa {_fmt(gmax)} khác tổng điểm các chỉ số {_fmt(ind_sum)}.",
                )
            )
    if total is not None and groups and group_sum != total:
        errors.append(
            FieldError("total_points", f"Tổng điểm {_fmt(total)} khác tổng điểm tối đa của các nhóm {_fmt(group_sum)}.")
        )
    seen_grades: set[Decimal] = set()
    for k, grade in enumerate(spec.get("grades") or []):
        kf = f"grades[{k}]"
        need_text(f"{kf}.label", grade.get("label"), f"Xếp loại {k + 1}, tên xếp loại")
        low = need_points(f"{kf}.min_points", grade.get("min_points"), f"Xếp loại {k + 1}, điểm từ")
        if low is not None and low in seen_grades:
            errors.append(FieldError(f"{kf}.min_points", f"Xếp loại {k + 1}: mức điểm {_fmt(low)} bị trùng."))
        if low is not None:
            seen_grades.add(low)
    return errors


def _write(indicator_set: IndicatorSet, spec: dict) -> None:
    for grade in spec.get("grades") or []:
        Grade.objects.create(
            indicator_set=indicator_set, min_points=_decimal(grade["min_points"]), label=grade["label"]
        )
    for g, group in enumerate(spec["groups"]):
        row = IndicatorGroup.objects.create(
            indicator_set=indicator_set,
            code=group["code"],
            name=group["name"],
            max_points=_decimal(group["max_points"]),
            order=g + 1,
        )
        for i, ind in enumerate(group["indicators"]):
            indicator = Indicator.objects.create(
                group=row,
                code=ind["code"],
                name=ind["name"],
                measure=ind.get("measure") or "",
                max_points=_decimal(ind["max_points"]),
                order=i + 1,
                note=ind.get("note", ""),
            )
            Threshold.objects.bulk_create(
                Threshold(
                    indicator=indicator,
                    lower=_decimal(t["lower"]),
                    upper=_decimal(t.get("upper")),
                    points=_decimal(t["points"]),
                )
                for t in ind.get("thresholds") or []
            )


def _check(spec: dict) -> None:
    errors = validate_spec(spec)
    if errors:
        raise ValidationFailed(errors, "Bộ chỉ số chưa hợp lệ: " + " ".join(e.message for e in errors))


@transaction.atomic
def create_indicator_set(*, by, spec: dict) -> IndicatorSet:
    """A new draft: version 1 of a new code, or the next version of an existing one."""
    policy.require(by, "indicator.manage")
    _check(spec)
    last = IndicatorSet.objects.select_for_update().filter(code=spec["code"]).aggregate(v=Max("version"))["v"]
    indicator_set = IndicatorSet.objects.create(
        code=spec["code"],
        version=(last or 0) + 1,
        name=spec["name"],
        legal_basis=spec.get("legal_basis", ""),
        effective_from=spec["effective_from"],
        effective_to=spec.get("effective_to"),
        total_points=_decimal(spec["total_points"]),
        created_by=by,
    )
    _write(indicator_set, spec)
    record(
        actor=by,
        action="indicator_set.create",
        target=indicator_set,
        after={"code": indicator_set.code, "version": indicator_set.version},
    )
    return indicator_set


@transaction.atomic
def replace_draft(*, by, indicator_set: IndicatorSet, spec: dict) -> IndicatorSet:
    """Replace a draft's contents with ``spec`` (its code and version stay). A published version
    is refused: start a new version instead."""
    policy.require(by, "indicator.manage")
    indicator_set = IndicatorSet.objects.select_for_update().get(pk=indicator_set.pk)
    if indicator_set.is_published:
        raise IndicatorSetPublished()
    spec = {**spec, "code": indicator_set.code}
    _check(spec)
    indicator_set.groups.all().delete()
    indicator_set.grades.all().delete()
    for field in ("name", "legal_basis", "effective_from", "effective_to"):
        setattr(indicator_set, field, spec.get(field, "" if field == "legal_basis" else None))
    indicator_set.total_points = _decimal(spec["total_points"])
    indicator_set.save()
    _write(indicator_set, spec)
    record(actor=by, action="indicator_set.replace_draft", target=indicator_set)
    return indicator_set


@transaction.atomic
def publish_indicator_set(*, by, indicator_set: IndicatorSet) -> IndicatorSet:
    policy.require(by, "indicator.manage")
    indicator_set = IndicatorSet.objects.select_for_update().get(pk=indicator_set.pk)
    if indicator_set.is_published:
        raise IndicatorSetPublished("Bộ chỉ số này đã được ban hành.")
    _check(spec_of(indicator_set))
    indicator_set.status = IndicatorSet.Status.PUBLISHED
    indicator_set.published_at = timezone.now()
    indicator_set.save(update_fields=["status", "published_at"])
    record(actor=by, action="indicator_set.publish", target=indicator_set)
    return indicator_set


@transaction.atomic
def new_version(*, by, indicator_set: IndicatorSet) -> IndicatorSet:
    """A draft copy of ``indicator_set`` with the next version number, to edit and publish."""
    return create_indicator_set(by=by, spec=spec_of(indicator_set))


def spec_of(indicator_set: IndicatorSet) -> dict:
    groups = indicator_set.groups.prefetch_related("indicators__thresholds")
    return {
        "code": indicator_set.code,
        "name": indicator_set.name,
        "legal_basis": indicator_set.legal_basis,
        "effective_from": indicator_set.effective_from,
        "effective_to": indicator_set.effective_to,
        "total_points": indicator_set.total_points,
        "grades": [{"min_points": g.min_points, "label": g.label} for g in indicator_set.grades.all()],
        "groups": [
            {
                "code": group.code,
                "name": group.name,
                "max_points": group.max_points,
                "indicators": [
                    {
                        "code": ind.code,
                        "name": ind.name,
                        "measure": ind.measure,
                        "max_points": ind.max_points,
                        "note": ind.note,
                        "thresholds": [
                            {"lower": t.lower, "upper": t.upper, "points": t.points} for t in ind.thresholds.all()
                        ],
                    }
                    for ind in group.indicators.all()
                ],
            }
            for group in groups
        ],
    }


@transaction.atomic
def take_snapshot(*, by, indicator_set: IndicatorSet, period: Period, agency: Organisation) -> ScoreSnapshot:
    """Compute ``agency``'s score for ``period`` with this version of the set and keep it."""
    from egov.reports import scoring

    policy.require(by, "report.view", agency)
    score = scoring.score_units(indicator_set, period, [agency])[0]
    snapshot, _ = ScoreSnapshot.objects.update_or_create(
        indicator_set=indicator_set,
        agency=agency,
        period_key=period.key,
        defaults={
            "period_kind": period.kind,
            "period_start": period.start,
            "period_end": period.end,
            "points": score.total,
            "data": score.as_data(),
            "computed_at": timezone.now(),
            "computed_by": by,
        },
    )
    record(actor=by, action="score.snapshot", target=snapshot, after={"points": str(score.total)})
    return snapshot
