"""Checking and normalising recipients: e-mail addresses and Vietnamese mobile numbers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

__all__ = ["InvalidRecipient", "normalise_email", "normalise_phone"]


class InvalidRecipient(ValueError):
    """The address or number cannot receive a notification; the message is Vietnamese."""


# Mobile numbers since the 2018 renumbering: 0 + {3,5,7,8,9} + 8 digits, i.e. +84 and 9 digits.
# Landlines (02x…) cannot receive SMS, so they are refused here.
_MOBILE = re.compile(r"^[35789]\d{8}$")
_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise_email(value: str) -> str:
    """``" Nguyen.An@Example.VN "`` → ``"Nguyen.An@example.vn"`` (the domain is case-insensitive)."""
    address = (value or "").strip()
    if not address:
        raise InvalidRecipient("Địa chỉ thư điện tử không được để trống.")
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidRecipient(f"Địa chỉ thư điện tử '{address}' không hợp lệ.") from exc
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_phone(value: str) -> str:
    """A Vietnamese mobile number in any usual spelling → ``+84`` and 9 digits.

    ``"0912 345 678"``, ``"0912.345.678"``, ``"+84 912 345 678"``, ``"(+84) 912345678"`` and
    ``"84912345678"`` all give ``"+84912345678"``.
    """
    raw = (value or "").strip()
    if not raw:
        raise InvalidRecipient("Số điện thoại không được để trống.")
    digits = _SEPARATORS.sub("", raw)
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("0084"):
        national = digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = ""
    if national.startswith("0"):  # "+84 0912…", a common slip
        national = national[1:]
    if not _MOBILE.match(national):
        raise InvalidRecipient(
            f"Số điện thoại '{raw}' không phải số di động Việt Nam hợp lệ (ví dụ: 0912 345 678 hoặc +84 912 345 678)."
        )
    return "+84" + national
