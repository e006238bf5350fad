"""Reads of feedback shared by the pages and the API: tracking, the public list, the officer list."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from django.db.models import Q, QuerySet

from egov.access import policy
from egov.core.errors import ValidationFailed
from egov.feedback.models import Feedback

__all__ = ["by_code", "published", "for_officer", "encode_cursor", "decode_cursor"]


def by_code(code: str) -> Feedback | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return Feedback.objects.select_related("agency", "answered_by").filter(code=code).first()


def encode_cursor(moment: datetime, pk: int) -> str:
    raw = json.dumps([moment.isoformat(), pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed.field("after", "Con trỏ trang không hợp lệ.") from exc


def _page(qs: QuerySet, column: str, after: str | None, limit: int) -> tuple[list[Feedback], str | None]:
    """Newest first, keyset on (``column``, id)."""
    if after:
        moment, pk = decode_cursor(after)
        qs = qs.filter(Q(**{f"{column}__lt": moment}) | Q(**{column: moment, "pk__lt": pk}))
    rows = list(qs.order_by(f"-{column}", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(getattr(rows[-1], column), rows[-1].pk) if more and rows else None
    return rows, cursor


def published(*, after: str | None = None, limit: int = 20) -> tuple[list[Feedback], str | None]:
    """Published answers, newest answer first (one query per page)."""
    qs = Feedback.objects.filter(published=True).select_related("agency")
    qs = qs.only("code", "title", "content", "answer", "answered_at", "created_at", "status", "agency__name")
    return _page(qs, "answered_at", after, limit)


def for_officer(
    *, user, status: str | None = None, after: str | None = None, limit: int = 25
) -> tuple[list[Feedback], str | None]:
    """Feedback handled by the user's units (``dossier.view`` over the handling unit, in SQL)."""
    qs = policy.scope(user, "dossier.view", Feedback.objects.all(), path_field="handling_unit__path")
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("agency")
    return _page(qs, "created_at", after, limit)
