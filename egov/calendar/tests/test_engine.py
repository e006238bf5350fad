"""Tests of the working-time calendar engine (pure Python, no database).

The default spec is the Vietnamese civil-service calendar: sessions 07:30-11:30 and 13:30-17:30,
Saturday and Sunday off, the statutory holidays of 2025-2027 and the announced make-up working days,
both taken from the `holidays` package.
"""

from __future__ import annotations

import time as wallclock
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.calendar.engine import (
    SEARCH_LIMIT_DAYS,
    CalendarConfigError,
    CalendarError,
    CalendarRangeError,
    CalendarSpec,
    Unit,
    WorkingSession,
    add_calendar_days,
    add_working_days,
    add_working_hours,
    add_working_time,
    compute_due,
    next_working_moment,
    working_time_between,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")

_VN_HOLIDAYS = holidays.country_holidays("VN", years=range(2025, 2028))

DEFAULT_SESSIONS = (
    WorkingSession(time(7, 30), time(11, 30)),
    WorkingSession(time(13, 30), time(17, 30)),
)

SPEC = CalendarSpec(
    sessions=DEFAULT_SESSIONS,
    days_off=frozenset(_VN_HOLIDAYS),
    working_days=frozenset(_VN_HOLIDAYS.weekend_workdays),
)

# A province with its own office hours (DOMAIN.md section 5: 07:00-11:30 and 13:30-17:00).
PROVINCE_SPEC = CalendarSpec(
    sessions=(
        WorkingSession(time(7, 0), time(11, 30)),
        WorkingSession(time(13, 30), time(17, 0)),
    ),
    days_off=SPEC.days_off,
    working_days=SPEC.working_days,
)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def hours(h: float) -> timedelta:
    return timedelta(hours=h)


# --------------------------------------------------------------------------------------------------
# The default spec itself
# --------------------------------------------------------------------------------------------------


def test_default_spec_has_eight_hour_days_and_the_known_special_days():
    # Given the default spec built from the holidays package
    # Then a working day is 8 hours, and the announced swaps are present
    assert SPEC.day_length == hours(8)
    assert date(2025, 4, 26) in SPEC.working_days
    assert date(2026, 8, 22) in SPEC.working_days
    assert PROVINCE_SPEC.day_length == hours(8)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 2), True),  # ordinary Monday
        (date(2026, 3, 7), False),  # ordinary Saturday
        (date(2026, 3, 8), False),  # ordinary Sunday
        (date(2026, 8, 22), True),  # make-up working Saturday
        (date(2025, 4, 26), True),  # make-up working Saturday
        (date(2026, 9, 2), False),  # National Day
        (date(2026, 2, 16), False),  # Tết
        (date(2026, 2, 20), False),  # Tết
    ],
)
def test_is_working_day(day, expected):
    assert SPEC.is_working_day(day) is expected


def test_is_working_day_refuses_a_datetime():
    with pytest.raises(TypeError):
        SPEC.is_working_day(vn(2026, 3, 2, 10))


# --------------------------------------------------------------------------------------------------
# next_working_moment
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "starts"),
    [
        (vn(2026, 3, 2, 10, 0), vn(2026, 3, 2, 10, 0)),  # inside the morning session
        (vn(2026, 3, 2, 7, 30), vn(2026, 3, 2, 7, 30)),  # session start is inclusive
        (vn(2026, 3, 2, 11, 30), vn(2026, 3, 2, 13, 30)),  # session end is exclusive
        (vn(2026, 3, 2, 12, 0), vn(2026, 3, 2, 13, 30)),  # lunch
        (vn(2026, 3, 2, 6, 0), vn(2026, 3, 2, 7, 30)),  # early morning
        (vn(2026, 3, 2, 17, 30), vn(2026, 3, 3, 7, 30)),  # after hours
        (vn(2026, 3, 7, 10, 0), vn(2026, 3, 9, 7, 30)),  # Saturday
        (vn(2026, 2, 13, 18, 0), vn(2026, 2, 23, 7, 30)),  # Friday evening before Tết
    ],
)
def test_next_working_moment(received, starts):
    assert next_working_moment(SPEC, received) == starts


def test_next_working_moment_converts_other_zones_to_the_calendar_zone():
    # Given a moment expressed in UTC: 03:00 UTC is 10:00 in Vietnam
    received = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    # When / Then it is inside the morning session, and reported in Vietnam time
    result = next_working_moment(SPEC, received)
    assert result == vn(2026, 3, 2, 10, 0)
    assert result.tzinfo is VN
    assert (result.hour, result.minute) == (10, 0)


