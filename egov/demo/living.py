"""The living demo: a year of dossiers across the demo province's agencies and levels, so the
worklists, the statistics and the dashboards show what a province sees, not an empty room.

``seed_demo`` calls :func:`load` once the base data (organisations, officers, catalogue, processes)
is there. What it writes, from a fixed seed (the same rows on every fresh database):

- ~3,000 dossiers received on the working days of the last year (the province's calendar), up to
  yesterday, through every active internal process of every agency (communes weigh more), in every
  status: most returned, recent ones open, some waiting for a supplement or a payment, new online ones
  not received yet, a few refused, withdrawn or stopped; ~8 % late, a few stalled for months.
- Their steps (tasks, with the demo officers of each step's unit and role), history (events) and
  components; codes in the rule set's format, numbered per agency and day (the shared numbering series is
  moved on, so a reception today continues the series); due dates from the calendar.
- Fees recorded as paid on most finished fee-bearing dossiers; a rating on a third of the returned
  ones; one small PDF (shared) filed under every component handed in.

How: the dossier timelines are those of the benchmark generator (``bench.generate``: the calendar's
working-time arithmetic, the routes through the processes, the per-dossier timeline), written here
with ``bulk_create`` so it runs on SQLite and PostgreSQL alike, in the caller's transaction. Like the
benchmark data, the synthetic history has no audit records (nobody acted): the audit chain is
untouched and stays valid.

Idempotent: the first event of every synthetic dossier carries ``{"living_demo": true}``; if one
exists, nothing is written. ``EGOV_DEMO_LIVING=0`` skips it (the tests set it).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import random
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

__all__ = ["load", "enabled", "MARKER", "DEFAULT_DOSSIERS"]

MARKER = "living_demo"
DEFAULT_DOSSIERS = 3000
SEED = 2026
SHARED_FILE = "demo/giay-to-mau.pdf"
# A one-page PDF, shared by every synthetic file (the demo shows the list and opens a real file).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

_BOOLEAN = {"rescheduled", "required", "provided"}
_MOMENT = {
    "submitted_at", "received_at", "clock_started_at", "due_at", "original_due_at", "paused_at", "finished_at",
    "returned_at", "fee_paid_at", "created_at", "updated_at", "started_at", "at",
}  # fmt: skip
_TEXT = {
    "code", "applicant_name", "applicant_identity", "submitter_name", "address", "phone", "email", "matter",
    "return_method", "closed_reason", "name", "role", "note", "action",
}  # fmt: skip


def enabled() -> bool:
    return bool(settings.EGOV_DEMO_LIVING)


class _Rows:
    """Collects the generator's rows (COPY text values) per table."""

    def __init__(self):
        self.rows: dict[str, list[tuple]] = defaultdict(list)

    def row(self, table: str, values) -> None:
        self.rows[table].append(tuple(values))


def _value(column: str, raw: str):
    if raw == "\\N":
        return None
    if column in _BOOLEAN:
        return raw == "t"
    if column in _MOMENT:
        return datetime.fromisoformat(raw)
    if column == "data":
        return json.loads(raw)
    if column in _TEXT:
        return raw.replace("\\\\", "\\")
    return int(raw)


def _officers() -> dict[tuple[int, str], list[int]]:
    """The demo officers of each (unit, role), by id: they hold the synthetic steps."""
    from egov.people.models import Position

    found: dict[tuple[int, str], list[int]] = defaultdict(list)
    rows = Position.objects.active_on(timezone.localdate()).values_list("unit_id", "role__code", "user_id")
    for unit_id, role, user_id in rows.order_by("user_id"):
        found[(unit_id, role)].append(user_id)
    return found


