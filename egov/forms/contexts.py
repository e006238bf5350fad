"""The data each form needs, as frozen dataclasses: what a caller (the dossiers app) must supply.

One class per *kind* of form, not per form code: TT 01/2018 numbers its control slip 05 and the
2025 set numbers it 06, but both take a :class:`ControlSlipContext`. A template row names its kind,
so a new form set is data only. ``CONTEXT.md`` documents every field.

Fields without a default are required; a required field that is blank (``""``, ``None``, an empty
list) or of the wrong type raises :class:`~egov.forms.errors.IncompleteContext` naming every offending
field at once, so a form is never rendered half filled. Lists are stored as tuples; nested lines may
be given as dicts. :meth:`FormContext.from_mapping` builds a context from plain data (unknown keys are
refused, which catches typos). :meth:`FormContext.as_template_context` is what the template sees.

Datetimes should be aware (the ORM gives aware ones); a naive datetime is read as local time.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar, Self

from django.utils import timezone

from egov.core.errors import FieldError
from egov.forms.errors import IncompleteContext
from egov.forms.qr import qr_svg

__all__ = [
    "Timeliness",
    "ComponentLine",
    "HandoverLine",
    "RegisterRow",
    "FormContext",
    "ReceiptContext",
    "SupplementContext",
    "RefusalContext",
    "ApologyContext",
    "StopNoticeContext",
    "ControlSlipContext",
    "RegisterContext",
    "CONTEXT_CLASSES",
    "context_class",
]

_REQUIRED = "Bắt buộc, không được để trống."


class Timeliness(enum.StrEnum):
    """Result of a step against its time share (DOMAIN §5; the Mẫu 05 column)."""

    EARLY = "truoc_han"
    ON_TIME = "dung_han"
    LATE = "qua_han"

    @property
    def label(self) -> str:
        return {"truoc_han": "Trước hạn", "dung_han": "Đúng hạn", "qua_han": "Quá hạn"}[self.value]


# --- validation -------------------------------------------------------------------------------------


@cache
def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_required(f) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def _split_optional(hint) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        return (args[0] if len(args) == 1 else hint), optional
    return hint, False


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, (tuple, list)) and not value)
    )


def _coerce_item(item_type, item, path: str, errors: list[FieldError]):
    if is_dataclass(item_type):
        if isinstance(item, item_type):
            return item
        if isinstance(item, Mapping):
            try:
                return item_type.from_mapping(item)
            except IncompleteContext as exc:
                errors.extend(FieldError(f"{path}.{e.field}", e.message) for e in exc.errors)
                return None
        errors.append(FieldError(path, f"Phải là {item_type.__name__} hoặc dict."))
        return None
    if item_type is str and not isinstance(item, str):
        errors.append(FieldError(path, "Phải là chuỗi ký tự."))
    elif item_type is str and not item.strip():
        errors.append(FieldError(path, _REQUIRED))
    return item


def _check_value(hint, value, name: str, errors: list[FieldError]):
    """Type-check ``value`` against ``hint``; returns the value to store (lists become tuples)."""
    hint, optional = _split_optional(hint)
    if value is None:
        return value  # blank/required handled by the caller
    if typing.get_origin(hint) is tuple:
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            errors.append(FieldError(name, "Phải là một danh sách."))
            return value
        item_type = typing.get_args(hint)[0]
        return tuple(_coerce_item(item_type, item, f"{name}[{i}]", errors) for i, item in enumerate(value))
    if hint is datetime:
        if not isinstance(value, datetime):
            errors.append(FieldError(name, "Phải là ngày giờ (datetime)."))
    elif hint is date:
        if not isinstance(value, date):
            errors.append(FieldError(name, "Phải là ngày (date)."))
    elif hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(FieldError(name, "Phải là số nguyên."))
        elif value < 0:
            errors.append(FieldError(name, "Không được âm."))
    elif hint is str:
        if not isinstance(value, str):
            errors.append(FieldError(name, "Phải là chuỗi ký tự."))
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value) if value != "" else value
        except ValueError:
            allowed = ", ".join(m.value for m in hint)
            errors.append(FieldError(name, f"Giá trị không hợp lệ (chọn một trong: {allowed})."))
    return value


class _Checked:
    """Validation shared by the contexts and their lines (runs in ``__post_init__``)."""

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        hints = _hints(type(self))
        for f in fields(self):
            value = getattr(self, f.name)
            if _is_required(f) and _blank(value):
                errors.append(FieldError(f.name, _REQUIRED))
                continue
            checked = _check_value(hints[f.name], value, f.name, errors)
            if checked is not value:
                object.__setattr__(self, f.name, checked)
        errors.extend(self._check())
        if errors:
            raise IncompleteContext(errors)

    def _check(self) -> list[FieldError]:
        """Rules across fields; override in a subclass."""
        return []

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """Build from plain data, refusing unknown keys and naming every missing one."""
        names = {f.name for f in fields(cls)}
        errors = [FieldError(key, "Không có trường này trong biểu mẫu.") for key in sorted(set(data) - names)]
        errors += [FieldError(f.name, _REQUIRED) for f in fields(cls) if _is_required(f) and f.name not in data]
        if errors:
            raise IncompleteContext(errors)
        return cls(**data)


def _after(later: datetime | None, earlier: datetime | None, field: str, message: str) -> list[FieldError]:
    if isinstance(later, datetime) and isinstance(earlier, datetime):
        try:
            if later <= earlier:
                return [FieldError(field, message)]
        except TypeError:  # one naive, one aware
            return [FieldError(field, "Không so sánh được ngày giờ có và không có múi giờ.")]
    return []


# --- lines ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ComponentLine(_Checked):
    """One row of the table of dossier components (thành phần hồ sơ) on Mẫu 01."""

    name: str
    originals: int = 0  # bản chính
    certified_copies: int = 0  # bản sao chứng thực
    photocopies: int = 0  # bản sao (photo)

    @property
    def total(self) -> int:
        return self.originals + self.certified_copies + self.photocopies


@dataclass(frozen=True, kw_only=True)
class HandoverLine(_Checked):
    """One hand-over on the process control slip (Mẫu 05 of TT 01/2018, Mẫu 06 of the 2025 set)."""

    from_agency: str  # cơ quan, bộ phận giao
    to_agency: str  # cơ quan, bộ phận nhận
    handed_at: datetime  # thời gian giao, nhận hồ sơ
    giver_name: str = ""
    receiver_name: str = ""
    result: Timeliness | None = None  # None while the step is open; "truoc_han" etc. are accepted
    note: str = ""

    @property
    def result_label(self) -> str:
        return self.result.label if isinstance(self.result, Timeliness) else ""


@dataclass(frozen=True, kw_only=True, slots=True)
class RegisterRow:
    """One dossier in the tracking register (sổ theo dõi hồ sơ, Mẫu 06 / 2025 Mẫu 07).

    Light on purpose (slots, only cheap checks): the yearly register streams tens of thousands.
    """

    dossier_code: str
    applicant_name: str
    received_at: datetime
    summary: str = ""  # trích yếu nội dung
    address: str = ""
    phone: str = ""
    due_at: datetime | None = None
    returned_at: datetime | None = None
    receiving_officer: str = ""
    procedure_name: str = ""
    lead_agency: str = ""  # cơ quan chủ trì giải quyết
    notes: str = ""

    def __post_init__(self) -> None:
        errors = [FieldError(n, _REQUIRED) for n in ("dossier_code", "applicant_name") if not getattr(self, n)]
        for name in ("received_at", "due_at", "returned_at"):
            value = getattr(self, name)
            if value is None and name == "received_at":
                errors.append(FieldError(name, _REQUIRED))
            elif value is not None and not isinstance(value, datetime):
                errors.append(FieldError(name, "Phải là ngày giờ (datetime)."))
        if errors:
            raise IncompleteContext(errors)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RegisterRow:
        try:
            return cls(**data)
        except TypeError as exc:
            raise IncompleteContext(FieldError("row", str(exc))) from exc


# --- contexts ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FormContext(_Checked):
    """What every form shows in its header."""

    kind: ClassVar[str] = ""

    issuing_unit_name: str  # top left, bold: the unit issuing the form
    parent_unit_name: str = ""  # cơ quan chủ quản, the line above it (e.g. "UBND TỈNH SƠN NAM")
    place_name: str = ""  # địa danh before the date: "Sơn Nam, ngày ..."
    issued_on: date | None = None  # the form's date; each form has a sensible default

    def default_issued_on(self) -> date:
        return timezone.localdate()

    def as_template_context(self) -> dict[str, Any]:
        """The variables the template sees: every field, plus ``issued_on`` (filled), ``form_kind``
        and ``qr`` (a data URI of the QR code of ``lookup_url``, or ``""``)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        issued = data["issued_on"] or self.default_issued_on()
        data["issued_on"] = issued.date() if isinstance(issued, datetime) else issued
        data["form_kind"] = self.kind
        lookup_url = data.get("lookup_url") or ""
        data["qr"] = qr_svg(lookup_url) if lookup_url else ""
        return data


