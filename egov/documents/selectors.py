"""Reads of documents that pages, the API and the services share, filtered in SQL.

Visibility (who sees which document) is one queryset filter built from the officer's grants
(``egov.access.policy``): a unit's documents are seen by holders of ``document.view`` over it, an
agency's by its clerk (``document.register``); secret documents (độ mật) only by the people named on
them: drafter, signer, reviewers (past and the one awaited), the agency's clerk, the leader who
directs and the units and officers assigned. The registers use the same filter.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from egov.access import policy
from egov.core.errors import ValidationFailed
from egov.documents.models import (
    ISSUED_STATUSES,
    OPEN_INCOMING,
    Assignment,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    RegisterKind,
    ReviewStep,
    Secrecy,
)
from egov.organisations.models import Organisation

__all__ = [
    "DUE_SOON_DAYS",
    "outgoing_visible_to",
    "incoming_visible_to",
    "Home",
    "home",
    "RegisterEntry",
    "register",
    "incoming_page",
    "encode_cursor",
    "decode_cursor",
    "trace_of",
    "TraceEntry",
]

DUE_SOON_DAYS = 3


def _grant_q(user, permission: str, path_field: str) -> Q:
    """Rows whose ``path_field`` lies under a unit where ``user`` holds ``permission``."""
    prefixes = sorted({g.path for g in policy.grants(user) if g.permission == permission})
    minimal = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    if not minimal:
        return Q(pk__in=[])
    condition = Q()
    for prefix in minimal:
        condition |= Q(**{f"{path_field}__startswith": prefix})
    return condition


def _unrestricted(user) -> bool:
    return user is None or (getattr(user, "is_superuser", False) and user.is_active)


def _anonymous(user) -> bool:
    return not getattr(user, "is_authenticated", False) or not user.is_active


def outgoing_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = OutgoingDocument.objects.all() if queryset is None else queryset
    if _unrestricted(user):
        return queryset
    if _anonymous(user):
        return queryset.none()
    clerk = _grant_q(user, "document.register", "agency__path")
    unit = _grant_q(user, "document.view", "drafting_unit__path") | clerk
    named = Q(drafter=user) | Q(signer=user) | Exists(ReviewStep.objects.filter(document=OuterRef("pk"), actor=user))
    awaited = Q(pk__in=[])
    for permission in ("document.review", "document.sign"):
        awaited |= Q(status=OutgoingStatus.UNDER_REVIEW, awaiting_permission=permission) & _grant_q(
            user, permission, "awaiting_unit__path"
        )
    return queryset.filter(
        (Q(secrecy=Secrecy.NORMAL) & (unit | named)) | (~Q(secrecy=Secrecy.NORMAL) & (named | clerk | awaited))
    )


def incoming_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = IncomingDocument.objects.all() if queryset is None else queryset
    if _unrestricted(user):
        return queryset
    if _anonymous(user):
        return queryset.none()
    clerk = _grant_q(user, "document.register", "agency__path")
    directs = _grant_q(user, "document.assign", "agency__path")
    agency = _grant_q(user, "document.view", "agency__path") | clerk
    unit_condition = (
        _grant_q(user, "document.handle", "unit__path")
        | _grant_q(user, "document.assign", "unit__path")
        | _grant_q(user, "document.view", "unit__path")
    )
    assigned_unit = Exists(Assignment.objects.filter(unit_condition, incoming=OuterRef("pk")))
    assigned_person = Exists(Assignment.objects.filter(Q(assignee=user) | Q(assigned_by=user), incoming=OuterRef("pk")))
    named = Q(registered_by=user) | assigned_person
    return queryset.filter(
        (Q(secrecy=Secrecy.NORMAL) & (agency | assigned_unit | named))
        | (~Q(secrecy=Secrecy.NORMAL) & (named | clerk | directs | assigned_unit))
    )


# --------------------------------------------------------------------------------------------------
# The officer's documents home
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    """The officer's lists (newest first, at most ``limit`` rows each) and their full counts."""

    to_handle: list[IncomingDocument]
    to_review: list[OutgoingDocument]
    to_sign: list[OutgoingDocument]
    to_issue: list[OutgoingDocument]
    to_register: list[IncomingDocument]
    due_soon: list[Assignment]
    overdue: list[Assignment]
    counts: dict[str, int]


