"""What the Excel and JSON readers share: the parsed result, where each value came from, the error
of a bad cell, and lenient value parsers with Vietnamese messages.

A reader never stops at the first problem: it collects a :class:`RowError` for every bad value,
and the import service adds the validation errors of every row before deciding (all or nothing).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from openpyxl.utils import get_column_letter

from egov.catalogue.specs import FieldSpec, ProcedureSpec
from egov.catalogue.text import clean_text, fold
from egov.core.errors import FieldError, ValidationFailed

__all__ = [
    "RowError",
    "ImportFailed",
    "Parsed",
    "Locator",
    "JsonLocator",
    "BadValue",
    "parse_text",
    "parse_int",
    "parse_money",
    "parse_bool",
    "parse_decimal",
    "parse_choice",
    "parse_choices",
    "MAX_ROWS",
]

# A province publishes a few thousand procedures; a sheet far above that is a mistake (or an attack).
MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowError:
    """One bad value and where it is: an Excel sheet, row and column, or a JSON list item and path."""

    sheet: str  # Excel sheet name, or "procedures" / "fields" for JSON ("" for the file itself)
    row: int  # Excel row number (the header is row 1); JSON: position in the list from 1; 0: whole sheet
    column: str  # Excel column header; JSON: the path inside the item, e.g. "components[0].name"
    reason: str
    location: str  # machine form: "ThuTuc!B5", "procedures[3].components[0].name", "file"
    place: str  # the same in Vietnamese, for people
    order: tuple = ()  # sort key: sheet rank, row, column number

    @property
    def message(self) -> str:
        return f"{self.place}: {self.reason}" if self.place else self.reason

    def as_field_error(self) -> FieldError:
        return FieldError(self.location, self.message)

    @classmethod
    def excel(cls, sheet: str, row: int, column: str, number: int | None, reason: str, *, rank: int) -> RowError:
        """``number`` is the 1-based column number, None when the column itself is missing."""
        if row == 0:
            return cls(sheet, 0, column, reason, sheet, f"Bảng {sheet}", (rank, 0, 0))
        if number is None:
            return cls(sheet, row, column, reason, f"{sheet}!{row}", f"Bảng {sheet}, dòng {row}", (rank, row, 0))
        cell = f"{get_column_letter(number)}{row}"
        place = f"Bảng {sheet}, dòng {row}, cột {column} (ô {cell})"
        return cls(sheet, row, column, reason, f"{sheet}!{cell}", place, (rank, row, number))

    @classmethod
    def json(cls, items: str, index: int, path: str, reason: str) -> RowError:
        location = f"{items}[{index}].{path}" if path else f"{items}[{index}]"
        return cls(items, index + 1, path, reason, location, location, (0 if items == "fields" else 1, index + 1, 0))

    @classmethod
    def file(cls, reason: str) -> RowError:
        return cls("", 0, "", reason, "file", "", (-1, 0, 0))


class ImportFailed(ValidationFailed):
    """The file has bad rows; every one is listed in ``row_errors`` and nothing was written."""

    def __init__(self, row_errors: list[RowError]) -> None:
        self.row_errors = sorted(row_errors, key=lambda e: e.order)
        super().__init__(
            [e.as_field_error() for e in self.row_errors],
            message=f"Tệp có {len(self.row_errors)} lỗi; không có dữ liệu nào được ghi.",
        )


class Locator:
    """Turns a validation error of the n-th field or procedure into the place it came from."""

    def field(self, index: int, path: str, reason: str) -> RowError:
        raise NotImplementedError

    def procedure(self, index: int, path: str, reason: str) -> RowError:
        raise NotImplementedError


class JsonLocator(Locator):
    def field(self, index: int, path: str, reason: str) -> RowError:
        return RowError.json("fields", index, path, reason)

    def procedure(self, index: int, path: str, reason: str) -> RowError:
        return RowError.json("procedures", index, path, reason)


@dataclass
class Parsed:
    """Specs read from a file, the errors met while reading, and how to place later errors."""

    fields: list[FieldSpec] = field(default_factory=list)
    procedures: list[ProcedureSpec] = field(default_factory=list)
    # Per procedure (same index): (effective_from, decision) when the file publishes a new version.
    versions: dict[int, tuple[date, str]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    locator: Locator = field(default_factory=JsonLocator)
    source: str = ""


# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------


class BadValue(ValueError):
    pass


_TRUE = {"co", "x", "1", "true", "dung", "yes", "bat buoc"}
_FALSE = {"khong", "0", "false", "sai", "no", "khong bat buoc"}
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:[., ][0-9]{3})+$")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: Any, *, multiline: bool = False) -> str:
    if _blank(value):
        return ""
    if isinstance(value, bool):
        raise BadValue("Phải là chữ, không phải giá trị đúng/sai.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (list, dict)):
        raise BadValue("Phải là chuỗi ký tự.")
    return clean_text(str(value), multiline=multiline)


def parse_int(value: Any, *, default: int = 0, maximum: int = 32767) -> int:
    if _blank(value):
        return default
    if isinstance(value, bool):
        raise BadValue("Phải là số nguyên.")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue(f"Phải là số nguyên, không phải {value:g}.")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[0-9]+", text):
            raise BadValue(f"Phải là số nguyên không âm, không phải '{text}'.")
        value = int(text)
    if not isinstance(value, int):
        raise BadValue("Phải là số nguyên.")
    if value < 0:
        raise BadValue("Không được là số âm.")
    if value > maximum:
        raise BadValue(f"Không được lớn hơn {maximum}.")
    return value


def parse_money(value: Any) -> int:
    """Whole đồng: 75000, 75.000, "75 000 đồng"."""
    if isinstance(value, str):
        text = re.sub(r"\s*(đồng|đ|vnđ|vnd)\s*$", "", value.strip(), flags=re.IGNORECASE)
        if _THOUSANDS.fullmatch(text):
            text = re.sub(r"[., ]", "", text)
        value = text
    if _blank(value):
        raise BadValue("Thiếu mức thu (ghi 0 nếu miễn).")
    try:
        return parse_int(value, maximum=10**12)
    except BadValue as exc:
        raise BadValue(f"Mức thu phải là số đồng (số nguyên không âm). {exc}") from exc


def parse_bool(value: Any, *, default: bool) -> bool:
    if _blank(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    folded = fold(str(value))
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise BadValue(f"Phải là 'có' hoặc 'không', không phải '{value}'.")


def parse_decimal(value: Any) -> Decimal:
    if _blank(value):
        raise BadValue("Thiếu số.")
    if isinstance(value, bool):
        raise BadValue("Phải là số.")
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise BadValue(f"Phải là số (ví dụ 0,5 hoặc 20), không phải '{value}'.") from exc
    if not number.is_finite():
        raise BadValue("Phải là một số hữu hạn.")
    return number


@functools.cache
def _labels(choices: type[models.Choices]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for member in choices:
        table[fold(str(member.value))] = member.value
        table[fold(member.label)] = member.value
    return table


def _choice_names(choices: type[models.Choices]) -> str:
    return ", ".join(f"{member.value} ({member.label})" for member in choices)


def parse_choice(value: Any, choices: type[models.Choices], *, what: str) -> Any:
    """A code or its Vietnamese label, ignoring case and diacritics."""
    if _blank(value):
        raise BadValue(f"Thiếu {what}.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = _labels(choices).get(fold(str(value)))
    if found is None:
        raise BadValue(
            f"{what[:1].upper()}{what[1:]} '{value}' không hợp lệ; dùng một trong: {_choice_names(choices)}."
        )
    return found


def parse_choices(value: Any, choices: type[models.Choices], *, what: str) -> tuple:
    """Several codes or labels, as a list (JSON) or separated by ';' or new lines (Excel)."""
    if _blank(value):
        return ()
    if isinstance(value, (list, tuple)):
        parts = list(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        parts = [value]
    else:
        parts = [p for p in re.split(r"[;\n]", str(value)) if p.strip()]
    values = []
    for part in parts:
        try:
            values.append(parse_choice(part, choices, what=what))
        except BadValue as exc:
            if isinstance(part, str) and "," in part:
                raise BadValue(f"{exc} Các giá trị cách nhau bằng dấu chấm phẩy (;).") from exc
            raise
    return tuple(values)