def _received_day(value: datetime | None) -> date:
    if value is None:
        return timezone.localdate()
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


@dataclass(frozen=True, kw_only=True)
class ReceiptContext(FormContext):
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    kind: ClassVar[str] = "receipt"

    agency_name: str  # the receiving unit (Bộ phận Một cửa / Trung tâm Phục vụ hành chính công)
    register_number: str  # số thứ tự in the tracking register (also the slip's "Số:")
    dossier_code: str
    applicant_name: str  # chủ hồ sơ
    address: str
    procedure_name: str  # nội dung yêu cầu giải quyết
    components: tuple[ComponentLine, ...]
    legal_time_text: str  # "15 ngày làm việc"
    received_at: datetime
    due_at: datetime  # hẹn trả kết quả
    officer_name: str  # người tiếp nhận
    lookup_url: str  # encoded in the QR code
    submitter_name: str = ""  # người nộp, when not the applicant
    phone: str = ""
    email: str = ""
    identity_number: str = ""  # số định danh cá nhân / mã số thuế
    sets_count: int = 1  # số lượng hồ sơ (bộ)
    register_book: str = ""  # quyển số
    result_delivery: str = ""  # "Tại Bộ phận Một cửa", "Qua dịch vụ bưu chính công ích"
    copy_label: str = ""  # "Liên 1: lưu", "Liên 2: giao người nộp"

    def default_issued_on(self) -> date:
        return _received_day(self.received_at)

    def _check(self) -> list[FieldError]:
        errors = _after(self.due_at, self.received_at, "due_at", "Hẹn trả kết quả phải sau thời điểm tiếp nhận.")
        if isinstance(self.sets_count, int) and self.sets_count < 1:
            errors.append(FieldError("sets_count", "Ít nhất 1 bộ hồ sơ."))
        return errors


