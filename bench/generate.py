"""Synthetic province for the benchmarks: the demo province, bench officers, and N dossiers with
their components, steps (tasks) and history (events), spread over several years, loaded with COPY.

    DATABASE_URL=postgres://... python -m bench.generate --dossiers 1000000 --seed 42

Organisations, officers, the catalogue, internal processes and signing keys come from the demo
loader (``seed_demo``: every write through the services, with an audit trail). Dossiers, tasks,
events and components are written with ``COPY`` inside one transaction (a failure leaves nothing),
with the secondary indexes of those four tables dropped during the load and rebuilt after. The
bulk history does **not** go through the audit trail: no ``AuditRecord`` is written and the chain
(`verify_audit_chain`) stays intact; the audit table simply has no rows for synthetic dossiers.

What is generated, and how (seeded, so two runs with the same seed and size give the same rows):

- Reception dates over ``--years`` years up to today, on working days of the province's calendar
  (statutory days off seeded back to the first year), in working hours; volume grows ~15 % a year.
- Procedure and agency: every active internal process, weighted so commune procedures and a few
  popular ones dominate (Zipf-like).
- Channel: the online share grows from ~35 % to ~75 % over the period; ~2 % by public post.
- Each step of the process takes a random share of its time; ~8 % of dossiers run late, and a few
  stall for months (the open overdue tail of a real worklist). Dates follow the calendar: due dates
  are computed in working hours with the calendar's sessions and days off (``WorkingClock``).
- Status from the timeline cut at "now": most returned (10), recent ones open (2, 4, 9), some
  waiting for a supplement or payment (5, 6), new online ones not yet received (1), and a few
  refused, withdrawn or stopped (3, 7, 8).
- Codes in the rule set's format (``000.00.03.H99-240315-0001``), numbered per agency and day in
  reception order; ``core.NumberSequence`` rows (scope ``dossier:<agency id>``) are written with the
  last number of each day, so new receptions continue the series.
- Fees from the catalogue; ~85 % of fee-bearing finished dossiers have ``fee_paid_at``.

Not generated: issued forms and result PDFs (files), payments, ratings, supplement requests rows.
"""

from __future__ import annotations

import argparse
import bisect
import io
import math
import os
import random
import sys
import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

__all__ = ["generate", "GenerateReport", "WorkingClock", "main"]

VN = None  # set in _django(): the province's zone

SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Lương",
]  # fmt: skip
SURNAME_WEIGHTS = [38, 11, 9, 7, 5, 4, 4, 4, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Ngọc", "Thanh", "Quốc", "Hữu", "Thu", "Xuân", "Hoài", "Gia", "Bảo", "Kim"]
GIVEN = [
    "An", "Anh", "Bình", "Chi", "Cường", "Dũng", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
    "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phong", "Phúc",
    "Phương", "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Thu", "Trang", "Trung", "Tuấn", "Vân", "Yến",
]  # fmt: skip
HAMLETS = ["Thôn Đông", "Thôn Đoài", "Thôn Nam", "Thôn Bắc", "Xóm Trại", "Khu phố 1", "Khu phố 2", "Tổ dân phố 3"]
MATTERS = ["Đề nghị giải quyết thủ tục", "Cấp mới", "Cấp lại", "Điều chỉnh thông tin", "Gia hạn"]

# Statuses (egov.dossiers.statuses.Status), as plain ints in the hot loop.
NEW, RECEIVED, REFUSED, PROCESSING, SUPPLEMENT, PAYMENT, WITHDRAWN, STOPPED, DONE, RETURNED = range(1, 11)
IN_PERSON, ONLINE, POST = 1, 2, 3


def _django():
    global VN
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    import django

    django.setup()
    from django.utils import timezone

    VN = timezone.get_default_timezone()


# --- the working calendar, fast ---------------------------------------------------------------------


class WorkingClock:
    """Working-time arithmetic over a precomputed table of working days: the calendar engine's
    rules (sessions, weekend, days off, make-up days) at a few microseconds a call, which is what
    millions of synthetic due dates need. ``due`` of the app's engine is the reference; this one
    agrees with it to the minute for working-hours and working-days durations."""

    def __init__(self, spec, first: date, last: date):
        self.tz = spec.tz
        self.sessions = [(s.start, s.end) for s in spec.sessions]
        self.session_seconds = [
            (datetime.combine(date.min, e) - datetime.combine(date.min, s)).total_seconds() for s, e in self.sessions
        ]
        self.day_seconds = sum(self.session_seconds)
        self.days: list[date] = []
        self.all_days: list[date] = []
        self.index: dict[date, int] = {}
        d = first
        while d <= last:
            self.all_days.append(d)
            if spec.is_working_day(d):
                self.index[d] = len(self.days)
                self.days.append(d)
            d += timedelta(days=1)

    def _position(self, moment: datetime) -> float:
        """Working seconds since the first working day, at ``moment`` (moved to the next working
        moment when outside working hours)."""
        local = moment.astimezone(self.tz)
        day = local.date()
        i = self.index.get(day)
        if i is None:
            i = bisect.bisect_left(self.days, day)
            return i * self.day_seconds
        t = local.time()
        done = 0.0
        for (start, end), length in zip(self.sessions, self.session_seconds, strict=True):
            if t <= start:
                break
            if t >= end:
                done += length
                continue
            done += (datetime.combine(date.min, t) - datetime.combine(date.min, start)).total_seconds()
            break
        return i * self.day_seconds + done

    def _moment(self, position: float) -> datetime:
        i, rest = divmod(position, self.day_seconds)
        i = int(i)
        if rest == 0 and i > 0:  # the end of the previous working day, as the engine says
            i, rest = i - 1, self.day_seconds
        day = self.days[min(i, len(self.days) - 1)]
        for (start, _end), length in zip(self.sessions, self.session_seconds, strict=True):
            if rest <= length:
                at = datetime.combine(day, start) + timedelta(seconds=rest)
                return at.replace(tzinfo=self.tz)
            rest -= length
        return datetime.combine(day, self.sessions[-1][1]).replace(tzinfo=self.tz)

    def add_hours(self, start: datetime, hours: float) -> datetime:
        return self._moment(self._position(start) + hours * 3600)

    def due(self, start: datetime, amount: float, unit: str) -> datetime:
        if unit == "working_hours":
            return self.add_hours(start, amount)
        if unit == "working_days":
            return self.add_hours(start, amount * self.day_seconds / 3600)
        # calendar days: count every day; a due date on a day off moves to the next working day.
        local = start.astimezone(self.tz) + timedelta(days=math.ceil(amount))
        day = local.date()
        if day not in self.index:
            i = bisect.bisect_left(self.days, day)
            day = self.days[min(i, len(self.days) - 1)]
            local = datetime.combine(day, local.time()).replace(tzinfo=self.tz)
        return local

    def working_days_between(self, first: date, last: date) -> list[date]:
        a = bisect.bisect_left(self.days, first)
        b = bisect.bisect_right(self.days, last)
        return self.days[a:b]

    def random_moment(self, rnd: random.Random, day: date) -> datetime:
        position = self.index[day] * self.day_seconds + rnd.random() * self.day_seconds
        return self._moment(position)


# --- base data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    id: int
    order: int
    name: str
    agency_id: int
    unit_id: int
    role: str
    hours: float


@dataclass(frozen=True)
class Route:
    """One active internal process: what a dossier for (procedure, agency) goes through."""

    process_id: int
    procedure_id: int
    agency_id: int
    agency_code: str
    receiving_unit_id: int
    steps: tuple[Step, ...]
    durations: dict  # channel -> (amount, unit)
    components: tuple  # (id, name, originals, certified, photocopies, required)
    fee: int
    weight: float


def _base(stdout, password: str | None) -> None:
    """The demo province (idempotent), through the services."""
    from django.core.management import call_command

    if password:
        os.environ.setdefault("DEMO_PASSWORD", password)
    from django.conf import settings

    settings.EGOV_DEMO_LIVING = False  # the benchmark writes its own dossiers
    call_command("seed_demo", allow_production=True, stdout=stdout)


def _ensure_calendar(first_year: int, last_year: int) -> None:
    from egov.calendar import services as calendar_services
    from egov.calendar.models import WorkCalendar
    from egov.demo import data
    from egov.organisations.models import Organisation

    province = Organisation.objects.get(code=data.PROVINCE_CODE)
    calendar = WorkCalendar.objects.get(organisation=province)
    calendar_services.seed_statutory_days(by=None, calendar=calendar, years=range(first_year, last_year + 1))


def _ensure_officers() -> dict[tuple[int, str], list[int]]:
    """Two officers for every (unit, role) of an active process step, created through the people
    service (with unusable passwords); returns their ids by (unit id, role)."""
    from egov.dossiers.models import ProcessStep
    from egov.organisations.models import Organisation
    from egov.people import services as people_services
    from egov.people.models import User

    pairs = sorted(set(ProcessStep.objects.filter(process__state="active").values_list("unit_id", "role").distinct()))
    units = Organisation.objects.in_bulk({u for u, _ in pairs})
    existing = set(User.objects.filter(username__startswith="bench.").values_list("username", flat=True))
    for unit_id, role in pairs:
        for n in (1, 2):
            username = f"bench.{role}.{unit_id}.{n}"
            if username in existing:
                continue
            people_services.create_officer(
                by=None,
                username=username,
                full_name=f"Cán bộ {n} {units[unit_id].short_name or units[unit_id].name}"[:150],
                password=None,
                unit=units[unit_id],
                role_code=role,
                title="Cán bộ (dữ liệu đo hiệu năng)",
            )
    officers: dict[tuple[int, str], list[int]] = defaultdict(list)
    for user_id, username in User.objects.filter(username__startswith="bench.").values_list("id", "username"):
        _, role, unit_id, _n = username.split(".")
        officers[(int(unit_id), role)].append(user_id)
    return officers


def _routes(rnd: random.Random) -> list[Route]:
    from egov.catalogue.models import Procedure
    from egov.dossiers.models import ProcessDefinition, RuleSet
    from egov.dossiers.services import agency_code
    from egov.organisations.models import Kind
    from egov.organisations.selectors import receiving_unit_of

    rule_set = RuleSet.objects.order_by("-effective_from").first()
    procedures = {
        p.pk: p for p in Procedure.objects.filter(is_active=True).prefetch_related("durations", "components", "fees")
    }
    popularity = {pk: 1 / (rank + 1) ** 0.9 for rank, pk in enumerate(sorted(procedures, key=lambda _: rnd.random()))}
    today = datetime.now(VN).date()
    routes = []
    processes = (
        ProcessDefinition.objects.filter(state="active", procedure__is_active=True)
        .select_related("agency")
        .prefetch_related("steps")
        .order_by("pk")
    )
    for process in processes:
        procedure = procedures[process.procedure_id]
        desk = receiving_unit_of(process.agency, today)
        if desk is None:
            continue
        durations = {d.channel: (float(d.amount), d.unit) for d in procedure.durations.all()}
        if 1 not in durations:
            continue
        steps = tuple(
            Step(s.pk, s.order, s.name, s.agency_id, s.unit_id, s.role, float(s.hours))
            for s in sorted(process.steps.all(), key=lambda s: s.order)
        )
        kind_weight = 4.0 if process.agency.kind == Kind.COMMUNE else 1.0
        routes.append(
            Route(
                process_id=process.pk,
                procedure_id=procedure.pk,
                agency_id=process.agency_id,
                agency_code=agency_code(process.agency, rule_set),
                receiving_unit_id=desk.pk,
                steps=steps,
                durations=durations,
                components=tuple(
                    (c.pk, _text(c.name), c.originals, c.certified_copies, c.photocopies, c.required)
                    for c in sorted(procedure.components.all(), key=lambda c: (c.order, c.pk))
                ),
                fee=sum(f.amount for f in procedure.fees.all()),
                weight=kind_weight * popularity[procedure.pk],
            )
        )
    return routes


def _text(value: str) -> str:
    """A value for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _ts(moment: datetime | None) -> str:
    return "\\N" if moment is None else moment.astimezone(UTC).isoformat()


# --- the load ------------------------------------------------------------------------------------

DOSSIER_COLUMNS = (
    "id", "code", "channel", "status", "applicant_name", "applicant_identity", "submitter_name", "address", "phone",
    "email", "matter", "sets_count", "submitted_at", "received_at", "clock_started_at", "due_at", "original_due_at",
    "rescheduled", "paused_at", "paused_seconds", "finished_at", "returned_at", "return_method", "closed_reason",
    "fee_amount", "fee_paid_at", "version", "created_at", "updated_at", "agency_id", "applicant_user_id",
    "current_assignee_id", "current_unit_id", "procedure_id", "received_by_id", "receiving_unit_id",
    "current_task_id", "process_id", "rule_set_id",
)  # fmt: skip
TASK_COLUMNS = (
    "id", "order", "name", "role", "started_at", "due_at", "finished_at", "note", "agency_id", "assignee_id",
    "dossier_id", "finished_by_id", "handed_by_id", "unit_id", "step_id",
)  # fmt: skip
EVENT_COLUMNS = ("id", "at", "action", "from_status", "to_status", "data", "actor_id", "dossier_id")
COMPONENT_COLUMNS = (
    "id", "order", "name", "originals", "certified_copies", "photocopies", "required", "provided", "dossier_id",
    "procedure_component_id",
)  # fmt: skip
TABLES = {
    "dossiers_dossier": DOSSIER_COLUMNS,
    "dossiers_dossiertask": TASK_COLUMNS,
    "dossiers_dossierevent": EVENT_COLUMNS,
    "dossiers_dossiercomponent": COMPONENT_COLUMNS,
}


@dataclass
class GenerateReport:
    dossiers: int
    tasks: int
    events: int
    components: int
    sequences: int
    first_day: date
    last_day: date
    seconds: float
    status_counts: dict


class _Writer:
    """Rows of the four tables for one batch, as COPY text."""

    def __init__(self):
        self.buffers = {table: io.StringIO() for table in TABLES}
        self.counts = dict.fromkeys(TABLES, 0)

    def row(self, table: str, values) -> None:
        self.buffers[table].write("\t".join(values))
        self.buffers[table].write("\n")
        self.counts[table] += 1

    def flush(self, cursor) -> None:
        for table, columns in TABLES.items():
            data = self.buffers[table].getvalue()
            if not data:
                continue
            cols = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                copy.write(data.encode())
            self.buffers[table] = io.StringIO()


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, definition) of the four tables' indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.tablename, i.indexname
        """,
        [list(TABLES)],
    )
    return cursor.fetchall()