def load(*, dossiers: int = DEFAULT_DOSSIERS, seed: int = SEED, stdout=None) -> int:
    """Write the living demo (see the module docstring); returns the number of dossiers written
    (a little under ``dossiers``: today's arrivals after now are left out)."""
    from bench import generate as timeline
    from egov.calendar import selectors as calendar_selectors
    from egov.demo import data
    from egov.dossiers.models import (
        Dossier,
        DossierComponent,
        DossierEvent,
        DossierFile,
        DossierTask,
        RuleSet,
    )
    from egov.feedback.models import Rating, RatingValue
    from egov.organisations.models import Organisation

    if not enabled() or dossiers <= 0:
        return 0
    if DossierEvent.objects.filter(**{f"data__{MARKER}": True}).exists():
        return 0
    started = time.monotonic()
    timeline.VN = timezone.get_default_timezone()  # the generator's zone (it is set up for a CLI)
    rnd = random.Random(seed)
    today = timezone.localdate()
    first = date(today.year - 1, today.month, 1)
    routes = timeline._routes(rnd)
    if not routes:
        return 0
    weights = list(timeline._cumulative([r.weight for r in routes]))
    province = Organisation.objects.get(code=data.PROVINCE_CODE)
    spec = calendar_selectors.spec_for(calendar_selectors.calendar_for(province))
    clock = timeline.WorkingClock(spec, first - timedelta(days=7), today + timedelta(days=400))
    rule_sets = sorted(RuleSet.objects.values_list("effective_from", "pk"))
    now = timezone.now()
    officers = _officers()

    tables = {
        "dossiers_dossier": Dossier,
        "dossiers_dossiertask": DossierTask,
        "dossiers_dossierevent": DossierEvent,
        "dossiers_dossiercomponent": DossierComponent,
    }
    ids = {
        table: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        for table, model in tables.items()
    }
    from egov.core.models import NumberSequence

    # Dossier codes come from the shared numbering series "dossier:<agency id>" per day (core.numbering).
    sequences = {
        (int(scope.split(":", 1)[1]), date.fromisoformat(period)): last
        for scope, period, last in NumberSequence.objects.filter(scope__startswith="dossier:").values_list(
            "scope", "period", "last"
        )
    }
    touched: set[tuple[int, date]] = set()

    # The year up to today (today's arrivals up to now only). The last weeks weigh more, as the open
    # work of a real office is the recent intake: the worklists fill, most of the year is returned.
    days = clock.working_days_between(first, today)
    recent = {d: rank for rank, d in enumerate(reversed(days))}
    day_weight = [
        (6.0 if recent[d] < 10 else 3.0 if recent[d] < 25 else 1.0) * 1.15 ** ((d - first).days / 365) for d in days
    ]
    total = sum(day_weight)
    per_day = [int(dossiers * w / total) for w in day_weight]
    for i in range(dossiers - sum(per_day)):
        per_day[-1 - (i % len(per_day))] += 1

    rows = _Rows()
    statuses: Counter = Counter()
    for day, count in zip(days, per_day, strict=True):
        rule_set_id = rule_sets[bisect.bisect_right([r[0] for r in rule_sets], day) - 1][1]
        for at in sorted(clock.random_moment(rnd, day) for _ in range(count)):
            if at > now:
                continue  # not arrived yet
            route = routes[bisect.bisect_left(weights, rnd.random() * weights[-1])]
            key = (route.agency_id, day)
            sequences[key] = sequences.get(key, 0) + 1
            touched.add(key)
            channel = timeline.ONLINE if rnd.random() < 0.6 else (timeline.POST if rnd.random() < 0.04 else 1)
            ids["dossiers_dossier"] += 1
            status = timeline._dossier(
                rows, rnd, clock, ids, officers, route,
                code=f"{route.agency_code}-{day:%y%m%d}-{sequences[key]:04d}",
                at=at, channel=channel, now=now, rule_set_id=rule_set_id,
            )  # fmt: skip
            statuses[status] += 1

    written: dict[str, list] = {}
    for table, model in tables.items():
        columns = timeline.TABLES[table]
        instances = [
            model(**{c: _value(c, v) for c, v in zip(columns, values, strict=True)}) for values in rows.rows[table]
        ]
        written[table] = instances
    # The marker, on each dossier's first event (the generator writes them in order).
    seen: set[int] = set()
    for event in written["dossiers_dossierevent"]:
        if event.dossier_id not in seen:
            seen.add(event.dossier_id)
            event.data = {MARKER: True}
    for table in ("dossiers_dossier", "dossiers_dossiertask", "dossiers_dossierevent", "dossiers_dossiercomponent"):
        tables[table].objects.bulk_create(written[table], batch_size=500)
    NumberSequence.objects.bulk_create(
        [
            NumberSequence(scope=f"dossier:{a}", period=d.isoformat(), last=sequences[(a, d)])
            for a, d in sorted(touched)
        ],
        update_conflicts=True,
        unique_fields=["scope", "period"],
        update_fields=["last"],
    )
    if connection.vendor == "postgresql":  # explicit ids: move the identity counters past them
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(tables.values())):
                cursor.execute(sql)

    files = _files(written["dossiers_dossiercomponent"], DossierFile)
    ratings = _ratings(written["dossiers_dossier"], rnd, Rating, RatingValue)
    if stdout is not None:
        stdout.write(
            f"Dữ liệu sống: {len(written['dossiers_dossier'])} hồ sơ một năm qua ({_status_line(statuses)}), "
            f"{len(written['dossiers_dossiertask'])} bước, {files} tệp, {ratings} đánh giá, "
            f"trong {time.monotonic() - started:.1f} giây."
        )
    return len(written["dossiers_dossier"])


def _files(components, DossierFile) -> int:
    """One shared small PDF filed under every component handed in."""
    if not default_storage.exists(SHARED_FILE):
        default_storage.save(SHARED_FILE, ContentFile(PDF))
    digest = hashlib.sha256(PDF).hexdigest()
    files = [
        DossierFile(
            component_id=c.pk,
            file=SHARED_FILE,
            original_name=f"tp-{c.order + 1}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=digest,
        )
        for c in components
        if c.provided
    ]
    DossierFile.objects.bulk_create(files, batch_size=1000)
    return len(files)


def _ratings(dossiers, rnd: random.Random, Rating, RatingValue) -> int:
    """A third of the returned dossiers rated, mostly satisfied, a few hours after the return."""
    now = timezone.now()
    values = [RatingValue.VERY_SATISFIED, RatingValue.SATISFIED, RatingValue.UNSATISFIED]
    ratings = [
        Rating(
            dossier_id=d.pk,
            agency_id=d.agency_id,
            value=rnd.choices(values, [55, 38, 7])[0],
            created_at=min(d.returned_at + timedelta(hours=rnd.uniform(1, 72)), now),
        )
        for d in dossiers
        if d.returned_at is not None and rnd.random() < 0.33
    ]
    Rating.objects.bulk_create(ratings, batch_size=1000)
    return len(ratings)


def _status_line(statuses: Counter) -> str:
    from egov.dossiers.statuses import Status

    return ", ".join(f"{Status(s).label}: {n}" for s, n in sorted(statuses.items()))
