"""Personal and business identifiers.

* Số định danh cá nhân / CCCD / VNeID: 12 digits; the first three are the province of birth
  registration (001–096).
* Old identity card (CMND): 9 digits.
* Mã số thuế: 10 digits, or 13 for a dependent unit, written ``0101234567-001``.
"""

from __future__ import annotations

import re

__all__ = ["InvalidIdentifier", "normalise_identity_number", "normalise_tax_code"]


class InvalidIdentifier(ValueError):
    pass


# ASCII only: ``\d`` would also accept Arabic-Indic or full-width digits and store them as such.
_DIGITS = re.compile(r"[0-9]+")


def normalise_identity_number(value: str) -> str:
    """A 12-digit CCCD or 9-digit CMND, spaces removed; raises :class:`InvalidIdentifier`."""
    raw = re.sub(r"\s+", "", value or "")
    if not _DIGITS.fullmatch(raw) or len(raw) not in (9, 12):
        raise InvalidIdentifier("Số định danh cá nhân phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ).")
    if len(raw) == 12 and not 1 <= int(raw[:3]) <= 96:
        raise InvalidIdentifier("Số định danh cá nhân không hợp lệ: 3 chữ số đầu phải là mã tỉnh từ 001 đến 096.")
    return raw


def normalise_tax_code(value: str) -> str:
    """``0101234567`` or ``0101234567-001`` (13 digits with or without the dash)."""
    raw = re.sub(r"[\s\-]", "", value or "")
    if not _DIGITS.fullmatch(raw) or len(raw) not in (10, 13):
        raise InvalidIdentifier("Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số (dạng 0101234567-001).")
    return raw if len(raw) == 10 else f"{raw[:10]}-{raw[10:]}"