def generate(
    *,
    dossiers: int,
    seed: int = 42,
    years: int = 4,
    today: date | None = None,
    progress: bool = True,
    batch: int = 20_000,
    stdout=None,
) -> GenerateReport:
    """Load ``dossiers`` synthetic dossiers (plus the demo base data) into the configured
    PostgreSQL database. Adds to what is there; codes continue each agency's daily series."""
    from django.db import connection, transaction

    from egov.calendar import selectors as calendar_selectors
    from egov.demo import data
    from egov.dossiers.models import RuleSet
    from egov.organisations.models import Organisation

    if connection.vendor != "postgresql":
        raise SystemExit("bench.generate needs PostgreSQL (it loads with COPY): set DATABASE_URL.")
    started = clock.monotonic()
    stdout = stdout or sys.stdout
    rnd = random.Random(seed)
    today = today or datetime.now(VN).date()
    first = date(today.year - years, today.month, 1)
    _base(stdout, os.environ.get("DEMO_PASSWORD"))
    _ensure_calendar(first.year, today.year + 1)
    officers = _ensure_officers()
    routes = _routes(rnd)
    weights = list(_cumulative([r.weight for r in routes]))
    province = Organisation.objects.get(code=data.PROVINCE_CODE)
    spec = calendar_selectors.spec_for(calendar_selectors.calendar_for(province))
    wclock = WorkingClock(spec, first - timedelta(days=7), today + timedelta(days=800))
    rule_sets = sorted(RuleSet.objects.values_list("effective_from", "pk"))
    now = datetime.now(VN)
    if today != now.date():
        now = datetime.combine(today, time(12, 0), tzinfo=VN)

    days = [d for d in wclock.working_days_between(first, today)]
    # Volume grows ~15 % a year; spread N over the days by that weight (largest remainders).
    day_weight = [1.15 ** ((d - first).days / 365) for d in days]
    total_weight = sum(day_weight)
    per_day = [int(dossiers * w / total_weight) for w in day_weight]
    for i in sorted(range(len(days)), key=lambda i: -(dossiers * day_weight[i] / total_weight - per_day[i]))[
        : dossiers - sum(per_day)
    ]:
        per_day[i] += 1

    tqdm = _progress(progress, dossiers)
    status_counts: dict[int, int] = defaultdict(int)
    totals = dict.fromkeys(TABLES, 0)
    with transaction.atomic():
        cursor = connection.connection.cursor()
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Like pg_restore --disable-triggers: no per-row foreign-key trigger (millions of queued
        # deferred checks); the references are checked by _check_references() before commit. The
        # audit triggers are not concerned: no audit row is written or changed here.
        cursor.execute("SET LOCAL session_replication_role = replica")
        # Deferred checks already queued by the caller's transaction (the tests load the demo in the
        # same one) would forbid the index DDL below: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        ids = {}
        for table in TABLES:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            ids[table] = cursor.fetchone()[0]
        cursor.execute("SELECT scope, period, last FROM core_numbersequence WHERE scope LIKE 'dossier:%%'")
        sequences = {
            (int(scope.split(":", 1)[1]), date.fromisoformat(period)): last for scope, period, last in cursor.fetchall()
        }
        touched: set[tuple[int, date]] = set()
        indexes = _secondary_indexes(cursor)
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')

        writer = _Writer()
        pending = 0
        for day, count in zip(days, per_day, strict=True):
            if not count:
                continue
            rule_set_id = rule_sets[bisect.bisect_right([r[0] for r in rule_sets], day) - 1][1]
            moments = sorted(wclock.random_moment(rnd, day) for _ in range(count))
            age_years = (today - day).days / 365
            online_share = 0.75 - 0.40 * min(age_years / max(years, 1), 1)
            for at in moments:
                route = routes[bisect.bisect_left(weights, rnd.random() * weights[-1])]
                key = (route.agency_id, day)
                seq = sequences.get(key, 0) + 1
                sequences[key] = seq
                touched.add(key)
                code = f"{route.agency_code}-{day:%y%m%d}-{seq:04d}"
                r = rnd.random()
                channel = ONLINE if r < online_share else (POST if r > 0.98 else IN_PERSON)
                ids["dossiers_dossier"] += 1
                status = _dossier(
                    writer, rnd, wclock, ids, officers, route, code=code, at=at, channel=channel, now=now,
                    rule_set_id=rule_set_id,
                )  # fmt: skip
                status_counts[status] += 1
            pending += count
            if pending >= batch:
                writer.flush(cursor)
                for table, n in writer.counts.items():
                    totals[table] += n
                writer.counts = dict.fromkeys(TABLES, 0)
                tqdm.update(pending)
                pending = 0
        writer.flush(cursor)
        for table, n in writer.counts.items():
            totals[table] += n
        tqdm.update(pending)
        tqdm.close()

        print("Sequences, identity counters, indexes…", file=stdout, flush=True)
        _write_sequences(cursor, {k: sequences[k] for k in touched})
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(COALESCE(MAX(id), 0), 1)) "
                f"FROM {table}"
            )
        for name, definition in indexes:
            t0 = clock.monotonic()
            cursor.execute(definition)
            print(f"  {name}: {clock.monotonic() - t0:.1f} s", file=stdout, flush=True)
        _check_references(cursor)
    # Set hint bits and the visibility map now, or the benchmark's first reads of every page write it.
    # (Inside a caller's transaction, as in the tests, VACUUM is not allowed: ANALYZE only.)
    with connection.cursor() as cursor:
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (FREEZE, ANALYZE)"
        cursor.execute(f"{command} {', '.join(TABLES)}")
    return GenerateReport(
        dossiers=totals["dossiers_dossier"],
        tasks=totals["dossiers_dossiertask"],
        events=totals["dossiers_dossierevent"],
        components=totals["dossiers_dossiercomponent"],
        sequences=len(touched),
        first_day=days[0],
        last_day=days[-1],
        seconds=clock.monotonic() - started,
        status_counts=dict(sorted(status_counts.items())),
    )


