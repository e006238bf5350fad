"""Typed domain errors.

Services raise these; the API (``egov.core.api_errors``) and the pages map them to HTTP in one place.
Each error has a stable machine ``code``, an HTTP ``status`` and a Vietnamese ``message``; field
errors name the field they concern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "DomainError",
    "FieldError",
    "ValidationFailed",
    "NotFound",
    "PermissionDenied",
    "Conflict",
    "InvalidTransition",
    "AuthenticationFailed",
    "Throttled",
]


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = "Yêu cầu không hợp lệ."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = str(message or self.default_message)
        self.details = details or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        body.update(self.details)
        return body


class ValidationFailed(DomainError):
    """One or more fields are invalid. Nothing was written."""

    code = "validation_error"
    status = 422
    default_message = "Dữ liệu không hợp lệ."

    def __init__(self, errors: list[FieldError] | FieldError, message: str | None = None) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        if message is None and len(self.errors) == 1:
            message = self.errors[0].message
        super().__init__(message)

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls(FieldError(field, message))

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["errors"] = [e.as_dict() for e in self.errors]
        return body


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = "Không tìm thấy."


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = "Bạn không có quyền thực hiện thao tác này."


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = "Xung đột dữ liệu: thao tác không thể thực hiện ở trạng thái hiện tại."


class InvalidTransition(Conflict):
    code = "invalid_transition"


class AuthenticationFailed(DomainError):
    code = "authentication_failed"
    status = 401
    default_message = "Tên đăng nhập hoặc mật khẩu không đúng."


class Throttled(DomainError):
    code = "throttled"
    status = 429
    default_message = "Quá nhiều lần thử. Vui lòng thử lại sau."
