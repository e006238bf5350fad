"""Report pages: the scores (with the drill-down to the rows behind every figure and the Excel
export), the leader's operations dashboard, and the public statistics as open data.

Handlers parse, authorise, call selectors, render. Officers see the units in their
``report.view`` scope only (egov.access.policy.scope); others are refused.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.access import policy
from egov.core.errors import ValidationFailed
from egov.dossiers import statistics
from egov.dossiers.models import Dossier
from egov.dossiers.selectors import timeliness
from egov.organisations.models import Kind, Organisation
from egov.reports import dashboard, measures, periods, scoring
from egov.reports.models import IndicatorSet

PAGE = 50
LEVELS = {
    "tinh": Kind.PROVINCE,
    "so-nganh": Kind.DEPARTMENT,
    "huyen": Kind.DISTRICT,
    "xa": Kind.COMMUNE,
}
PART_SLUGS = {"tu-so": "numerator", "mau-so": "denominator", "con-lai": "rest"}


def _refuse(request, message: str | None = None):
    return render(
        request,
        "reports/no_access.html",
        {"message": message or _("Bạn không có quyền xem báo cáo, bảng điểm của đơn vị nào.")},
        status=403,
    )


def _may_view(user) -> bool:
    return policy.has(user, "report.view")


def _published_sets():
    return list(IndicatorSet.objects.filter(status=IndicatorSet.Status.PUBLISHED).order_by("code", "-version"))


def _chosen_set(request, sets: list[IndicatorSet]) -> IndicatorSet | None:
    raw = request.GET.get("bo", "")
    chosen = next((s for s in sets if str(s.pk) == raw), None)
    return chosen or (sets[0] if sets else None)


def _period(request) -> periods.Period:
    raw = request.GET.get("ky")
    if not raw:
        return periods.current("month")
    return periods.parse(raw)


def _units(user, level: str, period: periods.Period):
    units = Organisation.objects.agencies().filter(kind=LEVELS[level]).active_on(period.end)
    return list(policy.scope(user, "report.view", units).order_by("name"))


def _unit(user, code: str) -> Organisation | None:
    """The unit with this code, if the viewer may see its reports."""
    qs = policy.scope(user, "report.view", Organisation.objects.filter(code=code))
    return qs.first()


def _score_context(request):
    """Everything the score page and its Excel export need, or a ValidationFailed."""
    sets = _published_sets()
    chosen = _chosen_set(request, sets)
    period = _period(request)
    level = request.GET.get("cap", "so-nganh")
    if level not in LEVELS:
        raise ValidationFailed.field("cap", _("Cấp đơn vị không hợp lệ."))
    if chosen is None:
        return {"sets": sets, "indicator_set": None, "period": period, "level": level, "scores": []}
    loaded = scoring.load_set(chosen)
    units = _units(request.user, level, period)
    scores = scoring.rank(scoring.score_units(loaded, period, units))
    indicators = [ind for group in loaded.groups.all() for ind in group.indicators.all()]
    for ind in indicators:
        ind.measure_obj = measures.MEASURES.get(ind.measure)
    return {
        "sets": sets,
        "indicator_set": loaded,
        "indicators": indicators,
        "period": period,
        "level": level,
        "levels": [(slug, Kind(kind).label) for slug, kind in LEVELS.items()],
        "scores": scores,
        "query": urlencode({"bo": chosen.pk, "ky": period.key, "cap": level}),
    }


@login_required
@require_GET
def scores_page(request):
    if not _may_view(request.user):
        return _refuse(request)
    try:
        context = _score_context(request)
    except ValidationFailed as exc:
        request_get = request.GET.copy()
        request_get["ky"] = periods.current("month").key
        request_get["cap"] = "so-nganh"
        request.GET = request_get
        context = _score_context(request) | {"error": exc.message}
        return render(request, "reports/scores.html", context, status=400)
    return render(request, "reports/scores.html", context)


@login_required
@require_GET
def scores_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if not _may_view(request.user):
        return _refuse(request)
    try:
        context = _score_context(request)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = _("Bảng điểm")[:31]
    chosen, period = context["indicator_set"], context["period"]
    sheet.append([f"{chosen.name} — {_('phiên bản')} {chosen.version}" if chosen else ""])
    sheet.append([f"{period.label}: {period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}"])
    sheet.append([])
    header = [_("Xếp hạng"), _("Mã đơn vị"), _("Đơn vị"), _("Tổng điểm"), _("Xếp loại")]
    numerator, denominator, points = _("tử số"), _("mẫu số"), _("điểm")
    for ind in context.get("indicators", []):
        header += [f"{ind.code} {numerator}", f"{ind.code} {denominator}", f"{ind.code} %", f"{ind.code} {points}"]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for score in context["scores"]:
        row = [score.rank, score.unit.code, score.unit.name, float(score.total), score.grade]
        for s in score.indicators:
            row += [
                s.numerator,
                s.denominator,
                None if s.value is None else float(s.value),
                None if s.points is None else float(s.points),
            ]
        sheet.append(row)
    formulas = book.create_sheet(_("Công thức")[:31])
    formulas.append([_("Chỉ số"), _("Tên"), _("Điểm tối đa"), _("Công thức"), _("Ngưỡng điểm")])
    for ind in context.get("indicators", []):
        measure = measures.MEASURES.get(ind.measure)
        bands = "; ".join(
            f"{t.lower}–{t.upper if t.upper is not None else '∞'}% → {t.points}" for t in ind.thresholds.all()
        )
        formulas.append(
            [ind.code, ind.name, float(ind.max_points), str(measure.formula) if measure else _("Chấm thủ công"), bands]
        )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"bang-diem-{chosen.code if chosen else ''}-{period.key}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cursor(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
@require_GET
def drilldown_page(request):
    """The rows behind one figure: measure (``do``), period (``ky``), unit (``don-vi``) and part
    (``phan``: tu-so, mau-so, con-lai), keyset paginated on the row id."""
    if not _may_view(request.user):
        return _refuse(request)
    measure = measures.MEASURES.get(request.GET.get("do", ""))
    part = PART_SLUGS.get(request.GET.get("phan", "mau-so"))
    unit = _unit(request.user, request.GET.get("don-vi", ""))
    try:
        period = _period(request)
    except ValidationFailed as exc:
        return render(request, "reports/drilldown.html", {"error": exc.message}, status=400)
    if measure is None or part is None:
        return render(
            request, "reports/drilldown.html", {"error": _("Chỉ số hoặc phần cần xem không hợp lệ.")}, status=400
        )
    if unit is None:
        return _refuse(request, _("Không có đơn vị này trong phạm vi bạn được xem."))
    qs = measure.rows(period, paths=[unit.path], part=part)
    after = _cursor(request.GET.get("sau"))
    if after is not None:
        qs = qs.filter(pk__gt=after)
    if measure.source == "dossier":
        qs = qs.select_related("procedure", "agency").only(
            "code", "received_at", "due_at", "finished_at", "channel", "status", "fee_amount",
            "procedure__name", "agency__name",
        )  # fmt: skip
    else:
        qs = qs.select_related("agency").only("code", "title", "created_at", "due_at", "answered_at", "agency__name")
    rows = list(qs.order_by("pk")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    now = timezone.now()
    if measure.source == "dossier":
        for row in rows:
            row.timeliness = timeliness(due_at=row.due_at, finished_at=row.finished_at, now=now)
    base = {k: v for k, v in request.GET.items() if k != "sau"}
    context = {
        "measure": measure,
        "part": part,
        "part_label": {
            "numerator": measure.numerator_label,
            "denominator": measure.denominator_label,
            "rest": _("không đạt"),
        }[part],
        "unit": unit,
        "period": period,
        "rows": rows,
        "next_query": urlencode(base | {"sau": rows[-1].pk}) if more else "",
        "first_query": urlencode(base) if after is not None else "",
    }
    return render(request, "reports/drilldown.html", context)


def _dashboard_data(request) -> dict:
    scoped = policy.scope(request.user, "report.view", Dossier.objects.all(), path_field="agency__path")
    now = timezone.now()
    by_agency = dashboard.figures(scoped, by="agency", now=now)
    by_field = dashboard.figures(scoped, by="field", now=now)
    return {
        "now": now,
        "kinds": dashboard.KINDS,
        "by_agency": by_agency,
        "by_field": by_field,
        "totals": dashboard.totals(by_agency),
        "trend": dashboard.trend(scoped, now=now),
    }


def _payload(data: dict) -> dict:
    """The dashboard's figures as JSON: embedded in the page and served for its refresh script."""
    return {
        "at": timezone.localtime(data["now"]).strftime("%H:%M %d/%m/%Y"),
        "kinds": {k: str(v) for k, v in data["kinds"].items()},
        "totals": data["totals"],
        "by_agency": [{"code": r.key, "name": r.label, **r.counts} for r in data["by_agency"]],
        "by_field": [{"code": r.key, "name": r.label, **r.counts} for r in data["by_field"]],
        "trend": data["trend"],
    }