REFERENCES = [
    ("dossiers_dossiertask", "dossier_id", "dossiers_dossier"),
    ("dossiers_dossierevent", "dossier_id", "dossiers_dossier"),
    ("dossiers_dossiercomponent", "dossier_id", "dossiers_dossier"),
    ("dossiers_dossier", "current_task_id", "dossiers_dossiertask"),
    ("dossiers_dossiertask", "step_id", "dossiers_processstep"),
    ("dossiers_dossiertask", "assignee_id", "people_user"),
    ("dossiers_dossier", "process_id", "dossiers_processdefinition"),
    ("dossiers_dossier", "received_by_id", "people_user"),
]


def _check_references(cursor) -> None:
    """The foreign keys the load skipped triggers for: every reference must resolve."""
    for table, column, target in REFERENCES:
        cursor.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {target} x WHERE x.id = t.{column})"
        )
        broken = cursor.fetchone()[0]
        if broken:
            raise RuntimeError(f"{broken} rows of {table}.{column} point nowhere; nothing was written.")


def _write_sequences(cursor, sequences: dict[tuple[int, date], int]) -> None:
    """The numbering service's series (``egov.core.numbering``): scope ``dossier:<agency id>``, the day."""
    cursor.execute("CREATE TEMP TABLE bench_sequence (scope text, period text, last bigint) ON COMMIT DROP")
    with cursor.copy("COPY bench_sequence (scope, period, last) FROM STDIN") as copy:
        for (agency_id, day), last in sequences.items():
            copy.write_row((f"dossier:{agency_id}", day.isoformat(), last))
    cursor.execute(
        """
        INSERT INTO core_numbersequence (scope, period, last)
        SELECT scope, period, last FROM bench_sequence
        ON CONFLICT (scope, period) DO UPDATE SET last = GREATEST(core_numbersequence.last, EXCLUDED.last)
        """
    )


