"""Helpers shared by the document services: the agency of a unit, stored files, visibility."""

from __future__ import annotations

import hashlib
import secrets

from django.core.files.base import ContentFile
from django.utils import timezone

from egov.access import policy
from egov.catalogue.text import clean_text
from egov.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from egov.organisations.models import AGENCY_KINDS, Organisation

__all__ = [
    "agency_of",
    "store_pdf",
    "not_found",
    "clean_text",
    "require_visible",
    "required_text",
    "now",
    "today",
    "has_any",
]


def agency_of(unit: Organisation) -> Organisation:
    """The agency a unit belongs to: itself, or its nearest ancestor that is an agency."""
    if unit.kind in AGENCY_KINDS:
        return unit
    prefixes = [unit.path[:i] for i in range(Organisation.steplen, len(unit.path), Organisation.steplen)]
    found = (
        Organisation.objects.filter(path__in=prefixes, kind__in=AGENCY_KINDS).order_by("-depth").first()
        if prefixes
        else None
    )
    if found is None:
        raise ValidationFailed.field("drafting_unit", f"Đơn vị {unit.name} không thuộc cơ quan nào.")
    return found


def store_pdf(field, content: bytes) -> str:
    """Save ``content`` under a platform-made name into the FileField ``field``; its SHA-256."""
    sha = hashlib.sha256(content).hexdigest()
    field.save(f"{sha[:16]}-{secrets.token_hex(8)}.pdf", ContentFile(content), save=False)
    return sha


def not_found(what: str = "văn bản") -> NotFound:
    return NotFound(f"Không tìm thấy {what}.")


def required_text(errors: list[FieldError], field: str, value: str | None, label: str, limit: int) -> str:
    text = clean_text(value)
    if not text:
        errors.append(FieldError(field, f"{label} không được để trống."))
    elif len(text) > limit:
        errors.append(FieldError(field, f"{label} dài quá {limit} ký tự."))
    return text


def require_visible(by, visible_qs, obj) -> None:
    """A document the officer may not see is refused as if it did not exist for them."""
    if by is None:
        return
    if not visible_qs.filter(pk=obj.pk).exists():
        raise PermissionDenied("Bạn không có quyền xem văn bản này.")


def now():
    return timezone.now()


def today():
    return timezone.localdate()


def has_any(by, permissions: tuple[str, ...], obj) -> bool:
    return any(policy.has(by, p, obj) for p in permissions)
