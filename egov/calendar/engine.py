"""Working-time calendar engine: the arithmetic of deadlines (DOMAIN.md section 5).

This module owns the answers to "when is this due?" and "how much working time lies between
these two moments?" for a province's working calendar: working sessions (e.g. 07:30-11:30 and
13:30-17:30), the weekend, days off (holidays and decided days off) and make-up working days (a
weekend day that is worked). Durations can be given in working hours, working days (1 working day
= the length of the sessions of one day, 8 hours by default) or calendar days.

It is deliberately pure Python with no Django import: the persistence side (days-off tables,
per-province session settings, rule sets) builds a `CalendarSpec` and calls these functions, so the
rules can be tested exhaustively without a database.

Conventions:
- every public function takes timezone-aware datetimes (naive ones raise `CalendarRangeError`) and
  returns datetimes in `spec.tz`;
- all arithmetic is done on local wall-clock time in `spec.tz`: session bounds are built with
  `datetime.combine(day, clock, tzinfo=spec.tz)`, and Python adds and subtracts aware datetimes that
  share a tzinfo on their wall clock, so a working hour is always an hour on the office clock;
- amounts are exact to the microsecond (Decimal and float inputs are rounded once, half-even);
- the loops advance day by day, never minute by minute, so large amounts stay cheap.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo

__all__ = [
    "SEARCH_LIMIT_DAYS",
    "VIETNAM_TZ",
    "CalendarConfigError",
    "CalendarError",
    "CalendarRangeError",
    "CalendarSpec",
    "Unit",
    "WorkingSession",
    "add_calendar_days",
    "add_working_days",
    "add_working_hours",
    "add_working_time",
    "compute_due",
    "next_working_moment",
    "working_time_between",
]

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# How far the engine looks for the next working day before giving up. A real calendar never has a
# gap anywhere near this long, so hitting it means the spec is broken (e.g. every day is off);
# 366 per year so that leap years can never make the bound shorter than 20 calendar years.
SEARCH_LIMIT_DAYS = 20 * 366

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_ONE_MICROSECOND = timedelta(microseconds=1)


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


class CalendarError(Exception):
    """Base class of every error raised by the calendar engine."""


class CalendarConfigError(CalendarError):
    """The calendar configuration (sessions, days off, unit) is inconsistent."""


class CalendarRangeError(CalendarError):
    """A computation cannot be done: bad amount, naive datetime, or no working time within reach."""


# --------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingSession:
    """One working session of a day, in local wall-clock time, start inclusive and end exclusive."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if not isinstance(self.start, time) or not isinstance(self.end, time):
            raise CalendarConfigError(f"session bounds must be datetime.time values: {self!r}")
        # Sessions are office-clock times; an attached tzinfo would silently disagree with spec.tz.
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise CalendarConfigError(f"session bounds must be naive local times: {self!r}")
        if not self.start < self.end:
            raise CalendarConfigError(
                f"session start must be before its end: {self.start.isoformat()}-{self.end.isoformat()}"
            )

    @property
    def length(self) -> timedelta:
        """Working time contained in this session."""
        return _since_midnight(self.end) - _since_midnight(self.start)


@dataclass(frozen=True)
class CalendarSpec:
    """A working calendar: daily sessions, weekend, days off and make-up working days, in one zone.

    Lists and sets are accepted for the collection fields and stored as tuple / frozensets so the
    spec stays hashable and immutable (it can be cached per province and rule-set version).
    """

    # Sorted, non-overlapping; e.g. 07:30-11:30 and 13:30-17:30.
    sessions: tuple[WorkingSession, ...]
    # date.weekday() values that are off by default (Saturday, Sunday).
    weekend: frozenset[int] = frozenset({5, 6})
    # Holidays and decided days off; they beat the weekday.
    days_off: frozenset[date] = frozenset()
    # Make-up working days (a weekend day that is worked); they beat the weekend.
    working_days: frozenset[date] = frozenset()
    # The zone whose wall clock the sessions are read on; every result is expressed in it.
    tz: ZoneInfo = VIETNAM_TZ

    def __post_init__(self) -> None:
        # Normalise the containers first so that the checks below see the stored values.
        object.__setattr__(self, "sessions", tuple(self.sessions))
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "working_days", frozenset(self.working_days))

        if not self.sessions:
            raise CalendarConfigError("a calendar needs at least one working session")
        for session in self.sessions:
            if not isinstance(session, WorkingSession):
                raise CalendarConfigError(f"sessions must be WorkingSession instances: {session!r}")
        for earlier, later in pairwise(self.sessions):
            # Touching sessions (end == next start) are allowed; overlap or disorder is not, because
            # the engine walks sessions in order and would count the overlap twice.
            if later.start < earlier.end:
                raise CalendarConfigError(
                    "sessions must be sorted and must not overlap: "
                    f"{earlier.start.isoformat()}-{earlier.end.isoformat()} then "
                    f"{later.start.isoformat()}-{later.end.isoformat()}"
                )

        for weekday in self.weekend:
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise CalendarConfigError(f"weekend values are date.weekday() numbers 0-6: {weekday!r}")
        for name in ("days_off", "working_days"):
            for day in getattr(self, name):
                # A datetime is a date subclass but never equal to one, so it would never match.
                if not isinstance(day, date) or isinstance(day, datetime):
                    raise CalendarConfigError(f"{name} must contain datetime.date values: {day!r}")
        conflicts = self.days_off & self.working_days
        if conflicts:
            listed = ", ".join(d.isoformat() for d in sorted(conflicts))
            raise CalendarConfigError(f"days both off and make-up working days: {listed}")

        if not isinstance(self.tz, tzinfo):
            raise CalendarConfigError(f"tz must be a tzinfo (e.g. ZoneInfo): {self.tz!r}")

    @cached_property
    def day_length(self) -> timedelta:
        """Working time in one working day (sum of the session lengths): one 'working day'."""
        return sum((session.length for session in self.sessions), _ZERO)

    def is_working_day(self, d: date) -> bool:
        """Whether `d` is worked: days off beat weekdays, make-up working days beat the weekend."""
        if isinstance(d, datetime):
            # Refuse rather than guess: d.date() would use d's own zone, not necessarily spec.tz.
            raise TypeError("is_working_day takes a date; use moment.astimezone(spec.tz).date()")
        if d in self.days_off:
            return False
        if d in self.working_days:
            return True
        return d.weekday() not in self.weekend


# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------


class Unit(enum.StrEnum):
    """How a legal processing time is expressed."""

    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


# --------------------------------------------------------------------------------------------------
# Internal helpers
# --------------------------------------------------------------------------------------------------


def _since_midnight(clock: time) -> timedelta:
    return timedelta(
        hours=clock.hour,
        minutes=clock.minute,
        seconds=clock.second,
        microseconds=clock.microsecond,
    )


def _local(spec: CalendarSpec, moment: datetime, name: str) -> datetime:
    """`moment` on the calendar's wall clock; refuses naive datetimes (their zone is a guess)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarRangeError(f"{name} must be timezone-aware: {moment.isoformat()}")
    try:
        return moment.astimezone(spec.tz)
    except OverflowError:
        raise CalendarRangeError(f"{name} is outside the supported date range") from None


def _at(spec: CalendarSpec, day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=spec.tz)


def _next_working_day(spec: CalendarSpec, after: date) -> date:
    """The first working day strictly after `after`, searching at most SEARCH_LIMIT_DAYS ahead."""
    day = after
    for _ in range(SEARCH_LIMIT_DAYS):
        try:
            day += _ONE_DAY
        except OverflowError:
            raise CalendarRangeError("ran past the last representable date") from None
        if spec.is_working_day(day):
            return day
    raise CalendarRangeError(
        f"no working day within {SEARCH_LIMIT_DAYS} days after {after.isoformat()}; "
        "check the weekend and days off of this calendar"
    )


def _normalise(spec: CalendarSpec, local: datetime) -> datetime:
    """`local` if it is inside a session of a working day, else the start of the next session."""
    day = local.date()
    if spec.is_working_day(day):
        clock = local.time()
        for session in spec.sessions:
            if clock < session.end:
                return local if clock >= session.start else _at(spec, day, session.start)
    return _at(spec, _next_working_day(spec, day), spec.sessions[0].start)


def _check_amount(amount: timedelta) -> None:
    if not isinstance(amount, timedelta):
        raise TypeError(f"amount must be a timedelta, got {type(amount).__name__}")
    if amount < _ZERO:
        raise CalendarRangeError(f"amount must not be negative: {amount}")


def _to_decimal(value: Decimal | float, what: str) -> Decimal:
    # bool is an int subclass; True working days is almost certainly a bug upstream.
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        raise TypeError(f"{what} must be a Decimal, int or float, got {type(value).__name__}")
    # Decimal(float) is the exact binary value, so a float is rounded only once, in _scaled.
    quantity = Decimal(value)
    if not quantity.is_finite():
        raise CalendarRangeError(f"{what} must be a finite number: {value!r}")
    if quantity < 0:
        raise CalendarRangeError(f"{what} must not be negative: {value!r}")
    return quantity


def _scaled(value: Decimal | float, unit: timedelta, what: str) -> timedelta:
    """`value` units as a timedelta, rounded half-even to the microsecond."""
    quantity = _to_decimal(value, what)
    try:
        micros = (quantity * (unit // _ONE_MICROSECOND)).to_integral_value(rounding=ROUND_HALF_EVEN)
        return timedelta(microseconds=int(micros))
    except (OverflowError, InvalidOperation):
        raise CalendarRangeError(f"{what} is too large: {value!r}") from None


def _whole_days(value: Decimal | float) -> int:
    # Calendar-day durations are whole days by law; half a calendar day has no meaning.
    quantity = _to_decimal(value, "calendar days")
    if quantity != quantity.to_integral_value():
        raise CalendarRangeError(f"calendar days must be a whole number: {value!r}")
    return int(quantity)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def next_working_moment(spec: CalendarSpec, at: datetime) -> datetime:
    """When work received at `at` starts: `at` itself if it is inside a working session (start
    inclusive, end exclusive), else the start of the next session on a working day."""
    return _normalise(spec, _local(spec, at, "at"))


def add_working_time(spec: CalendarSpec, start: datetime, amount: timedelta) -> datetime:
    """The moment `amount` of working time has been consumed, counting from `start`.

    `start` is first moved to the next working moment. If the amount runs out exactly at a session
    end, that session end is returned (11:30, not 13:30): the work is done before lunch. A zero
    amount returns the next working moment.
    """
    _check_amount(amount)
    cursor = _normalise(spec, _local(spec, start, "start"))
    if not amount:
        return cursor

    remaining = amount
    day, clock = cursor.date(), cursor.time()
    while True:
        # Walk the sessions of `day` from `clock` on; the first day may be partial.
        for session in spec.sessions:
            if clock >= session.end:
                continue
            begin = _at(spec, day, max(session.start, clock))
            available = _at(spec, day, session.end) - begin
            if remaining <= available:  # "<=": running out at the session end returns the end
                return begin + remaining
            remaining -= available
        # Whole working days are consumed in one step each: only the day's total matters, so large
        # amounts cost one iteration per day, not per session or minute. Strictly greater, so that
        # the day on which the amount runs out is walked session by session above.
        day = _next_working_day(spec, day)
        while remaining > spec.day_length:
            remaining -= spec.day_length
            day = _next_working_day(spec, day)
        clock = time.min


def add_working_hours(spec: CalendarSpec, start: datetime, hours: Decimal | float) -> datetime:
    """`add_working_time` with an amount in hours."""
    return add_working_time(spec, start, _scaled(hours, timedelta(hours=1), "working hours"))


def add_working_days(spec: CalendarSpec, start: datetime, days: Decimal | float) -> datetime:
    """`add_working_time` with an amount in working days of `spec.day_length` each (8 h by default),
    so Monday 10:00 + 1 working day = Tuesday 10:00 on a normal week and 0.5 day = 4 h."""
    return add_working_time(spec, start, _scaled(days, spec.day_length, "working days"))


def add_calendar_days(spec: CalendarSpec, start: datetime, days: int | Decimal) -> datetime:
    """`start` + `days` at the same local clock time; a due date on a non-working day moves to the
    next working day, keeping the clock time.

    The clock time is kept as is, even outside working hours: calendar-day durations count every
    day and only the due *date* is moved (DOMAIN.md section 5). Integral Decimal (and float) values
    are accepted, as a DecimalField may store them; fractional ones raise CalendarRangeError.
    """
    count = _whole_days(days)
    local = _local(spec, start, "start")
    try:
        due_day = local.date() + timedelta(days=count)
    except OverflowError:
        raise CalendarRangeError(f"{count} calendar days from {start.isoformat()} is out of range") from None
    if not spec.is_working_day(due_day):
        due_day = _next_working_day(spec, due_day)
    return _at(spec, due_day, local.time())


def working_time_between(spec: CalendarSpec, a: datetime, b: datetime) -> timedelta:
    """Working time inside [a, b); zero if b <= a. One iteration per calendar day of the range."""
    start, end = _local(spec, a, "a"), _local(spec, b, "b")
    if end <= start:
        return _ZERO
    first, last = start.date(), end.date()
    total = _ZERO
    day = first
    while True:
        if spec.is_working_day(day):
            if first < day < last:
                total += spec.day_length  # a day strictly inside the range is worked in full
            else:
                for session in spec.sessions:
                    begin = max(_at(spec, day, session.start), start)
                    finish = min(_at(spec, day, session.end), end)
                    if finish > begin:
                        total += finish - begin
        if day == last:  # test before incrementing: `last` may be date.max
            return total
        day += _ONE_DAY


def compute_due(spec: CalendarSpec, start: datetime, amount: Decimal | float, unit: Unit | str) -> datetime:
    """Due moment of a processing time of `amount` `unit`s received at `start`."""
    try:
        unit = Unit(unit)
    except ValueError:
        raise CalendarConfigError(f"unknown duration unit: {unit!r}") from None
    if unit is Unit.WORKING_HOURS:
        return add_working_hours(spec, start, amount)
    if unit is Unit.WORKING_DAYS:
        return add_working_days(spec, start, amount)
    return add_calendar_days(spec, start, amount)
