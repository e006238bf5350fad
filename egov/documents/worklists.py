"""The tabs of the officer's documents home, each a keyset-paginated list, and their counts.

The lists are the same as ``selectors.home`` (to handle, to review, to sign, to issue, due soon,
overdue, and to register for the clerk), filtered by visibility in SQL; each tab pages on its own
order: outgoing and incoming documents newest first by id, assignments by deadline then id.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from egov.core.errors import ValidationFailed
from egov.documents import selectors
from egov.documents.models import IncomingStatus, OutgoingStatus

__all__ = ["TABS", "Tab", "tab_page", "tab_counts"]


@dataclass(frozen=True)
class Tab:
    name: str
    kind: str  # "outgoing", "incoming" or "assignment": which rows and which template
    rows: Callable[[object, date], QuerySet]
    by_deadline: bool = False


def _outgoing(user) -> QuerySet:
    return selectors.outgoing_visible_to(user).select_related("doc_type", "agency", "drafting_unit", "drafter")


def _incoming(user) -> QuerySet:
    return selectors.incoming_visible_to(user).select_related("agency", "doc_type")


def _to_review(user, today):
    return _outgoing(user).filter(selectors.to_review_q(user))


def _to_sign(user, today):
    return _outgoing(user).filter(
        Q(signer=user)
        & (
            Q(status=OutgoingStatus.APPROVED)
            | Q(status=OutgoingStatus.UNDER_REVIEW, awaiting_permission="document.sign")
        )
    )


def _to_issue(user, today):
    return _outgoing(user).filter(
        selectors._grant_q(user, "document.register", "agency__path"), status=OutgoingStatus.SIGNED
    )


def _to_register(user, today):
    return _incoming(user).filter(
        selectors._grant_q(user, "document.register", "agency__path"), status=IncomingStatus.RECEIVED
    )


def _to_handle(user, today):
    return _incoming(user).filter(
        Q(status=IncomingStatus.ACCEPTED) & selectors._grant_q(user, "document.assign", "agency__path")
        | Q(pk__in=selectors._my_assignments(user).values("incoming_id"))
    )


def _due_soon(user, today):
    soon = today + timedelta(days=selectors.DUE_SOON_DAYS)
    return (
        selectors._my_assignments(user)
        .filter(deadline__gte=today, deadline__lte=soon)
        .select_related("incoming", "unit", "assignee")
    )


def _overdue(user, today):
    return selectors._my_assignments(user).filter(deadline__lt=today).select_related("incoming", "unit", "assignee")


TABS: dict[str, Tab] = {
    t.name: t
    for t in (
        Tab("to_handle", "incoming", _to_handle),
        Tab("to_review", "outgoing", _to_review),
        Tab("to_sign", "outgoing", _to_sign),
        Tab("to_issue", "outgoing", _to_issue),
        Tab("to_register", "incoming", _to_register),
        Tab("due_soon", "assignment", _due_soon, by_deadline=True),
        Tab("overdue", "assignment", _overdue, by_deadline=True),
    )
}


def _encode(values: list[str]) -> str:
    return base64.urlsafe_b64encode("|".join(values).encode()).decode().rstrip("=")


def _decode(cursor: str, parts: int) -> list[str]:
    try:
        values = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode().split("|")
        if len(values) != parts or not values[-1].isdigit():
            raise ValueError
        if parts == 2:
            date.fromisoformat(values[0])
        return values
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed.field("sau", "Con trỏ trang không hợp lệ.") from exc


def tab_page(user, name: str, *, after: str | None = None, limit: int = 25, today: date | None = None):
    """One page of tab ``name``: (rows, cursor of the next page or None)."""
    tab = TABS[name]
    today = today or timezone.localdate()
    qs = tab.rows(user, today)
    if tab.by_deadline:
        if after:
            deadline, pk = _decode(after, 2)
            qs = qs.filter(Q(deadline__gt=deadline) | Q(deadline=deadline, pk__gt=int(pk)))
        qs = qs.order_by("deadline", "pk")
    else:
        if after:
            qs = qs.filter(pk__lt=int(_decode(after, 1)[0]))
        qs = qs.order_by("-pk")
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if not (more and rows):
        return rows, None
    last = rows[-1]
    return rows, _encode([last.deadline.isoformat(), str(last.pk)] if tab.by_deadline else [str(last.pk)])


def tab_counts(user, *, today: date | None = None) -> dict[str, int]:
    """How many rows each tab holds (one COUNT each)."""
    today = today or timezone.localdate()
    return {name: tab.rows(user, today).order_by().count() for name, tab in TABS.items()}
