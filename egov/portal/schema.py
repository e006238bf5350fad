"""Online forms defined as data: a subset of JSON Schema (draft 2020-12) that administrators edit and
that both the server (``validate``, with the ``jsonschema`` library) and the browser (the HTML
constraint attributes of ``fields``) enforce."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from egov.core.errors import FieldError

__all__ = ["DEFAULT_SCHEMA", "FieldSpec", "check_schema", "fields", "coerce", "validate"]

SUPPORTED_TYPES = {"string", "integer", "number", "boolean"}
SUPPORTED_FORMATS = {"date", "email"}
TYPE_LABELS = {"integer": "một số nguyên", "number": "một số", "boolean": "có hoặc không", "string": "chữ"}

#: The form of a procedure for which administrators have defined none.
DEFAULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "matter": {
            "title": "Nội dung yêu cầu giải quyết",
            "type": "string",
            "minLength": 5,
            "maxLength": 500,
            "description": "Ghi rõ việc Ông/Bà đề nghị cơ quan giải quyết.",
        }
    },
    "required": ["matter"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    type: str
    required: bool
    description: str = ""
    enum: tuple = ()
    format: str = ""
    pattern: str = ""
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    attrs: dict = field(default_factory=dict)

    @property
    def widget(self) -> str:
        if self.enum:
            return "select"
        if self.type == "boolean":
            return "checkbox"
        if self.type == "string" and (self.max_length or 0) > 200:
            return "textarea"
        return "input"

    @property
    def input_type(self) -> str:
        if self.type in ("integer", "number"):
            return "number"
        return {"date": "date", "email": "email"}.get(self.format, "text")


def check_schema(schema: Any) -> list[str]:
    """What is wrong with a schema an administrator wrote (Vietnamese), or nothing."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return ['Lược đồ phải là một đối tượng JSON có "type": "object".']
    problems = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        problems.append(f"Lược đồ không hợp lệ theo JSON Schema: {exc.message}")
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        return [*problems, 'Lược đồ cần "properties" với ít nhất một trường.']
    for name, spec in properties.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,49}", name):
            problems.append(f"Tên trường '{name}' chỉ gồm chữ thường không dấu, số và '_', bắt đầu bằng chữ.")
        if not isinstance(spec, dict):
            problems.append(f"Trường '{name}' phải là một đối tượng.")
            continue
        if spec.get("type") not in SUPPORTED_TYPES:
            problems.append(f"Trường '{name}': \"type\" phải là một trong {', '.join(sorted(SUPPORTED_TYPES))}.")
        if not str(spec.get("title", "")).strip():
            problems.append(f"Trường '{name}' cần \"title\" (nhãn hiển thị cho người dân).")
        if spec.get("format") and spec["format"] not in SUPPORTED_FORMATS:
            problems.append(f"Trường '{name}': \"format\" chỉ nhận date hoặc email.")
        if "pattern" in spec:
            try:
                re.compile(spec["pattern"])
            except re.error as exc:
                problems.append(f"Trường '{name}': biểu thức \"pattern\" sai ({exc}).")
    for name in schema.get("required", []):
        if name not in properties:
            problems.append(f"Trường bắt buộc '{name}' không có trong \"properties\".")
    return problems