@login_required
@require_GET
def dashboard_page(request):
    if not _may_view(request.user):
        return _refuse(request)
    data = _dashboard_data(request)
    return render(request, "reports/dashboard.html", data | {"payload": _payload(data)})


@login_required
@require_GET
def dashboard_json(request):
    """The dashboard's figures for the page's refresh script."""
    if not _may_view(request.user):
        return JsonResponse({"code": "permission_denied"}, status=403)
    return JsonResponse(_payload(_dashboard_data(request)))


@login_required
@require_GET
def dashboard_list(request):
    """The dossiers behind a dashboard figure (``loai``), for one agency (``don-vi``) or all the
    viewer may see, keyset paginated."""
    if not _may_view(request.user):
        return _refuse(request)
    kind = request.GET.get("loai", "")
    if kind not in dashboard.KINDS:
        return render(
            request, "reports/dashboard_list.html", {"error": _("Danh sách cần xem không hợp lệ.")}, status=400
        )
    scoped = policy.scope(request.user, "report.view", Dossier.objects.all(), path_field="agency__path")
    unit = None
    if request.GET.get("don-vi"):
        unit = _unit(request.user, request.GET["don-vi"])
        if unit is None:
            return _refuse(request, _("Không có đơn vị này trong phạm vi bạn được xem."))
        scoped = scoped.filter(agency__path__startswith=unit.path)
    if request.GET.get("linh-vuc"):
        scoped = scoped.filter(procedure__field__code=request.GET["linh-vuc"])
    now = timezone.now()
    qs = dashboard.dossiers(scoped, kind, now=now)
    after = _cursor(request.GET.get("sau"))
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.select_related("procedure", "agency").order_by("pk")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    for row in rows:
        row.timeliness = timeliness(due_at=row.due_at, finished_at=row.finished_at, now=now)
    base = {k: v for k, v in request.GET.items() if k != "sau"}
    return render(
        request,
        "reports/dashboard_list.html",
        {
            "kind_label": dashboard.KINDS[kind],
            "unit": unit,
            "rows": rows,
            "next_query": urlencode(base | {"sau": rows[-1].pk}) if more else "",
            "first_query": urlencode(base) if after is not None else "",
        },
    )


