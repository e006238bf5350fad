"""Vietnamese administrative formatting for form templates: dates, times, money.

Dates follow NĐ 30/2020/NĐ-CP, Phụ lục I (thể thức văn bản): "ngày 05 tháng 3 năm 2026"; a day
below 10 and the months 1 and 2 take a leading zero, so "tháng 01" cannot be altered into "tháng 11".
Times read as on the TT 01/2018 forms: "08 giờ 30 phút". Aware datetimes are shown in the current
time zone (``Asia/Ho_Chi_Minh``); naive ones are taken as already local.

The functions are plain Python too (``vn_date(value)``), for code that builds text outside a template.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

__all__ = ["vn_date", "vn_time", "vn_datetime", "vn_money", "vn_number", "vn_short_date", "vn_short_datetime"]

register = template.Library()


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _day(value: date | datetime | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _local(value).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"Expected a date or datetime, got {type(value).__name__}")


@register.filter
def vn_date(value: date | datetime | None) -> str:
    """``date(2026, 3, 5)`` -> ``"ngày 05 tháng 3 năm 2026"``; ``None`` -> ``""``."""
    day = _day(value)
    if day is None:
        return ""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


@register.filter
def vn_time(value: datetime | time | None) -> str:
    """``08:30`` -> ``"08 giờ 30 phút"``."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value).time()
    if not isinstance(value, time):
        raise TypeError(f"Expected a time or datetime, got {type(value).__name__}")
    return f"{value.hour:02d} giờ {value.minute:02d} phút"


@register.filter
def vn_datetime(value: datetime | None) -> str:
    """``2026-03-15 08:30`` -> ``"08 giờ 30 phút, ngày 15 tháng 3 năm 2026"``, as on the forms."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return vn_date(value)  # a date alone: no time to show
    return f"{vn_time(value)}, {vn_date(value)}"


@register.filter
def vn_short_date(value: date | datetime | None) -> str:
    """``"15/03/2026"``, for table cells (registers, control slips)."""
    day = _day(value)
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year}"


@register.filter
def vn_short_datetime(value: datetime | None) -> str:
    """``"08:30 15/03/2026"``, for table cells."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return vn_short_date(value)
    local = _local(value)
    return f"{local.hour:02d}:{local.minute:02d} {vn_short_date(local)}"


def _group(digits: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return ".".join(out)


@register.filter
def vn_number(value) -> str:
    """``1234567.5`` -> ``"1.234.567,5"``: dot between thousands, comma before decimals."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    fraction = fraction.rstrip("0")
    return sign + _group(whole) + ("," + fraction if fraction else "")


@register.filter
def vn_money(value, unit: str = "đồng") -> str:
    """``1500000`` -> ``"1.500.000 đồng"``; rounded to whole đồng. ``vn_money:""`` drops the unit."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    text = vn_number(amount)
    return f"{text} {unit}" if unit else text