# --------------------------------------------------------------------------------------------------
# add_working_time / add_working_hours / add_working_days: examples
# --------------------------------------------------------------------------------------------------


def test_eight_working_hours_from_monday_morning_is_tuesday_same_time():
    # Given a dossier received Monday 2/3/2026 at 10:00
    # When 8 working hours are added
    # Then it is due Tuesday at 10:00
    assert add_working_hours(SPEC, vn(2026, 3, 2, 10), 8) == vn(2026, 3, 3, 10)


def test_friday_afternoon_plus_two_hours_runs_into_monday_morning():
    # Given Friday 6/3/2026 16:00: 16:00-17:30 gives 1.5 h, the remaining 0.5 h from Monday 07:30
    assert add_working_hours(SPEC, vn(2026, 3, 6, 16), 2) == vn(2026, 3, 9, 8, 0)
    # Given Friday 16:30: 1 h on Friday, 1 h on Monday from 07:30
    assert add_working_hours(SPEC, vn(2026, 3, 6, 16, 30), 2) == vn(2026, 3, 9, 8, 30)


def test_received_at_lunch_starts_at_the_afternoon_session():
    assert add_working_hours(SPEC, vn(2026, 3, 2, 12), 1) == vn(2026, 3, 2, 14, 30)


def test_received_on_saturday_starts_monday_morning():
    # Given Saturday 7/3/2026 at 09:00, when 1 hour is added, then the clock ran from Monday 07:30
    assert add_working_hours(SPEC, vn(2026, 3, 7, 9), 1) == vn(2026, 3, 9, 8, 30)
    assert add_working_hours(SPEC, vn(2026, 3, 7, 9), 0) == vn(2026, 3, 9, 7, 30)


def test_amount_running_out_at_a_session_end_returns_that_end():
    # 09:30 + 2 h ends exactly at 11:30: due at 11:30, not at 13:30
    assert add_working_hours(SPEC, vn(2026, 3, 2, 9, 30), 2) == vn(2026, 3, 2, 11, 30)
    # a full day from 07:30 ends at 17:30 the same day, not at 07:30 the next day
    assert add_working_days(SPEC, vn(2026, 3, 2, 7, 30), 1) == vn(2026, 3, 2, 17, 30)
    # one minute more spills into the next session
    assert add_working_time(SPEC, vn(2026, 3, 2, 9, 30), hours(2) + timedelta(minutes=1)) == vn(2026, 3, 2, 13, 31)


def test_zero_amount_returns_the_next_working_moment():
    assert add_working_time(SPEC, vn(2026, 3, 2, 10), timedelta(0)) == vn(2026, 3, 2, 10)
    assert add_working_time(SPEC, vn(2026, 3, 2, 11, 30), timedelta(0)) == vn(2026, 3, 2, 13, 30)


def test_one_working_day_over_tet_2026():
    # Given a dossier received Friday 13/2/2026 at 15:00; Mon 16/2 - Fri 20/2 are Tết days off and
    # the weekends around them are off too
    # When 1 working day (8 h) is added: 2.5 h on Friday, 5.5 h on Monday 23/2
    # Then it is due Monday 23/2/2026 at 15:00
    assert add_working_days(SPEC, vn(2026, 2, 13, 15), 1) == vn(2026, 2, 23, 15)


def test_make_up_working_saturday_is_worked():
    # Given Friday 21/8/2026 at 17:00, when 1 hour is added
    # Then 30 min are worked on Friday and 30 min on the make-up Saturday 22/8/2026
    assert add_working_hours(SPEC, vn(2026, 8, 21, 17), 1) == vn(2026, 8, 22, 8, 0)
    assert next_working_moment(SPEC, vn(2026, 8, 22, 10)) == vn(2026, 8, 22, 10)


