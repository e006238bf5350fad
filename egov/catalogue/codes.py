"""Procedure and field codes (DOMAIN §2).

* Procedure code: the national procedure number and the code of the agency that published it,
  e.g. ``1.001193.000.00.00.H99``: ``1.001193`` in the national procedure database, then the
  province's QCVN 102:2016 agency code ``000.00.00.H99``.
* Field (lĩnh vực) code, TT 01/2018/TT-VPCP Đ20 ``MX1X2-LV``: the managing body's code (a letter
  and two digits, e.g. ``G09``) and the field's own code, e.g. ``G09-TP01``.
"""

from __future__ import annotations

import re

from egov.organisations import codes as agency_codes

__all__ = ["InvalidCode", "validate_procedure_code", "validate_field_code", "national_number", "agency_part"]

# [0-9], not \d: \d also matches other scripts' digits.
PROCEDURE_RE = re.compile(r"^(?P<national>[0-9]\.[0-9]{6})\.(?P<agency>[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2})$")
FIELD_RE = re.compile(r"^[A-Z][0-9]{2}-[0-9A-Z]{2,12}$")


class InvalidCode(ValueError):
    pass


def validate_procedure_code(code: str) -> str:
    match = PROCEDURE_RE.fullmatch(code) if isinstance(code, str) else None
    if match is None:
        raise InvalidCode(
            f"Mã thủ tục '{code}' không đúng dạng: số thủ tục quốc gia và mã cơ quan công bố, "
            "ví dụ 1.001193.000.00.00.H99."
        )
    try:
        agency_codes.validate_legacy_code(match["agency"])
    except agency_codes.InvalidAgencyCode as exc:  # pragma: no cover - the pattern already implies it
        raise InvalidCode(str(exc)) from exc
    return code


def validate_field_code(code: str) -> str:
    if not isinstance(code, str) or not FIELD_RE.fullmatch(code):
        raise InvalidCode(
            f"Mã lĩnh vực '{code}' không đúng dạng MX1X2-LV (TT 01/2018/TT-VPCP): "
            "mã cơ quan quản lý và mã lĩnh vực, ví dụ G09-TP01."
        )
    return code


def national_number(code: str) -> str:
    """``1.001193.000.00.00.H99`` → ``1.001193``."""
    return code[:8]


def agency_part(code: str) -> str:
    """``1.001193.000.00.00.H99`` → ``000.00.00.H99``."""
    return code[9:]
