"""Reads of the working calendar: which calendar applies to an organisation, and its engine spec."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache

from egov.calendar import engine
from egov.calendar.models import CalendarDay, WorkCalendar
from egov.core.errors import NotFound

__all__ = ["calendar_for", "default_calendar", "spec_for", "compute_due", "working_time_between"]


def calendar_for(organisation) -> WorkCalendar:
    """The calendar of ``organisation`` or of its nearest ancestor that has one (the province)."""
    paths = [
        organisation.path[:i] for i in range(organisation.steplen, len(organisation.path) + 1, organisation.steplen)
    ]
    found = (
        WorkCalendar.objects.filter(organisation__path__in=paths)
        .select_related("organisation")
        .order_by("-organisation__depth")
        .first()
    )
    if found is None:
        raise NotFound(f"Chưa cấu hình lịch làm việc cho {organisation.name}.")
    return found


def default_calendar() -> WorkCalendar:
    """The deployment's calendar: the one closest to the top of the tree."""
    found = WorkCalendar.objects.select_related("organisation").order_by("organisation__depth", "pk").first()
    if found is None:
        raise NotFound("Chưa cấu hình lịch làm việc.")
    return found


def _build_spec(calendar: WorkCalendar) -> engine.CalendarSpec:
    sessions = tuple(engine.WorkingSession(s.start, s.end) for s in calendar.sessions.all())
    days_off, working_days = set(), set()
    for day, kind in CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind"):
        (days_off if kind == CalendarDay.Kind.DAY_OFF else working_days).add(day)
    return engine.CalendarSpec(
        sessions=sessions,
        weekend=frozenset(calendar.weekend),
        days_off=frozenset(days_off),
        working_days=frozenset(working_days),
        tz=ZoneInfo(calendar.timezone),
    )


def spec_for(calendar: WorkCalendar) -> engine.CalendarSpec:
    """The engine spec, cached per calendar version (a change bumps the version)."""
    key = f"calendar-spec:{calendar.pk}:{calendar.version}"
    spec = cache.get(key)
    if spec is None:
        spec = _build_spec(calendar)
        cache.set(key, spec, timeout=3600)
    return spec


def compute_due(calendar: WorkCalendar, *, start: datetime, amount, unit: engine.Unit) -> datetime:
    return engine.compute_due(spec_for(calendar), start, amount, unit)


def working_time_between(calendar: WorkCalendar, *, start: datetime, end: datetime):
    return engine.working_time_between(spec_for(calendar), start, end)
