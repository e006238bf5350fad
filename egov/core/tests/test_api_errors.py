"""Tests of the one place where errors become API answers (``egov.core.api_errors``)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI, Router, Schema
from ninja.errors import HttpError
from ninja.testing import TestClient
from pydantic import BaseModel, Field, ValidationError, field_validator

from egov.core import errors
from egov.core.api_errors import install, translate_pydantic_errors
from egov.core.errors import FieldError

# --- translate_pydantic_errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(
            {"type": "missing", "loc": ("body", "payload", "date"), "msg": "Field required"},
            FieldError("date", "Thiếu trường bắt buộc."),
            id="missing",
        ),
        pytest.param(
            {"type": "int_parsing", "loc": ("query", "year"), "msg": "Input should be a valid integer"},
            FieldError("year", "Phải là số nguyên."),
            id="int_parsing",
        ),
        pytest.param(
            {
                "type": "literal_error",
                "loc": ("query", "unit"),
                "ctx": {"expected": "'working_days', 'working_hours' or 'calendar_days'"},
            },
            FieldError("unit", "Giá trị phải là một trong: 'working_days', 'working_hours' hoặc 'calendar_days'."),
            id="literal_error",
        ),
        pytest.param(
            {"type": "datetime_parsing", "loc": ("query", "start"), "ctx": {"error": "invalid character"}},
            FieldError("start", "Thời điểm không hợp lệ (định dạng ISO 8601, ví dụ 2026-03-02T08:00:00+07:00)."),
            id="datetime_parsing",
        ),
        pytest.param(
            {"type": "date_from_datetime_parsing", "loc": ("path", "day")},
            FieldError("day", "Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
            id="date_from_datetime_parsing",
        ),
        pytest.param(
            {"type": "string_too_long", "loc": ("body", "payload", "note"), "ctx": {"max_length": 200}},
            FieldError("note", "Quá dài (tối đa 200 ký tự)."),
            id="string_too_long",
        ),
        pytest.param(
            {"type": "greater_than_equal", "loc": ("query", "amount"), "ctx": {"ge": 0}},
            FieldError("amount", "Phải lớn hơn hoặc bằng 0."),
            id="greater_than_equal",
        ),
        pytest.param(
            {"type": "finite_number", "loc": ("query", "amount")},
            FieldError("amount", "Phải là một số hữu hạn."),
            id="finite_number",
        ),
        pytest.param(
            {"type": "value_error", "loc": ("body", "data", "code"), "ctx": {"error": "Value error, Mã sai."}},
            FieldError("code", "Mã sai."),
            id="value_error-prefix-stripped",
        ),
        pytest.param(
            {"type": "json_invalid", "loc": ("body",)},
            FieldError("body", "Nội dung JSON không hợp lệ."),
            id="json_invalid",
        ),
        pytest.param(
            {"type": "missing", "loc": ("body", "payload", "items", 0, "name")},
            FieldError("items.0.name", "Thiếu trường bắt buộc."),
            id="nested-dotted",
        ),
        pytest.param(
            {"type": "missing", "loc": ("body", "payload", "attachment", "file")},
            FieldError("attachment.file", "Thiếu trường bắt buộc."),
            id="nested-field-named-like-a-container",
        ),
        pytest.param(
            {"type": "string_type", "loc": ("body", "data", "data")},
            FieldError("data", "Phải là chuỗi ký tự."),
            id="field-named-data-in-a-body-named-data",
        ),
        pytest.param(
            {"type": "missing", "loc": ("query", "data")},
            FieldError("data", "Thiếu trường bắt buộc."),
            id="query-parameter-named-data",
        ),
        pytest.param(
            {"type": "model_attributes_type", "loc": ("body", "payload")},
            FieldError("body", "Nội dung phải là một đối tượng JSON."),
            id="containers-only",
        ),
        pytest.param(
            {"type": "missing", "loc": ("header", "x-request-id")},
            FieldError("x-request-id", "Thiếu trường bắt buộc."),
            id="header",
        ),
        pytest.param(
            {"type": "some_new_type", "loc": ("form", "upload")},
            FieldError("upload", "Giá trị không hợp lệ."),
            id="unknown-type",
        ),
        pytest.param(
            {"type": "string_too_short", "loc": ("query", "q"), "ctx": {}},
            FieldError("q", "Giá trị không hợp lệ."),
            id="template-without-its-ctx",
        ),
        pytest.param({}, FieldError("body", "Giá trị không hợp lệ."), id="empty"),
    ],
)
def test_translate_one_error(error, expected):
    assert translate_pydantic_errors([error]) == [expected]


class _Order(BaseModel):
    count: int
    unit: Literal["working_days", "working_hours", "calendar_days"]
    at: datetime
    note: str = Field(max_length=5)
    code: str

    @field_validator("code")
    @classmethod
    def _code(cls, value):
        raise ValueError("Mã không đúng định dạng.")


def test_translate_the_errors_pydantic_really_raises():
    with pytest.raises(ValidationError) as caught:
        _Order.model_validate({"count": "ba", "unit": "days", "at": "hôm nay", "note": "dài quá", "code": "x"})

    assert translate_pydantic_errors(caught.value.errors()) == [
        FieldError("count", "Phải là số nguyên."),
        FieldError("unit", "Giá trị phải là một trong: 'working_days', 'working_hours' hoặc 'calendar_days'."),
        FieldError("at", "Thời điểm không hợp lệ (định dạng ISO 8601, ví dụ 2026-03-02T08:00:00+07:00)."),
        FieldError("note", "Quá dài (tối đa 5 ký tự)."),
        FieldError("code", "Mã không đúng định dạng."),
    ]


def test_translate_keeps_the_order_and_all_errors():
    result = translate_pydantic_errors(
        [{"type": "missing", "loc": ("query", "start")}, {"type": "missing", "loc": ("query", "amount")}]
    )

    assert [e.as_dict() for e in result] == [
        {"field": "start", "message": "Thiếu trường bắt buộc."},
        {"field": "amount", "message": "Thiếu trường bắt buộc."},
    ]


# --- the handlers, on a throwaway API -------------------------------------------------------------

router = Router()
_RAISE: dict[str, Exception] = {}


class _Payload(Schema):
    count: int


@router.get("/raise")
def _raise(request):
    raise _RAISE["exc"]


@router.post("/echo")
def _echo(request, payload: _Payload):
    return {"count": payload.count}


throwaway = NinjaAPI(urls_namespace="test-core-api-errors")
install(throwaway)
throwaway.add_router("/", router)
throwaway_client = TestClient(throwaway)


def _raising(exc: Exception):
    _RAISE["exc"] = exc
    return throwaway_client.get("/raise")


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        pytest.param(
            errors.DomainError(), 400, {"code": "error", "message": "Yêu cầu không hợp lệ."}, id="DomainError"
        ),
        pytest.param(
            errors.ValidationFailed([FieldError("a", "Sai a."), FieldError("b", "Sai b.")]),
            422,
            {
                "code": "validation_error",
                "message": "Dữ liệu không hợp lệ.",
                "errors": [{"field": "a", "message": "Sai a."}, {"field": "b", "message": "Sai b."}],
            },
            id="ValidationFailed",
        ),
        pytest.param(
            errors.NotFound("Không tìm thấy hồ sơ."),
            404,
            {"code": "not_found", "message": "Không tìm thấy hồ sơ."},
            id="NotFound",
        ),
        pytest.param(
            errors.PermissionDenied(),
            403,
            {"code": "permission_denied", "message": "Bạn không có quyền thực hiện thao tác này."},
            id="PermissionDenied",
        ),
        pytest.param(
            errors.Conflict(details={"status": "received"}),
            409,
            {
                "code": "conflict",
                "message": "Xung đột dữ liệu: thao tác không thể thực hiện ở trạng thái hiện tại.",
                "status": "received",
            },
            id="Conflict-with-details",
        ),
        pytest.param(
            errors.InvalidTransition("Hồ sơ đã trả kết quả."),
            409,
            {"code": "invalid_transition", "message": "Hồ sơ đã trả kết quả."},
            id="InvalidTransition",
        ),
        pytest.param(
            errors.AuthenticationFailed(),
            401,
            {"code": "authentication_failed", "message": "Tên đăng nhập hoặc mật khẩu không đúng."},
            id="AuthenticationFailed",
        ),
        pytest.param(
            errors.Throttled(),
            429,
            {"code": "throttled", "message": "Quá nhiều lần thử. Vui lòng thử lại sau."},
            id="Throttled",
        ),
        pytest.param(
            DjangoValidationError({"email": ["Thư điện tử sai."], "__all__": ["Trùng."]}),
            422,
            {
                "code": "validation_error",
                "message": "Dữ liệu không hợp lệ.",
                "errors": [{"field": "email", "message": "Thư điện tử sai."}, {"field": "body", "message": "Trùng."}],
            },
            id="django-ValidationError",
        ),
        pytest.param(
            DjangoPermissionDenied(),
            403,
            {"code": "permission_denied", "message": "Bạn không có quyền thực hiện thao tác này."},
            id="django-PermissionDenied",
        ),
        pytest.param(Http404(), 404, {"code": "not_found", "message": "Không tìm thấy."}, id="Http404"),
        pytest.param(
            HttpError(409, "Đã tồn tại."), 409, {"code": "http_error", "message": "Đã tồn tại."}, id="HttpError"
        ),
        pytest.param(
            HttpError(400, "Cannot parse request body (Expecting value: line 1 column 1 (char 0))"),
            400,
            {"code": "http_error", "message": "Không đọc được nội dung yêu cầu (JSON không hợp lệ)."},
            id="ninja-HttpError-translated",
        ),
    ],
)
def test_domain_and_framework_errors_map_to_their_status(exc, status, body):
    response = _raising(exc)

    assert response.status_code == status
    assert response.json() == body


def test_an_unexpected_exception_is_a_500_in_vietnamese_and_is_logged(caplog):
    with caplog.at_level(logging.ERROR, logger="egov.core.api_errors"):
        response = _raising(ZeroDivisionError("division by zero"))

    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "message": "Lỗi hệ thống. Vui lòng thử lại sau."}
    assert [(r.getMessage(), r.exc_info[0]) for r in caplog.records] == [("Unhandled API error", ZeroDivisionError)]


def test_request_validation_is_422_with_vietnamese_field_errors():
    response = throwaway_client.post("/echo", json={"count": "ba"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Phải là số nguyên.",
        "errors": [{"field": "count", "message": "Phải là số nguyên."}],
    }


# --- the real API ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_exception_inside_a_real_endpoint_is_a_json_500(client, monkeypatch):
    # Given a bug deep inside the endpoint (here: the calendar lookup)
    from egov.calendar import api as calendar_api

    def broken(agency):
        raise RuntimeError("lỗi lập trình")

    monkeypatch.setattr(calendar_api, "_calendar", broken)

    response = client.get(
        "/api/v1/calendar/due", {"start": "2026-03-02T08:00:00+07:00", "amount": "1", "unit": "working_days"}
    )

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "server_error", "message": "Lỗi hệ thống. Vui lòng thử lại sau."}
