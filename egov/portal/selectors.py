"""Reads for the portal: the online form of a procedure, the citizen's dossiers (keyset pages), the
dossier page, drafts and the store of reusable documents."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from egov.core.errors import NotFound, ValidationFailed
from egov.dossiers.models import Dossier, DossierResult
from egov.portal import schema as schemas
from egov.portal.models import Draft, PersonalDocument, SubmissionForm

__all__ = [
    "active_form",
    "schema_of",
    "my_dossiers",
    "my_dossier",
    "draft_of",
    "my_drafts",
    "reusable_documents",
    "Reusable",
]


def active_form(procedure) -> SubmissionForm | None:
    return SubmissionForm.objects.filter(procedure=procedure, is_active=True).first()


def schema_of(procedure) -> dict:
    form = active_form(procedure)
    return form.schema if form else schemas.DEFAULT_SCHEMA


def _cursor(dossier: Dossier) -> str:
    raw = json.dumps([dossier.submitted_at.isoformat(), dossier.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        at, pk = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        return datetime.fromisoformat(at), int(pk)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed.field("after", "Con trỏ trang không hợp lệ.") from exc


def my_dossiers(
    user, *, after: str | None = None, limit: int = 20, statuses: frozenset[int] | None = None
) -> tuple[list[Dossier], str | None]:
    """The user's dossiers (in ``statuses`` if given), newest first, one keyset page at a time
    (index applicant_user, submitted_at, id)."""
    qs = Dossier.objects.filter(applicant_user=user)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if after:
        at, pk = _decode(after)
        qs = qs.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk))
    rows = list(
        qs.select_related("procedure", "agency")
        .only(
            "code",
            "status",
            "channel",
            "submitted_at",
            "due_at",
            "finished_at",
            "returned_at",
            "fee_amount",
            "fee_paid_at",
            "procedure__name",
            "procedure__code",
            "agency__name",
        )
        .order_by("-submitted_at", "-pk")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_cursor(rows[-1]) if more and rows else None)


def my_dossier(user, code: str) -> Dossier:
    """The user's own dossier with what its page shows; anyone else's does not exist."""
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "receiving_unit", "rule_set", "current_unit")
        .filter(code=code, applicant_user=user)
        .first()
    )
    if dossier is None or not getattr(user, "is_authenticated", False):
        raise NotFound(f"Không tìm thấy hồ sơ có mã '{code}' trong tài khoản của Ông/Bà.")
    return dossier


def draft_of(user, procedure) -> Draft | None:
    return Draft.objects.filter(owner=user, procedure=procedure).select_related("agency").first()


def my_drafts(user) -> list[Draft]:
    return list(Draft.objects.filter(owner=user).select_related("procedure").order_by("-updated_at"))


@dataclass(frozen=True)
class Reusable:
    ref: str  # "document:<id>" or "result:<id>"
    name: str
    origin: str
    dossier_code: str
    size: int
    at: datetime


def reusable_documents(user) -> list[Reusable]:
    """The store: documents kept or uploaded there, and the signed results of the user's dossiers."""
    items = [
        Reusable(f"document:{d.pk}", d.name, d.get_source_display(), d.dossier_code, d.size, d.created_at)
        for d in PersonalDocument.objects.filter(owner=user)
    ]
    results = DossierResult.objects.filter(dossier__applicant_user=user).select_related("dossier")
    items += [
        Reusable(
            f"result:{r.pk}",
            r.name,
            "Kết quả giải quyết (đã ký số)",
            r.dossier.code,
            r.pdf.size if r.pdf else 0,
            r.issued_at,
        )
        for r in results.order_by("-issued_at")
    ]
    return sorted(items, key=lambda i: i.at, reverse=True)