def test_national_day_2026_is_skipped():
    # Given Friday 28/8/2026 16:30; Mon 31/8 (swapped day off), Tue 1/9 and Wed 2/9 are off
    # When 2 hours are added: 1 h on Friday, then the next working day is Thursday 3/9
    assert add_working_hours(SPEC, vn(2026, 8, 28, 16, 30), 2) == vn(2026, 9, 3, 8, 30)
    assert next_working_moment(SPEC, vn(2026, 9, 2, 9)) == vn(2026, 9, 3, 7, 30)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (vn(2026, 3, 2, 10), 1, vn(2026, 3, 3, 10)),  # Monday -> Tuesday
        (vn(2026, 3, 6, 16), 1, vn(2026, 3, 9, 16)),  # Friday -> Monday
        (
            vn(2026, 3, 2, 10),
            Decimal("0.5"),
            vn(2026, 3, 2, 16, 0),
        ),  # 4 h: 1.5 h + 2.5 h
        (vn(2026, 3, 2, 10), 5, vn(2026, 3, 9, 10)),  # a working week
        (vn(2026, 3, 2, 10), 0.25, vn(2026, 3, 2, 14, 0)),  # float: 2 h
    ],
)
def test_add_working_days(start, days, due):
    assert add_working_days(SPEC, start, days) == due


def test_working_hours_accept_decimal_and_float():
    assert add_working_hours(SPEC, vn(2026, 3, 2, 10), Decimal("1.5")) == vn(2026, 3, 2, 11, 30)
    assert add_working_hours(SPEC, vn(2026, 3, 2, 10), 0.75) == vn(2026, 3, 2, 10, 45)


def test_large_amount_is_exact_and_fast():
    # Given 2,000 working hours (250 working days) from Monday 5/1/2026 07:30
    started = wallclock.perf_counter()
    due = add_working_hours(SPEC, vn(2026, 1, 5, 7, 30), 2000)
    elapsed = wallclock.perf_counter() - started
    # Then it is the end of the 250th working day counted from 5/1/2026 (checked by counting the
    # working days of the holidays package one by one), and exactly 2,000 hours were consumed
    assert due == vn(2027, 1, 5, 17, 30)
    assert working_time_between(SPEC, vn(2026, 1, 5, 7, 30), due) == hours(2000)
    assert elapsed < 0.5  # a day-by-day loop takes a few milliseconds


# --------------------------------------------------------------------------------------------------
# add_calendar_days
# --------------------------------------------------------------------------------------------------


def test_seven_calendar_days():
    assert add_calendar_days(SPEC, vn(2026, 3, 2, 10), 7) == vn(2026, 3, 9, 10)


def test_calendar_days_landing_on_sunday_move_to_monday():
    # Given Monday 2/3/2026 10:00 + 6 calendar days = Sunday 8/3
    # Then the due date moves to Monday 9/3, keeping the clock time
    assert add_calendar_days(SPEC, vn(2026, 3, 2, 10), 6) == vn(2026, 3, 9, 10)


def test_calendar_days_landing_in_tet_move_past_it():
    # Friday 6/2/2026 + 10 calendar days = Monday 16/2 (Tết) -> Monday 23/2
    assert add_calendar_days(SPEC, vn(2026, 2, 6, 9), 10) == vn(2026, 2, 23, 9)


def test_calendar_days_landing_on_make_up_saturday_stay():
    # Saturday 15/8/2026 + 7 = Saturday 22/8/2026, a make-up working day
    assert add_calendar_days(SPEC, vn(2026, 8, 15, 9), 7) == vn(2026, 8, 22, 9)


def test_calendar_days_keep_the_clock_time_even_outside_sessions():
    # Only the date moves; the clock time is the reception time
    assert add_calendar_days(SPEC, vn(2026, 3, 2, 20, 15), 1) == vn(2026, 3, 3, 20, 15)
    assert add_calendar_days(SPEC, vn(2026, 3, 7, 10), 0) == vn(2026, 3, 9, 10)


# --------------------------------------------------------------------------------------------------
# working_time_between
# --------------------------------------------------------------------------------------------------


def test_working_time_between_across_a_weekend():
    # Friday 6/3/2026 16:00 -> Monday 9/3 09:00: 1.5 h + 1.5 h
    assert working_time_between(SPEC, vn(2026, 3, 6, 16), vn(2026, 3, 9, 9)) == hours(3)


def test_working_time_between_across_a_holiday():
    # Wednesday 29/4/2026 16:00 -> Monday 4/5 08:30: 1.5 h; 30/4 and 1/5 are off, then a weekend
    assert working_time_between(SPEC, vn(2026, 4, 29, 16), vn(2026, 5, 4, 8, 30)) == hours(2.5)


def test_working_time_between_across_tet():
    # Two calendar weeks from Monday 9/2/2026 07:30, of which the second is Tết: 5 working days
    assert working_time_between(SPEC, vn(2026, 2, 9, 7, 30), vn(2026, 2, 23, 7, 30)) == hours(40)


