"""What a draft says (:class:`DraftContent`) and where the issue step writes on it (:class:`Placements`).

No Django models: the drafting service builds a :class:`DraftContent` from its rows; the renderer
turns it into a PDF laid out as NĐ 30/2020/NĐ-CP Phụ lục I prescribes, and reports the blank boxes
that the signers and the clerk fill later (the officer's signature, the seal, the number, the date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from egov.core.errors import FieldError, ValidationFailed
from egov.signing.placement import Placement

__all__ = [
    "TYPE_NAMES",
    "URGENCIES",
    "SECRECIES",
    "AUTHORITY_PREFIXES",
    "DraftContent",
    "Placements",
    "RenderedDraft",
    "number_text",
    "date_line",
]

# NĐ 30/2020 Phụ lục III: the types drafted from templates and their names. Công văn has no name line.
TYPE_NAMES: dict[str, str] = {
    "QD": "Quyết định",
    "CV": "",
    "TTr": "Tờ trình",
    "BC": "Báo cáo",
    "GM": "Giấy mời",
    "TB": "Thông báo",
}
# NĐ 30 Điều 8 khoản 11 (mức độ khẩn) and Luật Bảo vệ bí mật nhà nước (độ mật).
URGENCIES = ("", "Khẩn", "Thượng khẩn", "Hỏa tốc")
SECRECIES = ("", "Mật", "Tối mật", "Tuyệt mật")
# NĐ 30 Phụ lục I, mục II.8: thay mặt, ký thay, quyền, thừa lệnh, thừa ủy quyền.
AUTHORITY_PREFIXES = ("TM.", "KT.", "Q.", "TL.", "TUQ.")


@dataclass(frozen=True, kw_only=True)
class DraftContent:
    """The parts of an official document that the drafter writes (NĐ 30 Điều 8).

    ``body`` is plain text, paragraphs separated by blank lines. In a Quyết định, paragraphs starting
    with "Căn cứ", "Theo đề nghị" or "Xét đề nghị" are the legal basis (in italics), "Điều N." starts an
    article, and the "QUYẾT ĐỊNH:" line is added before the first article unless the body has it.
    ``addressees`` is the "Kính gửi:" list of a công văn or tờ trình; ``issuing_authority`` the line of a
    Quyết định naming who decides ("GIÁM ĐỐC SỞ TƯ PHÁP", "ỦY BAN NHÂN DÂN TỈNH SƠN NAM").
    """

    type_code: str
    type_name: str = ""
    issuer_parent: str = ""
    issuer_name: str
    symbol_suffix: str
    place: str
    subject: str
    body: str
    recipients: tuple[str, ...] = ()
    signer_authority: str = ""
    signer_title: str
    signer_name: str
    urgency: str = ""
    secrecy: str = ""
    year: int = field(default_factory=lambda: dt.date.today().year)
    addressees: tuple[str, ...] = ()
    issuing_authority: str = ""

    def __post_init__(self) -> None:
        # Lists are accepted and kept as tuples, so the content stays hashable and immutable.
        object.__setattr__(self, "recipients", tuple(self.recipients))
        object.__setattr__(self, "addressees", tuple(self.addressees))
        if not self.type_name and self.type_code in TYPE_NAMES:
            object.__setattr__(self, "type_name", TYPE_NAMES[self.type_code])
        errors = []
        if self.type_code not in TYPE_NAMES:
            errors.append(FieldError("type_code", f"Loại văn bản {self.type_code!r} chưa có mẫu trình bày."))
        if self.type_code == "CV" and self.type_name:
            errors.append(FieldError("type_name", "Công văn không có tên loại văn bản."))
        if self.urgency not in URGENCIES:
            errors.append(FieldError("urgency", f"Mức độ khẩn {self.urgency!r} không hợp lệ."))
        if self.secrecy not in SECRECIES:
            errors.append(FieldError("secrecy", f"Độ mật {self.secrecy!r} không hợp lệ."))
        if self.signer_authority and not self.signer_authority.startswith(AUTHORITY_PREFIXES):
            errors.append(
                FieldError("signer_authority", "Quyền hạn người ký phải bắt đầu bằng TM., KT., Q., TL. hoặc TUQ.")
            )
        for name in ("issuer_name", "symbol_suffix", "place", "subject", "signer_title", "signer_name"):
            if not str(getattr(self, name)).strip():
                errors.append(FieldError(name, "Trường này là bắt buộc."))
        if errors:
            raise ValidationFailed(errors)


@dataclass(frozen=True)
class Placements:
    """The boxes left blank on a draft, in PDF points (origin bottom left; see :class:`Placement`)."""

    number: Placement
    date: Placement
    signature: Placement
    seal: Placement

    def as_json(self) -> dict:
        return {name: getattr(self, name).as_json() for name in ("number", "date", "signature", "seal")}

    @classmethod
    def from_json(cls, data: dict) -> Placements:
        return cls(**{name: Placement.from_json(data[name]) for name in ("number", "date", "signature", "seal")})


@dataclass(frozen=True)
class RenderedDraft:
    pdf: bytes
    placements: Placements
    pages: int


def number_text(number: int, symbol_suffix: str) -> str:
    """``15/QĐ-STP``; numbers below 10 get a leading zero (NĐ 30 Phụ lục I, mục II.3)."""
    if number < 1:
        raise ValueError("document numbers start at 1")
    return f"{number:02d}/{symbol_suffix}"


def date_line(place: str, day: dt.date) -> str:
    """``Sơn Nam, ngày 05 tháng 12 năm 2026``: days below 10 and the months 1 and 2 get a leading
    zero (NĐ 30 Phụ lục I, mục II.4)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"
