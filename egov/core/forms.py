"""A service's refusal (a typed ``DomainError``) shown next to the fields it names.

Pages render ``errors_by_field`` beside each input; admin forms raise ``form_errors`` from ``clean``.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from django.core.exceptions import ValidationError

from egov.core.errors import DomainError, FieldError

__all__ = ["errors_by_field", "form_errors"]


def errors_by_field(exc: DomainError | None, extra: Iterable[FieldError] = ()) -> dict[str, list[str]]:
    """``{field: [message, ...]}`` for a page; errors without fields (any ``DomainError`` but
    ``ValidationFailed``) give nothing here, the page shows ``exc.message`` instead."""
    result: dict[str, list[str]] = {}
    for err in [*getattr(exc, "errors", []), *extra]:
        result.setdefault(err.field, []).append(err.message)
    return result


def form_errors(exc: DomainError, fields: Container[str]) -> ValidationError:
    """The refusal as a Django form ``ValidationError``: each message on its field when the form has
    that field, otherwise on the form as a whole."""
    errors = getattr(exc, "errors", None)
    if not errors:
        return ValidationError(exc.message)
    grouped: dict[str | None, list[str]] = {}
    for err in errors:
        grouped.setdefault(err.field if err.field in fields else None, []).append(err.message)
    return ValidationError(grouped)