def test_working_time_between_within_a_day_and_empty_ranges():
    assert working_time_between(SPEC, vn(2026, 3, 2, 11), vn(2026, 3, 2, 14)) == hours(1)
    assert working_time_between(SPEC, vn(2026, 3, 2, 12), vn(2026, 3, 2, 13)) == timedelta(0)
    assert working_time_between(SPEC, vn(2026, 3, 2, 14), vn(2026, 3, 2, 11)) == timedelta(0)
    assert working_time_between(SPEC, vn(2026, 3, 2, 14), vn(2026, 3, 2, 14)) == timedelta(0)


# --------------------------------------------------------------------------------------------------
# A province with other office hours
# --------------------------------------------------------------------------------------------------


def test_province_with_other_sessions():
    # Given sessions 07:00-11:30 and 13:30-17:00 (still 8 h a day)
    assert next_working_moment(PROVINCE_SPEC, vn(2026, 3, 2, 6)) == vn(2026, 3, 2, 7, 0)
    # 4.5 h from 07:00 ends exactly at 11:30
    assert add_working_hours(PROVINCE_SPEC, vn(2026, 3, 2, 6), Decimal("4.5")) == vn(2026, 3, 2, 11, 30)
    # Friday 16:00 + 2 h: 1 h on Friday, 1 h from Monday 07:00
    assert add_working_hours(PROVINCE_SPEC, vn(2026, 3, 6, 16), 2) == vn(2026, 3, 9, 8, 0)
    assert add_working_days(PROVINCE_SPEC, vn(2026, 3, 2, 10), 1) == vn(2026, 3, 3, 10)
    assert working_time_between(PROVINCE_SPEC, vn(2026, 3, 2, 0), vn(2026, 3, 3, 0)) == hours(8)


# --------------------------------------------------------------------------------------------------
# compute_due
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit", "due"),
    [
        (8, Unit.WORKING_HOURS, vn(2026, 3, 3, 10)),
        (1, Unit.WORKING_DAYS, vn(2026, 3, 3, 10)),
        (6, Unit.CALENDAR_DAYS, vn(2026, 3, 9, 10)),
        (Decimal(2), "working_days", vn(2026, 3, 4, 10)),
        (Decimal(7), "calendar_days", vn(2026, 3, 9, 10)),
    ],
)
def test_compute_due_dispatches_on_unit(amount, unit, due):
    assert compute_due(SPEC, vn(2026, 3, 2, 10), amount, unit) == due


def test_compute_due_rejects_an_unknown_unit():
    with pytest.raises(CalendarConfigError):
        compute_due(SPEC, vn(2026, 3, 2, 10), 1, "fortnights")


def test_unit_values_are_strings():
    assert Unit.WORKING_HOURS == "working_hours"
    assert Unit("calendar_days") is Unit.CALENDAR_DAYS


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def test_error_hierarchy():
    assert issubclass(CalendarConfigError, CalendarError)
    assert issubclass(CalendarRangeError, CalendarError)


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: next_working_moment(SPEC, naive),
        lambda naive: add_working_time(SPEC, naive, hours(1)),
        lambda naive: add_working_hours(SPEC, naive, 1),
        lambda naive: add_working_days(SPEC, naive, 1),
        lambda naive: add_calendar_days(SPEC, naive, 1),
        lambda naive: working_time_between(SPEC, naive, vn(2026, 3, 3)),
        lambda naive: working_time_between(SPEC, vn(2026, 3, 1), naive),
        lambda naive: compute_due(SPEC, naive, 1, Unit.WORKING_DAYS),
    ],
)
def test_naive_datetime_is_refused(call):
    with pytest.raises(CalendarRangeError):
        call(datetime(2026, 3, 2, 10, 0))


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_working_time(SPEC, vn(2026, 3, 2, 10), timedelta(minutes=-1)),
        lambda: add_working_hours(SPEC, vn(2026, 3, 2, 10), -1),
        lambda: add_working_hours(SPEC, vn(2026, 3, 2, 10), Decimal("-0.5")),
        lambda: add_working_days(SPEC, vn(2026, 3, 2, 10), -1),
        lambda: add_calendar_days(SPEC, vn(2026, 3, 2, 10), -1),
        lambda: compute_due(SPEC, vn(2026, 3, 2, 10), -3, Unit.CALENDAR_DAYS),
        lambda: add_working_hours(SPEC, vn(2026, 3, 2, 10), float("nan")),
        lambda: add_working_hours(SPEC, vn(2026, 3, 2, 10), Decimal("Infinity")),
        lambda: add_calendar_days(SPEC, vn(2026, 3, 2, 10), Decimal("1.5")),
    ],
)
def test_bad_amount_is_refused(call):
    with pytest.raises(CalendarRangeError):
        call()


