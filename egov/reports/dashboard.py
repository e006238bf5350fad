"""The leader's operations dashboard (IOC): dossiers received, in progress and overdue, today and
this month, per agency and per field, and the trend by month. Grouped queries over the dossiers in
the viewer's scope; every figure names the list behind it (:data:`KINDS`, :func:`dossiers`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.dossiers.statuses import ACTIVE, Status

__all__ = ["KINDS", "Figures", "figures", "trend", "dossiers"]

# The lists a figure drills down to: code → label.
KINDS = {
    "nhan-hom-nay": _("Tiếp nhận hôm nay"),
    "nhan-thang-nay": _("Tiếp nhận tháng này"),
    "dang-xu-ly": _("Đang xử lý"),
    "qua-han": _("Đang xử lý quá hạn"),
    "xong-thang-nay": _("Giải quyết xong tháng này"),
}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _conditions(now: datetime) -> dict[str, Q]:
    today = timezone.localdate(now)
    day, month = _day_start(today), _day_start(today.replace(day=1))
    return {
        "nhan-hom-nay": Q(received_at__gte=day),
        "nhan-thang-nay": Q(received_at__gte=month),
        "dang-xu-ly": Q(status__in=ACTIVE),
        "qua-han": Q(status__in=ACTIVE, due_at__lt=now),
        "xong-thang-nay": Q(finished_at__gte=month, status__in=(Status.DONE, Status.RETURNED)),
    }


@dataclass(frozen=True)
class Figures:
    key: str
    label: str
    counts: dict[str, int]  # kind → count


def _relevant(now: datetime) -> Q:
    """Rows any figure counts: active, or received or finished this month (so the grouped query
    does not scan the years of closed dossiers)."""
    month = _day_start(timezone.localdate(now).replace(day=1))
    return Q(status__in=ACTIVE) | Q(received_at__gte=month) | Q(finished_at__gte=month)


def figures(scoped: QuerySet, *, by: str, now: datetime | None = None) -> list[Figures]:
    """Per ``by`` ("agency" or "field"), one grouped query; ``scoped`` is the viewer's dossiers."""
    now = now or timezone.now()
    key, label = {
        "agency": ("agency__code", "agency__name"),
        "field": ("procedure__field__code", "procedure__field__name"),
    }[by]
    rows = (
        scoped.filter(_relevant(now))
        .values(key, label)
        .annotate(**{kind.replace("-", "_"): Count("pk", filter=q) for kind, q in _conditions(now).items()})
        .order_by(label)
    )
    return [
        Figures(str(r[key] or ""), r[label] or "—", {kind: r[kind.replace("-", "_")] for kind in KINDS}) for r in rows
    ]


def totals(rows: list[Figures]) -> dict[str, int]:
    return {kind: sum(r.counts[kind] for r in rows) for kind in KINDS}


def trend(scoped: QuerySet, *, months: int = 12, now: datetime | None = None) -> list[dict]:
    """Received, finished and finished late (Vietnam dates, as the dossiers app classifies) per
    calendar month, the last ``months``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    start = _day_start(first)
    tz = timezone.get_current_timezone()
    received = (
        scoped.filter(received_at__gte=start)
        .annotate(m=TruncMonth("received_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    finished = (
        scoped.filter(finished_at__gte=start, status__in=(Status.DONE, Status.RETURNED))
        .annotate(
            m=TruncMonth("finished_at", tzinfo=tz),
            finished_on=TruncDate("finished_at", tzinfo=tz),
            due_on=TruncDate("due_at", tzinfo=tz),
        )
        .values("m")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(finished_on__gt=F("due_on"))))
        .order_by()
    )

    def month_of(value) -> str:
        return (value.date() if isinstance(value, datetime) else value).strftime("%Y-%m")

    rec = {month_of(r["m"]): r["n"] for r in received}
    fin = {month_of(r["m"]): (r["n"], r["late"]) for r in finished}
    result, cursor = [], first
    while cursor <= today:
        key = cursor.strftime("%Y-%m")
        done, late = fin.get(key, (0, 0))
        result.append({"month": key, "received": rec.get(key, 0), "finished": done, "late": late})
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return result


def dossiers(scoped: QuerySet, kind: str, *, now: datetime | None = None) -> QuerySet:
    return scoped.filter(_conditions(now or timezone.now())[kind])