# Open data: the public statistics per period (no personal data, no login).

OPEN_FIELDS = [
    "key", "label", "received", "finished", "on_time", "late", "open_overdue", "online", "digitised", "reused",
]  # fmt: skip


def _open_rows(request):
    period = _period(request)
    group = "linh-vuc" if request.GET.get("theo") == "linh-vuc" else "co-quan"
    rows = (statistics.by_field if group == "linh-vuc" else statistics.by_agency)(period.start, period.end)
    return period, group, rows


@require_GET
def open_data_csv(request):
    try:
        period, group, rows = _open_rows(request)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ky", "tu_ngay", "den_ngay", "theo", *OPEN_FIELDS])
    for row in rows:
        writer.writerow(
            [
                period.key,
                period.start.isoformat(),
                period.end.isoformat(),
                group,
                *(getattr(row, f) for f in OPEN_FIELDS),
            ]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thong-ke-{group}-{period.key}.csv"'
    return response


@require_GET
def open_data_json(request):
    try:
        period, group, rows = _open_rows(request)
    except ValidationFailed as exc:
        return JsonResponse(exc.as_dict(), status=400)
    body = {
        "period": {
            "key": period.key,
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "group": group,
        "rows": [{f: getattr(row, f) for f in OPEN_FIELDS} for row in rows],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8")
