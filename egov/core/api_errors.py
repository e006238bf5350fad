"""The one place where errors become HTTP answers for the API.

Domain errors keep their code and Vietnamese message; request-validation errors from
django-ninja/pydantic are translated into Vietnamese field errors, e.g.
``{"code": "validation_error", "message": "...", "errors": [{"field": "amount", "message": "..."}]}``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from egov.core.error_pages import DATABASE_UNAVAILABLE, bad_request_response, service_unavailable
from egov.core.errors import DomainError, FieldError, ValidationFailed

logger = logging.getLogger(__name__)

# pydantic error type -> Vietnamese message (``{ctx}`` placeholders come from the error's ctx).
_PYDANTIC_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "float_parsing": "Phải là số.",
    "decimal_parsing": "Phải là số.",
    "decimal_type": "Phải là số.",
    "finite_number": "Phải là một số hữu hạn.",
    "bool_parsing": "Phải là true hoặc false.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_too_short": "Quá ngắn (tối thiểu {min_length} ký tự).",
    "string_too_long": "Quá dài (tối đa {max_length} ký tự).",
    "string_pattern_mismatch": "Sai định dạng.",
    "date_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_from_datetime_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_type": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "datetime_parsing": "Thời điểm không hợp lệ (định dạng ISO 8601, ví dụ 2026-03-02T08:00:00+07:00).",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (định dạng ISO 8601, ví dụ 2026-03-02T08:00:00+07:00).",
    "datetime_type": "Thời điểm không hợp lệ (định dạng ISO 8601).",
    "timezone_aware": "Thời điểm phải có múi giờ (ví dụ +07:00).",
    "literal_error": "Giá trị phải là một trong: {expected}.",
    "enum": "Giá trị phải là một trong: {expected}.",
    "greater_than": "Phải lớn hơn {gt}.",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "less_than": "Phải nhỏ hơn {lt}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
    "model_attributes_type": "Nội dung phải là một đối tượng JSON.",
    "dict_type": "Nội dung phải là một đối tượng JSON.",
    "list_type": "Phải là một danh sách.",
    "value_error": "{error}",
    "assertion_error": "{error}",
}

# Where a request value came from: the first element of a pydantic ``loc``, not a field name.
_LOCATIONS = {"body", "query", "path", "form", "header", "cookie", "file"}
# ninja nests a body schema under its parameter name; the project calls it "payload" or "data".
_BODY_PARAMETERS = {"payload", "data"}


def _field_name(loc) -> str:
    # Only the leading containers are dropped: further down, "data" or "file" is a real field
    # (and a query parameter may well be called "data").
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] in _BODY_PARAMETERS:
            parts.pop(0)
    return ".".join(parts) or "body"


def translate_pydantic_errors(errors) -> list[FieldError]:
    result = []
    for err in errors:
        template = _PYDANTIC_MESSAGES.get(err.get("type", ""), "Giá trị không hợp lệ.")
        ctx = dict(err.get("ctx") or {})
        if "expected" in ctx:
            ctx["expected"] = str(ctx["expected"]).replace(" or ", " hoặc ")
        if "error" in ctx:
            ctx["error"] = str(ctx["error"]).removeprefix("Value error, ")
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = "Giá trị không hợp lệ."
        result.append(FieldError(_field_name(err.get("loc", ())), message))
    return result


# django-ninja raises HttpError with these English messages; the API answers in Vietnamese.
_NINJA_HTTP_MESSAGES = {
    "Cannot parse request body": "Không đọc được nội dung yêu cầu (JSON không hợp lệ).",
    "CSRF check Failed": "Thiếu hoặc sai mã CSRF: tải lại trang rồi thử lại.",
}


def _http_error_message(message: str) -> str:
    for english, vietnamese in _NINJA_HTTP_MESSAGES.items():
        if message.startswith(english):  # with DEBUG, ninja appends the parser's own message
            return vietnamese
    return message


def django_validation_to_field_errors(exc: DjangoValidationError) -> list[FieldError]:
    if hasattr(exc, "error_dict"):
        return [
            FieldError(field if field != "__all__" else "body", str(message))
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return [FieldError("body", str(m)) for m in exc.messages]


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def ninja_validation(request, exc: NinjaValidationError):
        failed = ValidationFailed(translate_pydantic_errors(exc.errors))
        return api.create_response(request, failed.as_dict(), status=422)

    @api.exception_handler(DjangoValidationError)
    def django_validation(request, exc: DjangoValidationError):
        failed = ValidationFailed(django_validation_to_field_errors(exc))
        return api.create_response(request, failed.as_dict(), status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        body = {"code": "not_authenticated", "message": "Cần đăng nhập hoặc mã truy cập (Bearer token) hợp lệ."}
        return api.create_response(request, body, status=401)

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request, exc):
        body = {"code": "permission_denied", "message": "Bạn không có quyền thực hiện thao tác này."}
        return api.create_response(request, body, status=403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "message": "Không tìm thấy."}, status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        body = {"code": "http_error", "message": _http_error_message(str(exc))}
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        from egov.core.metrics import count_db_error

        count_db_error(exc)
        if isinstance(exc, DATABASE_UNAVAILABLE):
            # An outage, not a bug: Django logs one line for the 503; a traceback per request would
            # bury everything else in the log.
            return service_unavailable(request)
        if isinstance(exc, (MultiPartParserError, SuspiciousOperation, BadRequest)):
            return bad_request_response(request)
        logger.exception("Unhandled API error")
        body = {"code": "server_error", "message": "Lỗi hệ thống. Vui lòng thử lại sau."}
        return api.create_response(request, body, status=500)
