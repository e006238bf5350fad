"""The JSON exchange document of the catalogue (``EXCEL_TEMPLATE.md``, last section).

``{"format": "egov-catalogue", "version": 1, "fields": [...], "procedures": [...]}``, each procedure
in the shape of :func:`egov.catalogue.specs.spec_to_dict`. Errors are placed by JSON path:
``procedures[3].components[0].name`` (positions from 0, as in the file).
"""

from __future__ import annotations

from typing import Any

from egov.catalogue.exchange import (
    BadValue,
    JsonLocator,
    Parsed,
    RowError,
    parse_bool,
    parse_choice,
    parse_choices,
    parse_decimal,
    parse_int,
    parse_money,
    parse_text,
)
from egov.catalogue.models import ApplicantType, Channel, DurationUnit, FeeKind, Level, OnlineLevel
from egov.catalogue.specs import (
    JSON_FORMAT,
    JSON_VERSION,
    ComponentSpec,
    DurationSpec,
    FeeSpec,
    FieldSpec,
    ProcedureSpec,
    ResultSpec,
    field_to_dict,
    spec_to_dict,
)

__all__ = ["read", "write"]


def write(fields: list[FieldSpec], specs: list[ProcedureSpec]) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "fields": [field_to_dict(f) for f in fields],
        "procedures": [spec_to_dict(s) for s in specs],
    }


class _Locator(JsonLocator):
    """Positions in the file, when items that could not be read at all were left out of the specs."""

    def __init__(self) -> None:
        self.field_positions: list[int] = []
        self.procedure_positions: list[int] = []
        self.child_positions: list[dict[str, str]] = []  # per procedure: "components[1]" -> "components[2]"

    def field(self, index: int, path: str, reason: str) -> RowError:
        return RowError.json("fields", self.field_positions[index], path, reason)

    def procedure(self, index: int, path: str, reason: str) -> RowError:
        head, dot, tail = path.partition(".")
        head = self.child_positions[index].get(head, head)
        return RowError.json("procedures", self.procedure_positions[index], f"{head}{dot}{tail}", reason)


class _Item:
    """Reads the values of one JSON object, collecting an error per bad value."""

    def __init__(self, items: str, index: int, data: dict, errors: list[RowError], prefix: str = "") -> None:
        self.items, self.index, self.data, self.errors, self.prefix = items, index, data, errors, prefix
        self.ok = True

    def __call__(self, key: str, parse, *args, **kwargs):
        try:
            return parse(self.data.get(key), *args, **kwargs)
        except BadValue as exc:
            self.ok = False
            self.errors.append(RowError.json(self.items, self.index, f"{self.prefix}{key}", str(exc)))
            return None

    def text(self, key: str, *, multiline: bool = False) -> str:
        return self(key, parse_text, multiline=multiline) or ""

    def objects(self, key: str) -> list[tuple[int, dict]]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.ok = False
            self.errors.append(RowError.json(self.items, self.index, f"{self.prefix}{key}", "Phải là một danh sách."))
            return []
        result = []
        for position, entry in enumerate(value):
            if key == "agencies" and isinstance(entry, str):
                entry = {"code": entry}
            elif key == "results" and isinstance(entry, str):
                entry = {"name": entry}
            if isinstance(entry, dict):
                result.append((position, entry))
            else:
                self.ok = False
                message = "Phải là mã cơ quan (chuỗi)." if key == "agencies" else "Phải là một đối tượng JSON."
                self.errors.append(RowError.json(self.items, self.index, f"{key}[{position}]", message))
        return result


def _list_error(errors: list[RowError], reason: str) -> None:
    errors.append(RowError.file(reason))


