"""Public statistics of dossiers (DOMAIN §5–§6): per agency and field, for a period of reception —
received, finished, finished on time (on or before the due date), late, still open past the due
date, and the online share. One grouped query; no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from egov.dossiers.models import Dossier
from egov.dossiers.statuses import Channel, Status

__all__ = ["Row", "by_agency", "by_field", "totals"]

FINISHED = (Status.DONE, Status.RETURNED)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    received: int
    finished: int
    on_time: int
    late: int
    open_overdue: int
    online: int

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.finished, 1) if self.finished else None

    @property
    def online_share(self) -> float | None:
        return round(100 * self.online / self.received, 1) if self.received else None


def _period(start: date, end: date):
    tz = timezone.get_current_timezone()
    received = Dossier.objects.filter(
        received_at__gte=datetime.combine(start, time.min, tzinfo=tz),
        received_at__lte=datetime.combine(end, time.max, tzinfo=tz),
    )
    return received.annotate(finished_on=TruncDate("finished_at", tzinfo=tz), due_on=TruncDate("due_at", tzinfo=tz))


def _aggregate(qs, key: str, label: str) -> list[Row]:
    now = timezone.now()
    finished = Q(status__in=FINISHED)
    rows = (
        qs.values(key, label)
        .annotate(
            received=Count("id"),
            finished=Count("id", filter=finished),
            on_time=Count("id", filter=finished & Q(finished_on__lte=F("due_on"))),
            late=Count("id", filter=finished & Q(finished_on__gt=F("due_on"))),
            open_overdue=Count("id", filter=Q(status__in=(Status.RECEIVED, Status.PROCESSING)) & Q(due_at__lt=now)),
            online=Count("id", filter=Q(channel=Channel.ONLINE)),
        )
        .order_by(label)
    )
    return [
        Row(
            key=str(r[key]),
            label=r[label],
            received=r["received"],
            finished=r["finished"],
            on_time=r["on_time"],
            late=r["late"],
            open_overdue=r["open_overdue"],
            online=r["online"],
        )
        for r in rows
    ]


def by_agency(start: date, end: date) -> list[Row]:
    return _aggregate(_period(start, end), "agency__code", "agency__name")


def by_field(start: date, end: date) -> list[Row]:
    return _aggregate(_period(start, end), "procedure__field__code", "procedure__field__name")


def totals(rows: list[Row]) -> Row:
    return Row(
        key="",
        label="Tổng cộng",
        **{
            f: sum(getattr(r, f) for r in rows)
            for f in ("received", "finished", "on_time", "late", "open_overdue", "online")
        },
    )