def fields(schema: Mapping[str, Any]) -> list[FieldSpec]:
    """The fields in the order the schema lists them, with the HTML attributes that make the browser
    check the same constraints as the server."""
    required = set(schema.get("required", []))
    result = []
    for name, spec in schema.get("properties", {}).items():
        attrs: dict[str, Any] = {}
        if name in required and spec.get("type") != "boolean":
            attrs["required"] = True
        if "minLength" in spec:
            attrs["minlength"] = spec["minLength"]
        if "maxLength" in spec:
            attrs["maxlength"] = spec["maxLength"]
        if "pattern" in spec:
            attrs["pattern"] = spec["pattern"]
        if "minimum" in spec:
            attrs["min"] = spec["minimum"]
        if "maximum" in spec:
            attrs["max"] = spec["maximum"]
        if spec.get("type") == "integer":
            attrs["step"] = 1
        elif spec.get("type") == "number":
            attrs["step"] = "any"
        result.append(
            FieldSpec(
                name=name,
                title=spec.get("title", name),
                type=spec.get("type", "string"),
                required=name in required,
                description=spec.get("description", ""),
                enum=tuple(spec.get("enum", ())),
                format=spec.get("format", ""),
                pattern=spec.get("pattern", ""),
                min_length=spec.get("minLength"),
                max_length=spec.get("maxLength"),
                minimum=spec.get("minimum"),
                maximum=spec.get("maximum"),
                attrs=attrs,
            )
        )
    return result


def coerce(schema: Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Form posts are strings: give each known field its schema type where it reads as one (what does
    not is kept as typed, so ``validate`` reports it). Empty fields are left out; unknown ones too."""
    data: dict[str, Any] = {}
    for name, spec in schema.get("properties", {}).items():
        kind = spec.get("type")
        value = raw.get(name)
        if kind == "boolean":
            data[name] = value in (True, "on", "true", "1", 1)
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            value = value.strip()
            try:
                if kind == "integer":
                    value = int(value)
                elif kind == "number":
                    value = float(value.replace(",", "."))
            except ValueError:
                pass
        data[name] = value
    return data


def _message(error, spec: Mapping[str, Any]) -> str:
    title = spec.get("title", "Trường này")
    custom = spec.get("x-error")
    kind = error.validator
    if custom and kind in ("pattern", "format"):
        return custom
    if kind == "type":
        return f"{title} phải là {TYPE_LABELS.get(spec.get('type'), spec.get('type'))}."
    if kind == "format":
        if spec.get("format") == "date":
            return f"{title} không phải là ngày hợp lệ."
        return f"{title} không phải là địa chỉ thư điện tử hợp lệ."
    if kind == "pattern":
        return f"{title} không đúng định dạng."
    if kind == "minLength":
        return f"{title} cần ít nhất {error.validator_value} ký tự."
    if kind == "maxLength":
        return f"{title} tối đa {error.validator_value} ký tự."
    if kind == "minimum":
        return f"{title} phải từ {error.validator_value} trở lên."
    if kind == "maximum":
        return f"{title} không được lớn hơn {error.validator_value}."
    if kind == "const" and spec.get("type") == "boolean":
        return f"Cần đánh dấu ô “{title}”."
    if kind in ("enum", "const"):
        return f"{title}: hãy chọn một trong các giá trị cho sẵn."
    return f"{title} không hợp lệ."


def validate(schema: Mapping[str, Any], data: Mapping[str, Any], *, prefix: str = "data") -> list[FieldError]:
    """Every problem with ``data``, each naming its field (``data.<name>``), in Vietnamese."""
    properties = schema.get("properties", {})
    errors: list[FieldError] = []
    validator = Draft202012Validator(schema, format_checker=FormatChecker(formats=SUPPORTED_FORMATS))
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        if error.validator == "required":
            for name in schema.get("required", []):
                if name not in data:
                    title = properties.get(name, {}).get("title", name)
                    errors.append(FieldError(f"{prefix}.{name}", f"{title} không được để trống."))
            continue
        if error.validator == "additionalProperties":
            for name in sorted(set(data) - set(properties)):
                errors.append(FieldError(f"{prefix}.{name}", f"Trường '{name}' không có trong tờ khai."))
            continue
        name = str(error.path[0]) if error.path else ""
        errors.append(FieldError(f"{prefix}.{name}" if name else prefix, _message(error, properties.get(name, {}))))
    # One message per field: the first is enough to act on.
    seen: set[str] = set()
    return [e for e in errors if not (e.field in seen or seen.add(e.field))]
