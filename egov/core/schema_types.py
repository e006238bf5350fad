"""Input types for API schemas that accept only what the OpenAPI document says.

pydantic in lax mode reads ``0`` or ``"0"`` as a date or a moment (seconds since 1970), so an
integer where the document promises ``format: date`` was silently accepted as 1970-01-01; the API
fuzzing run (schemathesis, negative data) found it. These types accept only ISO 8601 text (or an
already parsed value, for callers in Python) and say what is wrong in Vietnamese.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

__all__ = ["IsoDate", "IsoDateTime"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_date(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("Ngày không hợp lệ (định dạng YYYY-MM-DD).")


def _iso_datetime(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATETIME.match(value.strip()):
        return value.strip()
    raise ValueError("Thời điểm không hợp lệ (định dạng ISO 8601, ví dụ 2026-03-02T08:00:00+07:00).")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
