"""Public statistics of dossiers (DOMAIN §5–§6): per agency and field, for a period of reception —
received, finished, finished on time (on or before the due date), late, still open past the due
date, the online share, and the digitised and reused shares (dossiers with a file attached; dossiers
with a component reused from the applicant's store or an earlier result). Two grouped queries; no
personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from egov.dossiers.models import Dossier, DossierFile
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
    digitised: int = 0
    reused: int = 0

    @property
    def digitised_share(self) -> float | None:
        return round(100 * self.digitised / self.received, 1) if self.received else None

    @property
    def reuse_share(self) -> float | None:
        return round(100 * self.reused / self.received, 1) if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.finished, 1) if self.finished else None

    @property
    def online_share(self) -> float | None:
        return round(100 * self.online / self.received, 1) if self.received else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.max, tzinfo=tz)


def _period(start: date, end: date):
    tz = timezone.get_current_timezone()
    low, high = _bounds(start, end)
    received = Dossier.objects.filter(received_at__gte=low, received_at__lte=high)
    return received.annotate(finished_on=TruncDate("finished_at", tzinfo=tz), due_on=TruncDate("due_at", tzinfo=tz))


def _files(start: date, end: date, key: str) -> dict[str, tuple[int, int]]:
    """Per group: dossiers with at least one file, and with at least one reused file."""
    low, high = _bounds(start, end)
    prefix = "component__dossier__"
    rows = (
        DossierFile.objects.filter(**{f"{prefix}received_at__gte": low, f"{prefix}received_at__lte": high})
        .values(prefix + key)
        .annotate(
            digitised=Count(prefix + "id", distinct=True),
            reused=Count(prefix + "id", distinct=True, filter=Q(reused=True)),
        )
        .order_by()
    )
    return {str(r[prefix + key]): (r["digitised"], r["reused"]) for r in rows}


def _aggregate(qs, key: str, label: str, files: dict[str, tuple[int, int]]) -> list[Row]:
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
            digitised=files.get(str(r[key]), (0, 0))[0],
            reused=files.get(str(r[key]), (0, 0))[1],
        )
        for r in rows
    ]


def by_agency(start: date, end: date) -> list[Row]:
    return _aggregate(_period(start, end), "agency__code", "agency__name", _files(start, end, "agency__code"))


def by_field(start: date, end: date) -> list[Row]:
    return _aggregate(
        _period(start, end),
        "procedure__field__code",
        "procedure__field__name",
        _files(start, end, "procedure__field__code"),
    )


def totals(rows: list[Row]) -> Row:
    return Row(
        key="",
        label="Tổng cộng",
        **{
            f: sum(getattr(r, f) for r in rows)
            for f in ("received", "finished", "on_time", "late", "open_overdue", "online", "digitised", "reused")
        },
    )