@pytest.mark.parametrize(
    "make",
    [
        lambda: WorkingSession(time(11, 30), time(7, 30)),  # reversed
        lambda: WorkingSession(time(8, 0), time(8, 0)),  # empty
        lambda: WorkingSession(time(8, 0, tzinfo=UTC), time(9, 0)),  # aware
        lambda: CalendarSpec(sessions=()),  # no session
        lambda: CalendarSpec(sessions=tuple(reversed(DEFAULT_SESSIONS))),  # unsorted
        lambda: CalendarSpec(  # overlapping
            sessions=(
                WorkingSession(time(7, 30), time(12, 0)),
                WorkingSession(time(11, 30), time(17, 30)),
            )
        ),
        lambda: CalendarSpec(sessions=DEFAULT_SESSIONS, weekend=frozenset({7})),
        lambda: CalendarSpec(  # a day both off and worked
            sessions=DEFAULT_SESSIONS,
            days_off=frozenset({date(2026, 8, 22)}),
            working_days=frozenset({date(2026, 8, 22)}),
        ),
        lambda: CalendarSpec(sessions=DEFAULT_SESSIONS, days_off=frozenset({vn(2026, 9, 2)})),
    ],
)
def test_bad_configuration_is_refused(make):
    with pytest.raises(CalendarConfigError):
        make()


def test_touching_sessions_are_allowed():
    spec = CalendarSpec(
        sessions=(
            WorkingSession(time(8), time(12)),
            WorkingSession(time(12), time(16)),
        ),
    )
    assert spec.day_length == hours(8)
    assert add_working_hours(spec, vn(2026, 3, 2, 11), 2) == vn(2026, 3, 2, 13)


def test_lists_are_accepted_and_stored_immutably():
    spec = CalendarSpec(sessions=list(DEFAULT_SESSIONS), weekend={5, 6}, days_off=[date(2026, 9, 2)])
    assert spec.sessions == DEFAULT_SESSIONS
    assert spec.days_off == frozenset({date(2026, 9, 2)})
    assert hash(spec) == hash(spec)


def test_every_day_off_raises_quickly():
    # Given a calendar where every weekday is weekend
    spec = CalendarSpec(sessions=DEFAULT_SESSIONS, weekend=frozenset(range(7)))
    started = wallclock.perf_counter()
    # When / Then every search for working time gives up at the bound
    for call in (
        lambda: next_working_moment(spec, vn(2026, 3, 2, 10)),
        lambda: add_working_hours(spec, vn(2026, 3, 2, 10), 1),
        lambda: add_working_time(spec, vn(2026, 3, 2, 10), timedelta(0)),
        lambda: add_calendar_days(spec, vn(2026, 3, 2, 10), 3),
    ):
        with pytest.raises(CalendarRangeError):
            call()
    assert wallclock.perf_counter() - started < 2
    # and there is no working time at all
    assert working_time_between(spec, vn(2026, 1, 1), vn(2027, 1, 1)) == timedelta(0)


def test_search_bound_is_twenty_years():
    # Given a calendar whose only working day is far ahead
    near = date(2026, 3, 2) + timedelta(days=SEARCH_LIMIT_DAYS - 1)
    far = date(2026, 3, 2) + timedelta(days=SEARCH_LIMIT_DAYS + 1)
    weekend = frozenset(range(7))
    reachable = CalendarSpec(sessions=DEFAULT_SESSIONS, weekend=weekend, working_days=frozenset({near}))
    unreachable = CalendarSpec(sessions=DEFAULT_SESSIONS, weekend=weekend, working_days=frozenset({far}))
    # Then a working day within the bound is found, one beyond it is not
    assert next_working_moment(reachable, vn(2026, 3, 2, 10)) == datetime.combine(near, time(7, 30), tzinfo=VN)
    with pytest.raises(CalendarRangeError):
        next_working_moment(unreachable, vn(2026, 3, 2, 10))
    assert SEARCH_LIMIT_DAYS >= 20 * 365 + 5  # at least twenty calendar years


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

starts = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59, 59),
    # Other zones, DST included, check that inputs are converted to the calendar's zone.
    timezones=st.sampled_from([VN, UTC, ZoneInfo("Europe/Paris")]),
)
amounts = st.integers(min_value=0, max_value=500 * 60).map(lambda m: timedelta(minutes=m))
positive_amounts = st.integers(min_value=1, max_value=500 * 60).map(lambda m: timedelta(minutes=m))


