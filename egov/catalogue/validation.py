"""Validation of fields and procedure specs: one set of rules for the admin, the API and every import.

Each problem is a :class:`~egov.core.errors.FieldError` naming its field; children are named by
position (``components[2].name``) so an importer can point at the row it came from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import filetype
from django.core.files import File
from django.db.models import Q

from egov.catalogue import codes
from egov.catalogue.models import ApplicantType, Channel, DurationUnit, FeeKind, Field, Level, OnlineLevel
from egov.catalogue.specs import FieldSpec, ProcedureSpec
from egov.catalogue.text import clean_text
from egov.core.errors import FieldError
from egov.organisations.models import Organisation

__all__ = [
    "MOT_PHAN_REASON_REQUIRED_FROM",
    "Lookups",
    "normalise_field",
    "validate_field",
    "normalise",
    "validate",
    "canonical",
]

# DOMAIN §3 (verify): from 1/7/2026 toàn trình is the default and a một phần service must say why.
MOT_PHAN_REASON_REQUIRED_FROM = date(2026, 7, 1)
MAX_NAME = 1000
MAX_LABEL = 500
MAX_NOTE = 1000
MAX_TEXT = 32_000  # an Excel cell holds 32,767 characters: every text must survive an export
MAX_COUNT = 99
MAX_DURATION = Decimal("99999.99")
TEMPLATE_DIR = "catalogue/templates/"
TEMPLATE_EXTENSIONS = frozenset({"doc", "docx", "odt", "rtf", "pdf", "xls", "xlsx", "ods"})
TEMPLATE_MAX_BYTES = 10 * 1024 * 1024
_TEMPLATE_NAME = re.compile(r"^catalogue/templates/[^/\\]{1,200}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_field(spec: FieldSpec) -> FieldSpec:
    return FieldSpec(
        code=clean_text(spec.code), name=clean_text(spec.name), managing_sector=clean_text(spec.managing_sector)
    )


def validate_field(spec: FieldSpec) -> list[FieldError]:
    errors = []
    if not spec.code:
        errors.append(FieldError("code", "Mã lĩnh vực không được để trống."))
    else:
        try:
            codes.validate_field_code(spec.code)
        except codes.InvalidCode as exc:
            errors.append(FieldError("code", str(exc)))
    if not spec.name:
        errors.append(FieldError("name", "Tên lĩnh vực không được để trống."))
    elif len(spec.name) > 255:
        errors.append(FieldError("name", "Tên lĩnh vực quá dài (tối đa 255 ký tự)."))
    if len(spec.managing_sector) > 255:
        errors.append(FieldError("managing_sector", "Tên cơ quan quản lý ngành quá dài (tối đa 255 ký tự)."))
    for name in ("code", "name", "managing_sector"):
        if _CONTROL.search(getattr(spec, name)):
            errors.append(FieldError(name, "Có ký tự điều khiển không hợp lệ."))
    return errors


def normalise(spec: ProcedureSpec) -> ProcedureSpec:
    """Trimmed, NFC text; the shape is kept so errors still point at the right item."""
    one = clean_text

    def many(value: str) -> str:
        return clean_text(value, multiline=True)

    return replace(
        spec,
        code=one(spec.code),
        name=one(spec.name),
        field=one(spec.field),
        levels=tuple(spec.levels),
        agencies=tuple(one(a) for a in spec.agencies),
        online_level=one(spec.online_level),
        mot_phan_reason=many(spec.mot_phan_reason),
        applicant_types=tuple(spec.applicant_types),
        channels=tuple(spec.channels),
        steps=many(spec.steps),
        requirements=many(spec.requirements),
        legal_basis=many(spec.legal_basis),
        result_description=many(spec.result_description),
        components=tuple(
            replace(
                c,
                name=one(c.name),
                note=one(c.note),
                template=one(c.template) if isinstance(c.template, str) else c.template,
            )
            for c in spec.components
        ),
        durations=tuple(replace(d, note=one(d.note), unit=one(d.unit)) for d in spec.durations),
        fees=tuple(replace(f, name=one(f.name), note=one(f.note), kind=one(f.kind)) for f in spec.fees),
        results=tuple(replace(r, name=one(r.name)) for r in spec.results),
    )


class Lookups:
    """Fields and agencies named by a batch of specs, read in two queries."""

    def __init__(self, specs: Iterable[ProcedureSpec], *, pending_fields: Iterable[str] = ()) -> None:
        specs = list(specs)
        field_codes = {s.field for s in specs if s.field}
        self.fields = {f.code: f for f in Field.objects.filter(code__in=field_codes)} if field_codes else {}
        self.pending_fields = set(pending_fields)
        agency_codes = {c for s in specs for c in s.agencies if c}
        self.agencies: dict[str, Organisation] = {}
        if agency_codes:
            for org in Organisation.objects.filter(Q(code__in=agency_codes) | Q(legacy_code__in=agency_codes)):
                for code in (org.code, org.legacy_code):
                    if code:
                        self.agencies[code] = org

    def has_field(self, code: str) -> bool:
        return code in self.fields or code in self.pending_fields


def _text_errors(errors: list[FieldError], path: str, value: str, *, limit: int, label: str) -> None:
    if len(value) > limit:
        errors.append(FieldError(path, f"{label} quá dài (tối đa {limit:,} ký tự).".replace(",", ".")))
    if _CONTROL.search(value):
        errors.append(FieldError(path, f"{label} có ký tự điều khiển không hợp lệ."))


def _choice_errors(errors, path, values, choices, *, label, label_one, require) -> None:
    if not values:
        if require:
            errors.append(FieldError(path, f"Cần ít nhất một {label_one}."))
        return
    seen = set()
    for value in values:
        if value not in choices.values:
            errors.append(FieldError(path, f"{label} '{value}' không hợp lệ."))
        elif value in seen:
            errors.append(FieldError(path, f"{label} '{value}' bị lặp lại."))
        seen.add(value)


def _template_errors(errors: list[FieldError], path: str, template: str | File) -> None:
    if isinstance(template, str):
        if template and (not _TEMPLATE_NAME.fullmatch(template) or ".." in template):
            errors.append(FieldError(path, f"Tệp mẫu phải nằm trong thư mục {TEMPLATE_DIR}, không phải '{template}'."))
        return
    name = os.path.basename(template.name or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TEMPLATE_EXTENSIONS:
        allowed = ", ".join(sorted(TEMPLATE_EXTENSIONS))
        errors.append(FieldError(path, f"Tệp mẫu '{name}' phải có đuôi {allowed}."))
        return
    if template.size is not None and template.size > TEMPLATE_MAX_BYTES:
        errors.append(FieldError(path, "Tệp mẫu quá lớn (tối đa 10 MB)."))
        return
    template.seek(0)
    kind = filetype.guess_extension(template.read(8192))
    template.seek(0)
    if kind not in TEMPLATE_EXTENSIONS:
        errors.append(FieldError(path, f"Nội dung tệp '{name}' không phải văn bản, bảng tính hoặc PDF."))


def validate(spec: ProcedureSpec, *, lookups: Lookups, today: date) -> list[FieldError]:
    """Every problem of ``spec``, each naming its field (``components[2].name`` for children)."""
    errors: list[FieldError] = []
    add = lambda path, message: errors.append(FieldError(path, message))  # noqa: E731

    if not spec.code:
        add("code", "Mã thủ tục không được để trống.")
    else:
        try:
            codes.validate_procedure_code(spec.code)
        except codes.InvalidCode as exc:
            add("code", str(exc))
    if not spec.name:
        add("name", "Tên thủ tục không được để trống.")
    else:
        _text_errors(errors, "name", spec.name, limit=MAX_NAME, label="Tên thủ tục")
    if not spec.field:
        add("field", "Cần chọn lĩnh vực.")
    elif not lookups.has_field(spec.field):
        add("field", f"Không tìm thấy lĩnh vực có mã '{spec.field}'.")

    _choice_errors(errors, "levels", spec.levels, Level, label="Cấp thực hiện", label_one="cấp thực hiện", require=True)
    if not spec.agencies:
        add("agencies", "Cần ít nhất một cơ quan thực hiện.")
    seen_agencies: dict[int, str] = {}
    for i, code in enumerate(spec.agencies):
        org = lookups.agencies.get(code)
        if org is None:
            add(f"agencies[{i}]", f"Không tìm thấy cơ quan có mã định danh '{code}'.")
        elif not org.is_agency:
            add(f"agencies[{i}]", f"{org.name} ({code}) là phòng, bộ phận, không phải cơ quan thực hiện thủ tục.")
        elif org.pk in seen_agencies:
            add(f"agencies[{i}]", f"Cơ quan {org.name} ({code}) bị lặp lại.")
        else:
            seen_agencies[org.pk] = code

    if spec.online_level not in OnlineLevel.values:
        add("online_level", f"Mức độ dịch vụ công trực tuyến '{spec.online_level}' không hợp lệ.")
    if spec.online_level == OnlineLevel.MOT_PHAN:
        if not spec.mot_phan_reason and today >= MOT_PHAN_REASON_REQUIRED_FROM:
            add(
                "mot_phan_reason",
                "Dịch vụ công trực tuyến một phần phải nêu lý do (bắt buộc từ ngày "
                f"{MOT_PHAN_REASON_REQUIRED_FROM:%d/%m/%Y}).",
            )
    elif spec.mot_phan_reason:
        add("mot_phan_reason", "Chỉ ghi lý do khi dịch vụ công trực tuyến là một phần.")
    _text_errors(errors, "mot_phan_reason", spec.mot_phan_reason, limit=MAX_TEXT, label="Lý do")

    _choice_errors(
        errors,
        "applicant_types",
        spec.applicant_types,
        ApplicantType,
        label="Đối tượng",
        label_one="đối tượng thực hiện",
        require=True,
    )
    _choice_errors(
        errors, "channels", spec.channels, Channel, label="Cách thức nộp", label_one="cách thức nộp hồ sơ", require=True
    )
    for name, label in (
        ("steps", "Trình tự thực hiện"),
        ("requirements", "Yêu cầu, điều kiện"),
        ("legal_basis", "Căn cứ pháp lý"),
        ("result_description", "Kết quả thực hiện"),
    ):
        _text_errors(errors, name, getattr(spec, name), limit=MAX_TEXT, label=label)

    component_names: set[str] = set()
    for i, c in enumerate(spec.components):
        path = f"components[{i}]"
        if not c.name:
            add(f"{path}.name", "Tên thành phần hồ sơ không được để trống.")
        else:
            _text_errors(errors, f"{path}.name", c.name, limit=MAX_LABEL, label="Tên thành phần hồ sơ")
            if c.name in component_names:
                add(f"{path}.name", f"Thành phần hồ sơ '{c.name}' bị lặp lại.")
            component_names.add(c.name)
        for count in ("originals", "certified_copies", "photocopies"):
            value = getattr(c, count)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
                add(f"{path}.{count}", f"Số bản phải là số nguyên từ 0 đến {MAX_COUNT}.")
        _template_errors(errors, f"{path}.template", c.template)
        _text_errors(errors, f"{path}.note", c.note, limit=MAX_NOTE, label="Ghi chú")

    channels_seen: set[int] = set()
    for i, d in enumerate(spec.durations):
        path = f"durations[{i}]"
        if d.channel not in Channel.values:
            add(f"{path}.channel", f"Kênh nộp '{d.channel}' không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính).")
        elif d.channel in channels_seen:
            add(f"{path}.channel", f"Thời hạn cho kênh {Channel(d.channel).label.lower()} bị lặp lại.")
        channels_seen.add(d.channel)
        amount = d.amount
        if not isinstance(amount, Decimal) or not amount.is_finite():
            add(f"{path}.amount", "Thời hạn phải là số.")
        elif amount <= 0 or amount > MAX_DURATION:
            add(f"{path}.amount", "Thời hạn phải lớn hơn 0 và không quá 99.999,99.")
        elif amount.normalize().as_tuple().exponent < -2:
            add(f"{path}.amount", "Thời hạn có tối đa 2 chữ số thập phân.")
        elif d.unit == DurationUnit.CALENDAR_DAYS and amount != amount.to_integral_value():
            add(f"{path}.amount", "Thời hạn tính theo ngày (lịch) phải là số nguyên.")
        if d.unit not in DurationUnit.values:
            add(f"{path}.unit", f"Đơn vị tính '{d.unit}' không hợp lệ (working_days, working_hours, calendar_days).")
        _text_errors(errors, f"{path}.note", d.note, limit=MAX_NOTE, label="Ghi chú")

    for i, f in enumerate(spec.fees):
        path = f"fees[{i}]"
        if f.kind not in FeeKind.values:
            add(f"{path}.kind", f"Loại '{f.kind}' không hợp lệ (fee: phí, charge: lệ phí).")
        if not f.name:
            add(f"{path}.name", "Tên phí, lệ phí không được để trống.")
        else:
            _text_errors(errors, f"{path}.name", f.name, limit=MAX_LABEL, label="Tên phí, lệ phí")
        if not isinstance(f.amount, int) or isinstance(f.amount, bool) or not 0 <= f.amount <= 10**12:
            add(f"{path}.amount", "Mức thu phải là số đồng, số nguyên không âm.")
        _text_errors(errors, f"{path}.note", f.note, limit=MAX_NOTE, label="Ghi chú")

    for i, r in enumerate(spec.results):
        if not r.name:
            add(f"results[{i}].name", "Tên giấy tờ kết quả không được để trống.")
        else:
            _text_errors(errors, f"results[{i}].name", r.name, limit=MAX_LABEL, label="Tên giấy tờ kết quả")
    return errors


def canonical(spec: ProcedureSpec, lookups: Lookups) -> ProcedureSpec:
    """A valid spec in stored form: choices in their listed order, agencies by identifier, durations
    by channel, amounts to 2 decimals (compares equal to :func:`spec_from_procedure`)."""
    return replace(
        spec,
        levels=tuple(str(v) for v in Level if v in spec.levels),
        applicant_types=tuple(str(v) for v in ApplicantType if v in spec.applicant_types),
        channels=tuple(int(v) for v in Channel if v in spec.channels),
        agencies=tuple(sorted({lookups.agencies[c].identifier for c in spec.agencies})),
        durations=tuple(
            replace(d, channel=int(d.channel), amount=d.amount.quantize(Decimal("0.01")))
            for d in sorted(spec.durations, key=lambda d: d.channel)
        ),
    )
