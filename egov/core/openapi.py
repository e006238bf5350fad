"""The API's OpenAPI document: every operation declares the errors it answers, and no schema name is
used for two shapes.

django-ninja documents only the statuses a handler returns itself; the errors that
``egov.core.api_errors`` maps from exceptions would go undeclared. They follow from what an operation
is, so they are added here from its shape rather than by hand on each of its 43 handlers:

- 400 — the request could not be read (malformed JSON or multipart, NUL bytes) or a plain
  ``DomainError``: every operation that takes input;
- 401, 403 — no or a refused bearer token / session, CSRF, the policy refuses: every operation with
  ``auth=``;
- 404 — the object named in the path does not exist: every operation with a path parameter;
- 422 — a field is invalid (``ValidationFailed``, pydantic): every operation that takes input;
- 503 — the database is unavailable: every operation (they all read it).

409 (``Conflict``) and 429 (``Throttled``) depend on what the service does, so handlers declare them
in their ``response=`` with :func:`errors`. The fuzzing run (``scripts/fuzz_api.sh``) checks that every
status the API answers is declared.

ninja collects each model's ``$defs`` into one ``components.schemas`` dictionary keyed by class name,
silently keeping the last of two models called ``ComponentOut``; :class:`StrictOpenAPISchema` refuses
that, so a collision fails ``make openapi`` and the test that the committed document is current.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.params.models import PathModel
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import ConfigDict

__all__ = ["ErrorOut", "FieldErrorOut", "errors", "EgovNinjaAPI", "SchemaNameCollision"]


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """The shared error shape (``egov.core.errors.DomainError.as_dict``).

    Some errors add details, e.g. ``current_status`` for an invalid transition.
    """

    model_config = ConfigDict(extra="allow", title="ErrorOut")

    code: str
    message: str
    errors: list[FieldErrorOut] | None = None


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response={201: DossierOut, **errors(409)}``: statuses that this operation's service may answer."""
    return dict.fromkeys(statuses, ErrorOut)


ERROR_DESCRIPTIONS = {
    400: "Yêu cầu không đọc được (JSON, multipart hoặc ký tự không hợp lệ).",
    401: "Chưa đăng nhập, hoặc mã truy cập không hợp lệ, đã hết hạn hay đã bị thu hồi.",
    403: "Không có quyền thực hiện thao tác này (hoặc thiếu mã CSRF khi dùng phiên đăng nhập).",
    404: "Không tìm thấy đối tượng.",
    409: "Xung đột: thao tác không thực hiện được ở trạng thái hiện tại.",
    422: "Dữ liệu không hợp lệ; ``errors`` nêu từng trường.",
    429: "Quá nhiều yêu cầu; thử lại sau.",
    503: "Hệ thống tạm thời không truy cập được cơ sở dữ liệu; thử lại sau (xem ``Retry-After``).",
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


class SchemaNameCollision(Exception):
    pass


def _implied_statuses(operation) -> set[int]:
    statuses = {503}
    takes_input = bool(operation.models)
    if takes_input:
        statuses |= {400, 422}
    if operation.auth_callbacks:
        statuses |= {401, 403}
    if any(issubclass(model, PathModel) for model in operation.models):
        statuses.add(404)
    return statuses


class StrictOpenAPISchema(OpenAPISchema):
    def responses(self, operation) -> dict[int, Any]:
        result = super().responses(operation)
        declared = {status for status in operation.response_models if isinstance(status, int)}
        for status in sorted(_implied_statuses(operation) | declared):
            if status < 400:
                continue
            # Every error has the one shape, whichever model the handler named for it.
            result[status] = {
                "description": ERROR_DESCRIPTIONS.get(status, "Lỗi."),
                "content": {self.api.renderer.media_type: {"schema": dict(_ERROR_REF)}},
            }
        if any(status >= 400 for status in result):
            self._add_error_schemas()
        return result

    def _add_error_schemas(self) -> None:
        schema = ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
        )
        definitions = schema.pop("$defs", {})
        definitions["ErrorOut"] = schema
        self.add_schema_definitions(definitions)

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            existing = self.schemas.get(name)
            if existing is not None and existing != definition:
                raise SchemaNameCollision(
                    f"Two different schemas are both called {name!r} in the OpenAPI document: rename one "
                    "of the classes (schema names must be unique across the API)."
                )
        super().add_schema_definitions(definitions)


class EgovNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params=None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return StrictOpenAPISchema(api=self, path_prefix=path_prefix)