def in_session_or_at_session_end(spec: CalendarSpec, moment: datetime) -> bool:
    local = moment.astimezone(spec.tz)
    clock = local.time()
    return spec.is_working_day(local.date()) and any(session.start <= clock <= session.end for session in spec.sessions)


@PROPERTY_SETTINGS
@given(start=starts, amount=amounts)
def test_due_is_not_before_start(start, amount):
    due = add_working_time(SPEC, start, amount)
    assert due >= start
    assert due.tzinfo is VN


@PROPERTY_SETTINGS
@given(start=starts, amount=amounts)
def test_working_time_between_inverts_add_working_time(start, amount):
    assert working_time_between(SPEC, start, add_working_time(SPEC, start, amount)) == amount


@PROPERTY_SETTINGS
@given(start=starts, a=amounts, b=positive_amounts)
def test_additivity(start, a, b):
    assert add_working_time(SPEC, add_working_time(SPEC, start, a), b) == add_working_time(SPEC, start, a + b)


@PROPERTY_SETTINGS
@given(start=starts, a=amounts, b=amounts)
def test_monotonic_in_amount(start, a, b):
    small, large = sorted((a, b))
    assert add_working_time(SPEC, start, small) <= add_working_time(SPEC, start, large)


@PROPERTY_SETTINGS
@given(start=starts, amount=positive_amounts)
def test_result_is_inside_a_session_or_at_its_end_on_a_working_day(start, amount):
    assert in_session_or_at_session_end(SPEC, add_working_time(SPEC, start, amount))


@PROPERTY_SETTINGS
@given(start=starts, amount=amounts)
def test_result_for_the_province_spec_is_inside_a_session_and_inverts(start, amount):
    due = add_working_time(PROVINCE_SPEC, start, amount)
    assert in_session_or_at_session_end(PROVINCE_SPEC, due)
    assert working_time_between(PROVINCE_SPEC, start, due) == amount


@PROPERTY_SETTINGS
@given(start=starts, days=st.integers(min_value=0, max_value=60))
def test_whole_working_days_keep_the_clock_time_when_starting_inside_a_session(start, days):
    # Strictly inside a session (not at its start, which is the same working instant as the end of
    # the previous session), n working days land at the same clock time on a working day.
    local = next_working_moment(SPEC, start)
    if any(local.time() == session.start for session in SPEC.sessions):
        local += timedelta(minutes=1)
    due = add_working_days(SPEC, local, days)
    assert due.time() == local.time()
    assert SPEC.is_working_day(due.date())


@PROPERTY_SETTINGS
@given(start=starts, days=st.integers(min_value=0, max_value=400))
def test_calendar_days_land_on_a_working_day_not_before_start_plus_days(start, days):
    due = add_calendar_days(SPEC, start, days)
    assert SPEC.is_working_day(due.date())
    # Calendar days are counted on the calendar's wall clock, not on the zone of the input.
    assert due >= start.astimezone(VN) + timedelta(days=days)
    assert due.time() == start.astimezone(VN).time()


def brute_force_add(spec: CalendarSpec, start: datetime, minutes: int) -> datetime:
    """Reference: consume working time one minute at a time (`start` on a whole minute)."""
    moment = start.astimezone(spec.tz)

    def working(at: datetime) -> bool:
        clock = at.time()
        return spec.is_working_day(at.date()) and any(s.start <= clock < s.end for s in spec.sessions)

    def step(at: datetime) -> datetime:
        if not spec.is_working_day(at.date()):  # jump over off days to keep the oracle fast
            return datetime.combine(at.date() + timedelta(days=1), time(0), tzinfo=spec.tz)
        return at + timedelta(minutes=1)

    while not working(moment):
        moment = step(moment)
    while minutes:
        if working(moment):
            minutes -= 1
            moment += timedelta(minutes=1)
        else:
            moment = step(moment)
    return moment


@settings(max_examples=100, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.just(VN),
    ).map(lambda d: d.replace(second=0, microsecond=0)),
    minutes=st.integers(min_value=0, max_value=3 * 8 * 60),
    spec=st.sampled_from([SPEC, PROVINCE_SPEC]),
)
def test_agrees_with_a_minute_by_minute_reference(start, minutes, spec):
    assert add_working_time(spec, start, timedelta(minutes=minutes)) == brute_force_add(spec, start, minutes)