def to_review_q(user) -> Q:
    """Drafts waiting for this officer's review (the current stage's permission over its unit)."""
    condition = Q(pk__in=[])
    for permission in ("document.review", "document.sign"):
        condition |= Q(status=OutgoingStatus.UNDER_REVIEW, awaiting_permission=permission) & _grant_q(
            user, permission, "awaiting_unit__path"
        )
    return condition


def _my_assignments(user) -> QuerySet:
    """Open assignments this officer answers for: their own, or their unit's not yet given out."""
    return Assignment.objects.filter(
        Q(assignee=user) | (Q(assignee__isnull=True) & _grant_q(user, "document.assign", "unit__path")),
        done_at__isnull=True,
        incoming__status__in=OPEN_INCOMING,
    )


def home(user, *, today: date | None = None, limit: int = 10) -> Home:
    """Everything on the officer's documents home in a fixed number of queries."""
    today = today or timezone.localdate()
    outgoing = outgoing_visible_to(user).select_related("doc_type", "agency", "drafting_unit")
    incoming = incoming_visible_to(user).select_related("agency", "doc_type")
    queries = {
        "to_review": outgoing.filter(to_review_q(user)).order_by("-updated_at", "-pk"),
        "to_sign": outgoing.filter(
            Q(signer=user)
            & (
                Q(status=OutgoingStatus.APPROVED)
                | Q(status=OutgoingStatus.UNDER_REVIEW, awaiting_permission="document.sign")
            )
        ).order_by("-updated_at", "-pk"),
        "to_issue": outgoing.filter(status=OutgoingStatus.SIGNED)
        .filter(_grant_q(user, "document.register", "agency__path"))
        .order_by("signed_at", "pk"),
        "to_register": incoming.filter(status=IncomingStatus.RECEIVED)
        .filter(_grant_q(user, "document.register", "agency__path"))
        .order_by("received_at", "pk"),
        "to_handle": incoming.filter(
            Q(status=IncomingStatus.ACCEPTED) & _grant_q(user, "document.assign", "agency__path")
            | Q(pk__in=_my_assignments(user).values("incoming_id"))
        ).order_by("handling_due", "-received_at", "pk"),
    }
    mine = _my_assignments(user).select_related("incoming", "unit")
    soon_limit = today + timedelta(days=DUE_SOON_DAYS)
    queries["due_soon"] = mine.filter(deadline__gte=today, deadline__lte=soon_limit).order_by("deadline", "pk")
    queries["overdue"] = mine.filter(deadline__lt=today).order_by("deadline", "pk")
    lists = {name: list(qs[:limit]) for name, qs in queries.items()}
    counts = {
        name: (len(rows) if len(rows) < limit else qs.count())
        for (name, qs), rows in zip(queries.items(), lists.values(), strict=True)
    }
    return Home(counts=counts, **lists)


# --------------------------------------------------------------------------------------------------
# Registers (NĐ 30/2020 Phụ lục IV)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    """One line of a register, with the NĐ 30 columns."""

    number: int
    number_text: str
    symbol: str
    date: date | None
    doc_type: str
    subject: str
    signer: str  # outgoing: the signer; incoming: the author (issuing agency)
    recipients: str  # outgoing: nơi nhận; incoming: đơn vị, người xử lý
    secrecy: str
    urgency: str
    status: str
    notes: str
    document_id: int
    arrival_date: datetime | None = None


