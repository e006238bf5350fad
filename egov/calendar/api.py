"""API: deadlines from the working calendar, and the administrators' working sessions and days off /
make-up days."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import field_validator

from egov.access.authentication import officer_auth
from egov.calendar import engine, selectors, services
from egov.calendar.models import CalendarDay
from egov.core.errors import ValidationFailed
from egov.core.schema_types import IsoDate, IsoDateTime
from egov.organisations.models import Organisation

router = Router(tags=["Lịch làm việc"])


def _calendar(agency: str | None):
    if not agency:
        return selectors.default_calendar()
    org = Organisation.objects.filter(code=agency).first() or Organisation.objects.filter(legacy_code=agency).first()
    if org is None:
        raise ValidationFailed.field("agency", f"Không tìm thấy cơ quan có mã định danh '{agency}'.")
    return selectors.calendar_for(org)


# "+07:00" typed into a URL arrives as " 07:00" ("+" means a space in a query string).
_SPACE_OFFSET = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ][\d:.]+) (\d{2}:?\d{2})$")


def _restore_plus(value):
    if isinstance(value, str):
        match = _SPACE_OFFSET.match(value.strip())
        if match:
            return f"{match[1]}+{match[2]}"
    return value


class DueQuery(Schema):
    start: IsoDateTime = Field(
        ..., description="Thời điểm bắt đầu, ISO 8601 có múi giờ, ví dụ 2026-03-02T08:00:00+07:00"
    )
    amount: Decimal = Field(..., ge=0, le=100000, description="Số lượng (giờ hoặc ngày)")
    unit: Literal["working_days", "working_hours", "calendar_days"]
    agency: str | None = Field(None, description="Mã định danh cơ quan (mặc định: lịch của tỉnh)")

    _start = field_validator("start", mode="before")(_restore_plus)


class DueOut(Schema):
    due_at: str


class ElapsedQuery(Schema):
    start: IsoDateTime
    end: IsoDateTime
    agency: str | None = None

    _moments = field_validator("start", "end", mode="before")(_restore_plus)


class ElapsedOut(Schema):
    working_hours: float
    working_seconds: int


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise ValidationFailed.field(field, "Thời điểm phải có múi giờ (ví dụ 2026-03-02T08:00:00+07:00).")
    # The calendar holds days of these years only; far outside them the engine overflows.
    if not services.MIN_YEAR <= value.year <= services.MAX_YEAR:
        raise ValidationFailed.field(field, f"Thời điểm phải trong khoảng năm {services.MIN_YEAR}–{services.MAX_YEAR}.")
    return value


@router.get("/due", response=DueOut, auth=None, summary="Tính hạn xử lý theo lịch làm việc")
def due(request, query: Query[DueQuery]):
    start = _aware(query.start, "start")
    calendar = _calendar(query.agency)
    if query.unit == "calendar_days" and query.amount != query.amount.to_integral_value():
        raise ValidationFailed.field("amount", "Số ngày theo lịch phải là số nguyên.")
    try:
        due_at = selectors.compute_due(calendar, start=start, amount=query.amount, unit=engine.Unit(query.unit))
    except engine.CalendarRangeError as exc:
        # The engine's messages are English; only a calendar with no working day left gets here.
        raise ValidationFailed.field("amount", "Không tính được hạn: không có ngày làm việc trong phạm vi.") from exc
    return DueOut(due_at=due_at.isoformat())


@router.get("/elapsed", response=ElapsedOut, auth=None, summary="Thời gian làm việc giữa hai thời điểm")
def elapsed(request, query: Query[ElapsedQuery]):
    start, end = _aware(query.start, "start"), _aware(query.end, "end")
    if end < start:
        raise ValidationFailed.field("end", "Thời điểm kết thúc phải sau thời điểm bắt đầu.")
    if (end - start).days > 366 * 20:
        raise ValidationFailed.field("end", "Khoảng thời gian tối đa 20 năm.")
    try:
        spent = selectors.working_time_between(_calendar(query.agency), start=start, end=end)
    except engine.CalendarRangeError as exc:
        raise ValidationFailed.field("start", "Không tính được thời gian làm việc trong khoảng này.") from exc
    return ElapsedOut(working_hours=spent.total_seconds() / 3600, working_seconds=int(spent.total_seconds()))


class DayIn(Schema):
    date: IsoDate
    kind: Literal["day_off", "working_day"]
    note: str = Field("", max_length=200)
    agency: str | None = None


class DayOut(Schema):
    date: date
    kind: str
    note: str
    source: str


class DaysQuery(Schema):
    year: int = Field(..., ge=2000, le=2100)
    agency: str | None = None


def _day_out(row: CalendarDay) -> DayOut:
    return DayOut(date=row.date, kind=row.kind, note=row.note, source=row.source)


@router.get("/days", response=list[DayOut], auth=None, summary="Ngày nghỉ và ngày làm bù trong một năm")
def list_days(request, query: Query[DaysQuery]):
    calendar = _calendar(query.agency)
    rows = CalendarDay.objects.filter(calendar=calendar, date__year=query.year).order_by("date")
    return [_day_out(r) for r in rows]


@router.post("/days", response={201: DayOut}, auth=officer_auth, summary="Thêm/sửa ngày nghỉ hoặc ngày làm bù")
def set_day(request, payload: DayIn):
    row = services.set_day(
        by=request.user, calendar=_calendar(payload.agency), day=payload.date, kind=payload.kind, note=payload.note
    )
    return Status(201, _day_out(row))


@router.delete("/days/{day}", response={204: None}, auth=officer_auth, summary="Bỏ một ngày nghỉ / ngày làm bù")
def remove_day(request, day: IsoDate, agency: str | None = None):
    services.remove_day(by=request.user, calendar=_calendar(agency), day=day)
    return Status(204, None)


# --- working sessions ------------------------------------------------------------------------------

_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _clock(value):
    """``"07:30"`` -> ``time(7, 30)``. Only HH:MM: a session is on the office clock, with no seconds and
    no offset (the calendar's time zone applies)."""
    if isinstance(value, str):
        match = _HH_MM.match(value.strip())
        if match:
            return time(int(match[1]), int(match[2]))
    raise ValueError("Giờ phải có dạng HH:MM, ví dụ 07:30.")


class SessionIn(Schema):
    start: time = Field(..., description="Giờ bắt đầu, HH:MM, ví dụ 07:30")
    end: time = Field(..., description="Giờ kết thúc, HH:MM, ví dụ 11:30")

    _clock = field_validator("start", "end", mode="before")(_clock)


class SessionOut(Schema):
    start: str = Field(..., description="HH:MM")
    end: str = Field(..., description="HH:MM")


class SessionsIn(Schema):
    agency: str | None = Field(None, description="Mã định danh cơ quan có lịch (mặc định: lịch của tỉnh)")
    sessions: list[SessionIn] = Field(
        ..., description="Các buổi làm việc trong ngày, theo thứ tự, không chồng lên nhau"
    )


class SessionsOut(Schema):
    agency: str = Field(..., description="Mã định danh cơ quan sở hữu lịch")
    calendar: str
    sessions: list[SessionOut]


def _sessions_out(calendar) -> SessionsOut:
    return SessionsOut(
        agency=calendar.organisation.identifier,
        calendar=calendar.name,
        sessions=[SessionOut(start=f"{s.start:%H:%M}", end=f"{s.end:%H:%M}") for s in calendar.sessions.all()],
    )


@router.get("/sessions", response=SessionsOut, auth=None, summary="Các buổi làm việc trong ngày")
def list_sessions(request, agency: str | None = None):
    return _sessions_out(_calendar(agency))


@router.put("/sessions", response=SessionsOut, auth=officer_auth, summary="Đặt các buổi làm việc trong ngày (quản trị)")
def set_sessions(request, payload: SessionsIn):
    calendar = services.set_sessions(
        by=request.user,
        calendar=_calendar(payload.agency),
        sessions=[(s.start, s.end) for s in payload.sessions],
    )
    return _sessions_out(calendar)