@dataclass(frozen=True, kw_only=True)
class SupplementContext(FormContext):
    """Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (everything missing, listed at once)."""

    kind: ClassVar[str] = "supplement"

    agency_name: str
    applicant_name: str
    procedure_name: str
    items: tuple[str, ...]  # what to supplement, one per line
    reason: str
    officer_name: str  # người hướng dẫn
    officer_phone: str
    lookup_url: str  # where to look the dossier up (also the QR code)
    lookup_text: str = ""  # the same in words: "Cổng Dịch vụ công tỉnh Sơn Nam"
    address: str = ""
    phone: str = ""
    email: str = ""
    received_at: datetime | None = None
    document_number: str = ""
    # Blank for a dossier found incomplete at the counter: it is not received, no code is spent.
    dossier_code: str = ""


@dataclass(frozen=True, kw_only=True)
class RefusalContext(FormContext):
    """Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    kind: ClassVar[str] = "refusal"

    agency_name: str
    applicant_name: str
    procedure_name: str
    reason: str
    officer_name: str
    dossier_code: str = ""  # online dossiers have one; a paper dossier refused at the counter may not
    address: str = ""
    phone: str = ""
    email: str = ""
    received_at: datetime | None = None
    document_number: str = ""
    lookup_url: str = ""

    def default_issued_on(self) -> date:
        return _received_day(self.received_at)


@dataclass(frozen=True, kw_only=True)
class ApologyContext(FormContext):
    """Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả (2025: apology and extension request).

    Issued at least 1 working day before the due date, once per dossier, signed by the agency head.
    """

    kind: ClassVar[str] = "apology"

    agency_name: str  # the agency that apologises (in the text)
    addressee_name: str  # Kính gửi
    dossier_code: str
    procedure_name: str
    received_at: datetime
    original_due_at: datetime
    reason: str
    new_due_at: datetime
    signer_title: str  # "GIÁM ĐỐC", "CHỦ TỊCH"
    signer_name: str = ""  # blank: the head writes it by hand under the signature
    applicant_name: str = ""  # whose dossier, when not the addressee
    document_number: str = ""
    lookup_url: str = ""

    def _check(self) -> list[FieldError]:
        return _after(
            self.new_due_at, self.original_due_at, "new_due_at", "Ngày hẹn mới phải sau ngày hẹn trả ban đầu."
        )


@dataclass(frozen=True, kw_only=True)
class StopNoticeContext(FormContext):
    """2025 Mẫu 05: notice that processing of the dossier is stopped (status 8, Dừng xử lý). (verify)"""

    kind: ClassVar[str] = "stop_notice"

    agency_name: str
    addressee_name: str
    dossier_code: str
    procedure_name: str
    received_at: datetime
    reason: str
    signer_title: str
    signer_name: str = ""
    stopped_on: date | None = None
    legal_basis: str = ""
    document_number: str = ""
    lookup_url: str = ""

    def default_issued_on(self) -> date:
        return self.stopped_on or timezone.localdate()


@dataclass(frozen=True, kw_only=True)
class ControlSlipContext(FormContext):
    """Mẫu 05 (2025: Mẫu 06): Phiếu kiểm soát quá trình giải quyết hồ sơ, the table of hand-overs.

    ``handovers`` may be empty: the slip printed at reception is filled in by hand as it travels.
    """

    kind: ClassVar[str] = "control_slip"

    agency_name: str  # the one-stop unit that received the dossier
    dossier_code: str
    applicant_name: str
    procedure_name: str
    lead_agency_name: str  # cơ quan (bộ phận) giải quyết hồ sơ
    received_at: datetime
    due_at: datetime
    handovers: tuple[HandoverLine, ...] = ()
    coordinating_agencies: str = ""  # cơ quan phối hợp
    blank_rows: int = 2  # empty rows printed after the recorded hand-overs, for the next ones
    lookup_url: str = ""

    def default_issued_on(self) -> date:
        return _received_day(self.received_at)

    def as_template_context(self) -> dict[str, Any]:
        """Adds ``blank_row_numbers``: the row numbers of the empty rows (templates cannot count)."""
        data = super().as_template_context()
        first = len(self.handovers) + 1
        data["blank_row_numbers"] = range(first, first + self.blank_rows)
        return data


@dataclass(frozen=True, kw_only=True)
class RegisterContext(FormContext):
    """Mẫu 06 (2025: Mẫu 07): Sổ theo dõi hồ sơ, as a PDF. For long periods use the Excel version."""

    kind: ClassVar[str] = "register"

    period_text: str  # "Năm 2026", "Tháng 3 năm 2026"
    rows: tuple[RegisterRow, ...] = ()
    title: str = "SỔ THEO DÕI HỒ SƠ"


CONTEXT_CLASSES: dict[str, type[FormContext]] = {
    cls.kind: cls
    for cls in (
        ReceiptContext,
        SupplementContext,
        RefusalContext,
        ApologyContext,
        StopNoticeContext,
        ControlSlipContext,
        RegisterContext,
    )
}


def context_class(kind: str) -> type[FormContext]:
    return CONTEXT_CLASSES[kind]
