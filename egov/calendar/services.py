"""Changes to working calendars: authorised (``calendar.manage``), audited, version-bumped."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

import holidays
from django.db import transaction
from django.db.models import F

from egov.access import policy
from egov.audit import services as audit
from egov.calendar import engine
from egov.calendar.models import CalendarDay, WorkCalendar, WorkSession
from egov.core.errors import FieldError, NotFound, ValidationFailed

__all__ = ["create_calendar", "seed_statutory_days", "set_day", "remove_day", "set_sessions", "DEFAULT_SESSIONS"]

DEFAULT_SESSIONS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 30)))
MIN_YEAR, MAX_YEAR = 2000, 2100


def _bump(calendar: WorkCalendar) -> None:
    WorkCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    calendar.refresh_from_db(fields=["version"])


def _clock(t: time) -> str:
    return t.strftime("%H:%M:%S" if t.second or t.microsecond else "%H:%M")


def _check_sessions(sessions: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """The sessions as the engine will take them, or a Vietnamese error on ``sessions``.

    The checks mirror ``engine.WorkingSession`` / ``engine.CalendarSpec``, whose messages are English
    and for developers; the engine still checks last, as a guard.
    """
    sessions = tuple(sessions)
    if not sessions:
        raise ValidationFailed.field("sessions", "Cần ít nhất một buổi làm việc.")
    errors = []
    for n, session in enumerate(sessions, start=1):
        start, end = session if isinstance(session, tuple | list) and len(session) == 2 else (None, None)
        if not isinstance(start, time) or not isinstance(end, time):
            errors.append(f"Buổi thứ {n}: cần giờ bắt đầu và giờ kết thúc (dạng HH:MM).")
        elif start.tzinfo is not None or end.tzinfo is not None:
            errors.append(f"Buổi thứ {n}: giờ không kèm múi giờ (lịch đã có múi giờ của nó).")
        elif not start < end:
            errors.append(f"Buổi {_clock(start)}–{_clock(end)}: giờ kết thúc phải sau giờ bắt đầu.")
    if not errors:
        for (start1, end1), (start2, end2) in zip(sessions, sessions[1:], strict=False):
            first, second = f"{_clock(start1)}–{_clock(end1)}", f"{_clock(start2)}–{_clock(end2)}"
            if start2 < start1:
                errors.append(f"Các buổi phải theo thứ tự trong ngày: buổi {second} phải đứng trước buổi {first}.")
            elif start2 < end1:
                errors.append(f"Buổi {first} và buổi {second} chồng lên nhau.")
    if errors:
        raise ValidationFailed([FieldError("sessions", message) for message in errors])
    try:
        engine.CalendarSpec(sessions=tuple(engine.WorkingSession(s, e) for s, e in sessions))
    except engine.CalendarConfigError as exc:  # pragma: no cover - the checks above come first
        raise ValidationFailed.field("sessions", "Các buổi làm việc không hợp lệ.") from exc
    return sessions


@transaction.atomic
def create_calendar(
    *, by, organisation, name: str, sessions=DEFAULT_SESSIONS, weekend=(5, 6), seed_years: Iterable[int] = ()
) -> WorkCalendar:
    policy.require(by, "calendar.manage", organisation)
    sessions = _check_sessions(sessions)
    if WorkCalendar.objects.filter(organisation=organisation).exists():
        raise ValidationFailed.field("organisation", f"{organisation.name} đã có lịch làm việc.")
    if any(d not in range(7) for d in weekend):
        raise ValidationFailed.field("weekend", "Ngày nghỉ hằng tuần phải từ 0 (thứ Hai) đến 6 (Chủ nhật).")
    calendar = WorkCalendar.objects.create(organisation=organisation, name=name, weekend=sorted(set(weekend)))
    WorkSession.objects.bulk_create(WorkSession(calendar=calendar, start=s, end=e) for s, e in sessions)
    audit.record(
        actor=by,
        action="calendar.create",
        target=calendar,
        after={"name": name, "sessions": [[s, e] for s, e in sessions], "weekend": calendar.weekend},
    )
    if seed_years:
        seed_statutory_days(by=by, calendar=calendar, years=seed_years)
    return calendar


@transaction.atomic
def seed_statutory_days(*, by, calendar: WorkCalendar, years: Iterable[int]) -> int:
    """Add the statutory days off and the announced make-up working days of ``years`` from the
    ``holidays`` package. Days an administrator already set are left alone. Returns the count added."""
    policy.require(by, "calendar.manage", calendar)
    years = sorted(set(years))
    if not years or years[0] < MIN_YEAR or years[-1] > MAX_YEAR:
        raise ValidationFailed.field("years", f"Năm phải trong khoảng {MIN_YEAR}–{MAX_YEAR}.")
    vn = holidays.country_holidays("VN", years=years, language="vi")
    wanted: dict[date, tuple[str, str]] = {d: (CalendarDay.Kind.DAY_OFF, name) for d, name in vn.items()}
    for d in getattr(vn, "weekend_workdays", ()):
        if d.year in years:
            wanted[d] = (CalendarDay.Kind.WORKING_DAY, "Ngày làm bù")
    existing = set(CalendarDay.objects.filter(calendar=calendar, date__in=wanted).values_list("date", flat=True))
    new = [
        CalendarDay(calendar=calendar, date=d, kind=kind, note=note[:200], source=CalendarDay.Source.STATUTORY)
        for d, (kind, note) in sorted(wanted.items())
        if d not in existing
    ]
    CalendarDay.objects.bulk_create(new)
    if new:
        _bump(calendar)
        audit.record(
            actor=by,
            action="calendar.seed_statutory_days",
            target=calendar,
            after={"years": years, "added": [[c.date, c.kind] for c in new]},
        )
    return len(new)


@transaction.atomic
def set_day(*, by, calendar: WorkCalendar, day: date, kind: str, note: str = "") -> CalendarDay:
    """Make ``day`` a day off or a (make-up) working day."""
    policy.require(by, "calendar.manage", calendar)
    errors = []
    if kind not in CalendarDay.Kind.values:
        errors.append(FieldError("kind", "Loại ngày phải là 'day_off' hoặc 'working_day'."))
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        errors.append(FieldError("date", f"Ngày phải trong khoảng năm {MIN_YEAR}–{MAX_YEAR}."))
    if len(note) > 200:
        errors.append(FieldError("note", "Ghi chú tối đa 200 ký tự."))
    if errors:
        raise ValidationFailed(errors)
    existing = CalendarDay.objects.select_for_update().filter(calendar=calendar, date=day).first()
    before = audit.snapshot(existing, ["date", "kind", "note", "source"]) if existing else None
    row, _ = CalendarDay.objects.update_or_create(
        calendar=calendar, date=day, defaults={"kind": kind, "note": note, "source": CalendarDay.Source.MANUAL}
    )
    _bump(calendar)
    audit.record(
        actor=by,
        action="calendar.set_day",
        target=calendar,
        before=before,
        after=audit.snapshot(row, ["date", "kind", "note", "source"]),
    )
    return row


@transaction.atomic
def remove_day(*, by, calendar: WorkCalendar, day: date) -> None:
    """Undo a day off or make-up working day: the date follows the weekly pattern again."""
    policy.require(by, "calendar.manage", calendar)
    row = CalendarDay.objects.select_for_update().filter(calendar=calendar, date=day).first()
    if row is None:
        raise NotFound(f"Ngày {day:%d/%m/%Y} không có trong danh sách ngày nghỉ / làm bù.")
    before = audit.snapshot(row, ["date", "kind", "note", "source"])
    row.delete()
    _bump(calendar)
    audit.record(actor=by, action="calendar.remove_day", target=calendar, before=before)


@transaction.atomic
def set_sessions(*, by, calendar: WorkCalendar, sessions: Iterable[tuple[time, time]]) -> WorkCalendar:
    policy.require(by, "calendar.manage", calendar)
    sessions = _check_sessions(sessions)
    before = [[s.start, s.end] for s in calendar.sessions.all()]
    WorkSession.objects.filter(calendar=calendar).delete()
    WorkSession.objects.bulk_create(WorkSession(calendar=calendar, start=s, end=e) for s, e in sessions)
    _bump(calendar)
    audit.record(
        actor=by,
        action="calendar.set_sessions",
        target=calendar,
        before={"sessions": before},
        after={"sessions": [[s, e] for s, e in sessions]},
    )
    return calendar
