"""Reporting periods and their data windows (NĐ 09/2019/NĐ-CP, DOMAIN §10, verify): a month runs
from the 15th of the previous month to the 14th; a quarter from the 15th of the month before the
quarter to the 14th of its last month; a year from 15/12 of the previous year to 14/12."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from egov.core.errors import ValidationFailed

__all__ = ["Period", "parse", "current"]

_KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    key: str  # 2026-03 | 2026-Q1 | 2026
    start: date  # first day of the window
    end: date  # last day of the window (inclusive)

    @property
    def label(self) -> str:
        year = self.key[:4]
        if self.kind == "month":
            return f"Tháng {int(self.key[5:])}/{year}"
        if self.kind == "quarter":
            return f"Quý {self.key[-1]}/{year}"
        return f"Năm {year}"

    def bounds(self) -> tuple[datetime, datetime]:
        """The window as a half-open range of aware datetimes, Vietnam days."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def previous(self) -> Period:
        return parse(_shift(self, -1))


def _month_window(year: int, month: int) -> tuple[date, date]:
    prev_year, prev_month = (year - 1, 12) if month == 1 else (year, month - 1)
    return date(prev_year, prev_month, 15), date(year, month, 14)


def parse(key: str) -> Period:
    """``2026-03`` (month), ``2026-Q1`` (quarter) or ``2026`` (year)."""
    match = _KEY.match((key or "").strip())
    if not match:
        raise ValidationFailed.field(
            "ky", "Kỳ báo cáo không hợp lệ: dùng dạng 2026-03 (tháng), 2026-Q1 (quý) hoặc 2026 (năm)."
        )
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise ValidationFailed.field("ky", "Năm của kỳ báo cáo phải từ 2000 đến 2100.")
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValidationFailed.field("ky", "Tháng của kỳ báo cáo phải từ 01 đến 12.")
        start, end = _month_window(year, month)
        return Period("month", f"{year}-{month:02d}", start, end)
    if match["quarter"]:
        quarter = int(match["quarter"])
        start, _ = _month_window(year, 3 * quarter - 2)
        _, end = _month_window(year, 3 * quarter)
        return Period("quarter", f"{year}-Q{quarter}", start, end)
    return Period("year", str(year), date(year - 1, 12, 15), date(year, 12, 14))


def _shift(period: Period, step: int) -> str:
    year = int(period.key[:4])
    if period.kind == "month":
        index = year * 12 + int(period.key[5:]) - 1 + step
        return f"{index // 12}-{index % 12 + 1:02d}"
    if period.kind == "quarter":
        index = year * 4 + int(period.key[-1]) - 1 + step
        return f"{index // 4}-Q{index % 4 + 1}"
    return str(year + step)


def current(kind: str = "month", *, today: date | None = None) -> Period:
    """The period whose window holds ``today``."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    if today.day >= 15:  # the window of the next month has started
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if kind == "month":
        return parse(f"{year}-{month:02d}")
    if kind == "quarter":
        return parse(f"{year}-Q{(month - 1) // 3 + 1}")
    return parse(str(year))