def register(user, *, agency: Organisation, kind: str, year: int) -> list[RegisterEntry]:
    """The register ``kind`` (outgoing or incoming, the secret series shown to those who may) of
    ``agency`` for ``year``, in register order."""
    if kind not in ("outgoing", "incoming"):
        raise ValidationFailed.field("kind", "Loại sổ phải là outgoing (văn bản đi) hoặc incoming (văn bản đến).")
    if kind == "outgoing":
        rows = (
            outgoing_visible_to(user)
            .filter(agency=agency, year=year, status__in=ISSUED_STATUSES)
            .select_related("doc_type", "signer")
            .prefetch_related("recipients__organisation")
            .order_by("register", "number")
        )
        return [
            RegisterEntry(
                number=d.number,
                number_text=d.number_text,
                symbol=d.symbol,
                date=timezone.localdate(d.issued_at),
                doc_type=d.doc_type.name,
                subject=d.subject,
                signer=(d.signer.get_full_name() if d.signer_id else ""),
                recipients="; ".join([r.organisation.name for r in d.recipients.all()] + list(d.external_recipients)),
                secrecy=d.get_secrecy_display() if d.secrecy else "",
                urgency=d.get_urgency_display() if d.urgency else "",
                status=d.get_status_display(),
                notes=d.recall_reason,
                document_id=d.pk,
            )
            for d in rows
        ]
    rows = (
        incoming_visible_to(user)
        .filter(agency=agency, year=year, arrival_number__isnull=False)
        .select_related("doc_type")
        .prefetch_related("assignments__unit", "assignments__assignee")
        .order_by("register", "arrival_number")
    )
    return [
        RegisterEntry(
            number=d.arrival_number,
            number_text=d.arrival_number_text,
            symbol=d.symbol,
            date=d.document_date,
            doc_type=d.doc_type.name if d.doc_type_id else "",
            subject=d.subject,
            signer=d.sender_name,
            recipients="; ".join(
                f"{a.get_role_display()}: {a.unit.name}" + (f" ({a.assignee.get_full_name()})" if a.assignee_id else "")
                for a in d.assignments.all()
            ),
            secrecy=d.get_secrecy_display() if d.secrecy else "",
            urgency=d.get_urgency_display() if d.urgency else "",
            status=d.get_status_display(),
            notes=d.return_note,
            document_id=d.pk,
            arrival_date=d.received_at,
        )
        for d in rows
    ]


def register_kinds(kind: str) -> tuple[str, str]:
    return (
        (RegisterKind.OUTGOING, RegisterKind.OUTGOING_SECRET)
        if kind == "outgoing"
        else (RegisterKind.INCOMING, RegisterKind.INCOMING_SECRET)
    )


# --------------------------------------------------------------------------------------------------
# Incoming list (keyset)
# --------------------------------------------------------------------------------------------------


def encode_cursor(doc: IncomingDocument) -> str:
    raw = f"{doc.received_at.isoformat()}|{doc.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed.field("after", "Con trỏ trang không hợp lệ.") from exc


def incoming_page(
    user, *, agency: Organisation | None = None, status: str | None = None, after: str | None = None, limit: int = 50
) -> tuple[list[IncomingDocument], str | None]:
    """Incoming documents the officer may see, newest first, by keyset on (received_at, id)."""
    qs = incoming_visible_to(user).select_related("agency", "doc_type")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if status:
        qs = qs.filter(status=status)
    if after:
        moment, pk = decode_cursor(after)
        qs = qs.filter(Q(received_at__lt=moment) | Q(received_at=moment, pk__lt=pk))
    rows = list(qs.order_by("-received_at", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


# --------------------------------------------------------------------------------------------------
# The trace of an outgoing document: where it went, who handled it, what answered it
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceEntry:
    incoming: IncomingDocument
    assignments: list[Assignment]
    answers: list[OutgoingDocument]


def trace_of(user, document: OutgoingDocument) -> list[TraceEntry]:
    """Where ``document`` went and what became of it: each delivery with its status, assignments and
    answers (outgoing documents in reply; secret ones only for those who may see them).

    The caller has checked that ``user`` sees ``document``: like edXML's status messages (arrived,
    accepted, assigned, done), the trace of a delivery belongs to the sender too."""
    deliveries = (
        IncomingDocument.objects.filter(outgoing=document)
        .select_related("agency")
        .prefetch_related("assignments__unit")
        .order_by("agency__path", "pk")
    )
    answers_by_incoming: dict[int, list[OutgoingDocument]] = {}
    answers = OutgoingDocument.objects.filter(in_reply_to__outgoing=document).filter(
        Q(secrecy=Secrecy.NORMAL) | Q(pk__in=outgoing_visible_to(user).values("pk"))
    )
    for answer in answers.order_by("pk"):
        answers_by_incoming.setdefault(answer.in_reply_to_id, []).append(answer)
    return [
        TraceEntry(incoming=d, assignments=list(d.assignments.all()), answers=answers_by_incoming.get(d.pk, []))
        for d in deliveries
    ]
