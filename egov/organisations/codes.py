"""Agency identifier codes (mã định danh cơ quan, đơn vị).

Two forms are in use and both are accepted:

* QCVN 102:2016/BTTTT (legacy): 13 characters ``ddd.dd.dd.Xdd`` with level 1 on the *right*,
  e.g. ``000.00.00.H41`` (a province) or ``000.00.04.G14`` (a central body).
* QĐ 20/2020/QĐ-TTg: up to 35 characters of ``[0-9A-Z.]`` with level 1 on the *left*,
  e.g. ``H55.242``; ``G..`` central, ``H..`` province, ``Z..`` other organisations.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["CodeForm", "classify", "validate_code", "validate_legacy_code", "validate_new_code", "InvalidAgencyCode"]

# [0-9], not \d: \d also matches other scripts' digits (Arabic-Indic, full-width...).
LEGACY_RE = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$")
# Level 1: a letter and two digits; lower levels: groups of digits/capitals separated by single dots.
NEW_RE = re.compile(r"^[A-Z][0-9]{2}(?:\.[0-9A-Z]+)*$")
NEW_MAX_LENGTH = 35


class CodeForm(StrEnum):
    LEGACY = "qcvn102_2016"
    NEW = "qd20_2020"


class InvalidAgencyCode(ValueError):
    pass


def validate_legacy_code(code: str) -> str:
    if not isinstance(code, str) or not LEGACY_RE.fullmatch(code):
        raise InvalidAgencyCode(f"Mã định danh '{code}' không đúng dạng QCVN 102:2016 (13 ký tự dạng 000.00.00.H41).")
    return code


def validate_new_code(code: str) -> str:
    if not isinstance(code, str) or len(code) > NEW_MAX_LENGTH or not NEW_RE.fullmatch(code):
        raise InvalidAgencyCode(
            f"Mã định danh '{code}' không đúng dạng QĐ 20/2020/QĐ-TTg "
            f"(tối đa {NEW_MAX_LENGTH} ký tự 0-9, A-Z và dấu chấm, cấp 1 bên trái, ví dụ H55.242)."
        )
    return code


def classify(code: str) -> CodeForm:
    """Which form ``code`` is in; raises :class:`InvalidAgencyCode` if neither."""
    if isinstance(code, str) and LEGACY_RE.fullmatch(code):
        return CodeForm.LEGACY
    validate_new_code(code)
    return CodeForm.NEW


def validate_code(code: str) -> str:
    """Accept a code in either form."""
    classify(code)
    return code