def _cumulative(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def _pick(rnd: random.Random, officers, unit_id: int, role: str) -> str:
    ids = officers.get((unit_id, role))
    return str(rnd.choice(ids)) if ids else "\\N"


def _person(rnd: random.Random) -> tuple[str, str, str, str]:
    surname = rnd.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    female = rnd.random() < 0.5
    middle = "Thị" if female and rnd.random() < 0.6 else rnd.choice(MIDDLE)
    name = f"{surname} {middle} {rnd.choice(GIVEN)}"
    born = rnd.randint(1950, 2006)
    # CCCD: province of birth (037), century and sex, year of birth, six digits.
    identity = f"037{(0 if born < 2000 else 2) + (1 if female else 0)}{born % 100:02d}{rnd.randrange(10**6):06d}"
    phone = f"0{rnd.choice('389')}{rnd.randrange(10**8):08d}"
    address = f"{rnd.choice(HAMLETS)}, tỉnh Sơn Nam"
    return name, identity, phone, address


def _dossier(writer, rnd, wclock, ids, officers, route: Route, *, code, at, channel, now, rule_set_id) -> int:
    """Write one dossier with its components, tasks and events; return its status."""
    dossier_id = ids["dossiers_dossier"]
    name, identity, phone, address = _person(rnd)
    amount, unit = route.durations.get(channel) or route.durations[IN_PERSON]
    desk_officer = _pick(rnd, officers, route.receiving_unit_id, "receiving_officer")

    # Online dossiers wait a little for reception; a few are refused there.
    submitted = at
    received = at
    if channel == ONLINE:
        received = wclock.add_hours(at, rnd.expovariate(1 / 6))  # mean 6 working hours
    refused = channel == ONLINE and rnd.random() < 0.015
    # How fast this dossier goes: most finish early, ~8 % run late, ~0.4 % stall for months.
    r = rnd.random()
    pace = rnd.uniform(1.3, 2.5) if r < 0.08 else (rnd.uniform(15, 60) if r < 0.084 else rnd.uniform(0.25, 0.95))
    due = wclock.due(received, amount, unit)
    closing = rnd.random()  # withdrawn / stopped
    supplement = rnd.random() < 0.04
    payment_wait = route.fee > 0 and rnd.random() < 0.05

    events = []  # (at, action, from, to, actor)
    tasks = []  # (step, started, due, finished, assignee)
    status = NEW
    if channel == ONLINE:
        events.append((submitted, "submit", "\\N", NEW, "\\N"))
    else:
        events.append((submitted, "receive", "\\N", RECEIVED, desk_officer))
    current_unit = route.receiving_unit_id
    current_assignee = "\\N"
    current_task = "\\N"
    finished_at = returned_at = paused_at = fee_paid = None
    closed_reason = ""
    if channel == ONLINE and received > now:
        status = NEW
        due = None
    elif refused:
        status = REFUSED
        events.append((received, "refuse", NEW, REFUSED, desk_officer))
        finished_at = None
        due = None
        closed_reason = "Hồ sơ không thuộc thẩm quyền giải quyết."
    else:
        if channel == ONLINE:
            events.append((received, "accept", NEW, RECEIVED, desk_officer))
        status = RECEIVED
        moment = received
        last = len(route.steps) - 1
        for i, step in enumerate(route.steps):
            step_due = wclock.add_hours(moment, step.hours)
            assignee = _pick(rnd, officers, step.unit_id, step.role)
            end = wclock.add_hours(moment, max(step.hours * pace * rnd.uniform(0.6, 1.4), 0.05))
            ids["dossiers_dossiertask"] += 1
            task_id = ids["dossiers_dossiertask"]
            if end > now:
                tasks.append((task_id, step, moment, step_due, None, assignee))
                current_task, current_unit, current_assignee = str(task_id), step.unit_id, assignee
                break
            tasks.append((task_id, step, moment, step_due, end, assignee))
            if i < last:
                prev = status
                status = DONE if i + 1 == last else PROCESSING
                if status == DONE:
                    finished_at = end
                events.append((end, "forward", prev, status, assignee))
                moment = end
            else:
                status = RETURNED
                returned_at = end
                events.append((end, "return_result", DONE, RETURNED, assignee))
                current_task, current_unit, current_assignee = "\\N", route.receiving_unit_id, "\\N"
        if status in (RECEIVED, PROCESSING) and (supplement or payment_wait):
            paused_at = wclock.add_hours(moment, 1.0)
            if paused_at <= now:
                new = SUPPLEMENT if supplement or status == RECEIVED else PAYMENT
                events.append((paused_at, "request_supplement" if new == SUPPLEMENT else "request_payment", status, new,
                               current_assignee))  # fmt: skip
                status = new
            else:
                paused_at = None
        elif status in (RECEIVED, PROCESSING) and closing < 0.012:
            new = WITHDRAWN if closing < 0.008 else STOPPED
            end = wclock.add_hours(moment, 2.0)
            if end <= now:
                events.append((end, "withdraw" if new == WITHDRAWN else "stop", status, new, desk_officer))
                status = new
                closed_reason = "Công dân xin rút hồ sơ." if new == WITHDRAWN else "Dừng xử lý theo đề nghị."
                tasks = [t if t[4] is not None else (*t[:4], end, t[5]) for t in tasks]
                current_task, current_unit, current_assignee = "\\N", route.receiving_unit_id, "\\N"
        if route.fee and finished_at is not None and rnd.random() < 0.85:
            fee_paid = finished_at
    if route.fee and status == RETURNED and fee_paid is None and rnd.random() < 0.9:
        fee_paid = returned_at

    last_change = max(e[0] for e in events)
    writer.row(
        "dossiers_dossier",
        (
            str(dossier_id), code, str(channel), str(status), name, identity, name, address, phone,
            "" if channel != ONLINE else f"hs{dossier_id}@example.vn", rnd.choice(MATTERS), "1",
            _ts(submitted), _ts(None if status == NEW else received) if status != REFUSED else "\\N",
            _ts(None if due is None else received), _ts(due), _ts(due), "f", _ts(paused_at), "0",
            _ts(finished_at), _ts(returned_at), "counter" if returned_at else "", closed_reason,
            str(route.fee), _ts(fee_paid), str(len(events)), _ts(submitted), _ts(last_change),
            str(route.agency_id), "\\N", current_assignee, str(current_unit), str(route.procedure_id),
            "\\N" if status in (NEW, REFUSED) else desk_officer, str(route.receiving_unit_id), current_task,
            str(route.process_id), str(rule_set_id),
        ),
    )  # fmt: skip
    for order, (component_id, cname, originals, certified, photocopies, required) in enumerate(route.components):
        ids["dossiers_dossiercomponent"] += 1
        writer.row(
            "dossiers_dossiercomponent",
            (
                str(ids["dossiers_dossiercomponent"]), str(order), cname, str(originals), str(certified),
                str(photocopies), "t" if required else "f", "t" if required or rnd.random() < 0.5 else "f",
                str(dossier_id), str(component_id),
            ),
        )  # fmt: skip
    previous = desk_officer
    for task_id, step, started, step_due, finished, assignee in tasks:
        writer.row(
            "dossiers_dossiertask",
            (
                str(task_id), str(step.order), step.name, step.role, _ts(started), _ts(step_due), _ts(finished),
                "", str(step.agency_id), assignee, str(dossier_id), assignee if finished else "\\N", previous,
                str(step.unit_id), str(step.id),
            ),
        )  # fmt: skip
        previous = assignee
    for event_at, action, from_status, to_status, actor in events:
        ids["dossiers_dossierevent"] += 1
        writer.row(
            "dossiers_dossierevent",
            (str(ids["dossiers_dossierevent"]), _ts(event_at), action, str(from_status), str(to_status), "{}",
             actor, str(dossier_id)),
        )  # fmt: skip
    return status


def _progress(enabled: bool, total: int):
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is in requirements-dev
        tqdm = None
    if tqdm is None or not enabled:

        class _Quiet:
            def update(self, n):
                pass

            def close(self):
                pass

        return _Quiet()
    return tqdm(total=total, unit=" hồ sơ", unit_scale=True, smoothing=0.05, mininterval=1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="how many dossiers (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--years", type=int, default=4, help="spread reception over this many years up to today")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.dossiers <= 10_000_000:
        parser.error("--dossiers must be between 1 and 10,000,000")
    _django()
    report = generate(dossiers=args.dossiers, seed=args.seed, years=args.years, progress=not args.no_progress)
    print(
        f"{report.dossiers:,} dossiers, {report.tasks:,} tasks, {report.events:,} events, "
        f"{report.components:,} components, {report.sequences:,} daily sequences; "
        f"{report.first_day} … {report.last_day}; {report.seconds:.0f} s; statuses {report.status_counts}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
