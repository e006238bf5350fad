"""Typed errors of the forms app.

They extend the platform's domain errors (``egov.core.errors``), so the API and the pages map them to
HTTP like any other; each has a stable ``code`` and a Vietnamese message.
"""

from __future__ import annotations

from egov.core.errors import DomainError, FieldError, NotFound, ValidationFailed

__all__ = ["FormError", "TemplateNotFound", "IncompleteContext", "ContextMismatch", "RenderFailed"]


class FormError(DomainError):
    """Base of the errors raised while choosing, filling or rendering a form."""

    code = "form_error"
    default_message = "Không lập được biểu mẫu."


class TemplateNotFound(NotFound, FormError):
    """No active template for this form set and code (or kind)."""

    code = "form_template_not_found"
    default_message = "Không tìm thấy mẫu biểu đang áp dụng."


class IncompleteContext(ValidationFailed, FormError):
    """Required data of a form is missing or of the wrong type. Nothing was rendered.

    ``errors`` names every offending field at once (``components[2].name``, ``received_at``...).
    """

    code = "form_context_incomplete"
    default_message = "Dữ liệu biểu mẫu thiếu hoặc không hợp lệ."

    def __init__(self, errors: list[FieldError] | FieldError, message: str | None = None) -> None:
        errors = [errors] if isinstance(errors, FieldError) else list(errors)
        if message is None:
            names = ", ".join(e.field for e in errors)
            message = f"{self.default_message[:-1]}: {names}." if names else self.default_message
        super().__init__(errors, message)


class ContextMismatch(FormError):
    """The data given is for another kind of form (e.g. a receipt's data for a refusal template)."""

    code = "form_context_mismatch"
    status = 400
    default_message = "Dữ liệu không đúng loại biểu mẫu."


class RenderFailed(FormError):
    """The template failed while rendering (a broken template that slipped past validation)."""

    code = "form_render_failed"
    status = 500
    default_message = "Lỗi khi lập biểu mẫu từ mẫu đã lưu."