def read(data: Any) -> Parsed:
    """Read a decoded JSON document. Never raises for bad content: see ``errors``."""
    locator = _Locator()
    parsed = Parsed(locator=locator)
    errors = parsed.errors
    if not isinstance(data, dict):
        _list_error(errors, "Tài liệu JSON phải là một đối tượng có danh sách 'procedures'.")
        return parsed
    if data.get("format", JSON_FORMAT) != JSON_FORMAT:
        _list_error(errors, f"Trường 'format' phải là '{JSON_FORMAT}'.")
    if data.get("version", JSON_VERSION) != JSON_VERSION:
        _list_error(errors, f"Phiên bản {data.get('version')!r} chưa được hỗ trợ (chỉ có phiên bản {JSON_VERSION}).")
    fields, procedures = data.get("fields", []), data.get("procedures")
    if not isinstance(fields, list):
        _list_error(errors, "Trường 'fields' phải là một danh sách.")
        fields = []
    if not isinstance(procedures, list):
        _list_error(errors, "Thiếu danh sách 'procedures'.")
        procedures = []

    for position, entry in enumerate(fields):
        if not isinstance(entry, dict):
            errors.append(RowError.json("fields", position, "", "Phải là một đối tượng JSON."))
            continue
        item = _Item("fields", position, entry, errors)
        parsed.fields.append(FieldSpec(item.text("code"), item.text("name"), item.text("managing_sector")))
        locator.field_positions.append(position)

    for position, entry in enumerate(procedures):
        if not isinstance(entry, dict):
            errors.append(RowError.json("procedures", position, "", "Phải là một đối tượng JSON."))
            continue
        spec, children = _procedure(position, entry, errors)
        if entry.get("effective_from") not in (None, ""):
            effective_from = _effective_from(position, entry["effective_from"], errors)
            if effective_from is not None:
                parsed.versions[len(parsed.procedures)] = (effective_from, str(entry.get("decision") or ""))
        parsed.procedures.append(spec)
        locator.procedure_positions.append(position)
        locator.child_positions.append(children)
    return parsed


def _effective_from(position: int, value: Any, errors: list[RowError]):
    """``"2026-07-01"``: the date a new version of the procedure takes effect (item 22)."""
    from datetime import date

    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(
            RowError.json("procedures", position, "effective_from", "Ngày có hiệu lực phải có dạng YYYY-MM-DD.")
        )
        return None


def _procedure(position: int, entry: dict, errors: list[RowError]) -> tuple[ProcedureSpec, dict[str, str]]:
    item = _Item("procedures", position, entry, errors)
    children: dict[str, str] = {}

    def child(key: str, parse_one) -> tuple:
        specs = []
        for file_position, data in item.objects(key):
            reader = _Item("procedures", position, data, errors, prefix=f"{key}[{file_position}].")
            spec = parse_one(reader)
            if reader.ok:
                children[f"{key}[{len(specs)}]"] = f"{key}[{file_position}]"
                specs.append(spec)
        return tuple(specs)

    code, name, field = item.text("code"), item.text("name"), item.text("field")
    levels = item("levels", parse_choices, Level, what="cấp thực hiện") or ()
    online_level = item("online_level", parse_choice, OnlineLevel, what="mức độ dịch vụ công trực tuyến") or ""
    mot_phan_reason = item.text("mot_phan_reason", multiline=True)
    applicant_types = item("applicant_types", parse_choices, ApplicantType, what="đối tượng") or ()
    channels = item("channels", parse_choices, Channel, what="cách thức nộp") or ()
    texts = {
        key: item.text(key, multiline=True) for key in ("steps", "requirements", "legal_basis", "result_description")
    }
    is_active = item("is_active", parse_bool, default=True)
    components = child(
        "components",
        lambda r: ComponentSpec(
            name=r.text("name"),
            originals=r("originals", parse_int) or 0,
            certified_copies=r("certified_copies", parse_int) or 0,
            photocopies=r("photocopies", parse_int) or 0,
            required=r("required", parse_bool, default=True) is not False,
            template=r.text("template"),
            note=r.text("note"),
        ),
    )
    durations = child(
        "durations",
        lambda r: DurationSpec(
            channel=r("channel", parse_choice, Channel, what="kênh nộp"),
            amount=r("amount", parse_decimal),
            unit=r("unit", parse_choice, DurationUnit, what="đơn vị tính"),
            note=r.text("note"),
        ),
    )
    fees = child(
        "fees",
        lambda r: FeeSpec(
            kind=r("kind", parse_choice, FeeKind, what="loại phí, lệ phí"),
            name=r.text("name"),
            amount=r("amount", parse_money),
            note=r.text("note"),
        ),
    )
    results = child("results", lambda r: ResultSpec(name=r.text("name")))
    agencies = child("agencies", lambda r: r.text("code"))
    spec = ProcedureSpec(
        code=code,
        name=name,
        field=field,
        levels=levels,
        agencies=agencies,
        online_level=online_level,
        mot_phan_reason=mot_phan_reason,
        applicant_types=applicant_types,
        channels=channels,
        **texts,
        is_active=True if is_active is None else is_active,
        components=components,
        durations=durations,
        fees=fees,
        results=results,
    )
    return spec, children
