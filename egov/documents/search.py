"""Full-text search over documents: metadata (symbol, subject, type, issuer, signer, recipients) and
the PDF text, ignoring diacritics ("quyet dinh" finds "Quyết định"), on both databases.

* **SQLite**: an FTS5 table ``documents_search_fts`` (rowid = ``SearchEntry.pk``) holding the text
  folded in Python (lower case, no diacritics, đ → d); the query is folded the same way.
* **PostgreSQL**: a GIN index over ``to_tsvector('simple', documents_unaccent(text))`` where
  ``documents_unaccent`` is an IMMUTABLE wrapper of the ``unaccent`` extension; the query goes through
  ``plainto_tsquery('simple', documents_unaccent(q))``.

Both are created by migration documents/0100_search_index. Results are filtered by visibility in
SQL with the selectors' ``outgoing_visible_to`` / ``incoming_visible_to`` (a secret document is
found only by the people named on it) and paginated by keyset on (date, id), newest first.

The services call :func:`schedule_reindex` on every change; it reindexes after the transaction
commits. ``manage.py reindex_documents`` rebuilds everything.

Public API::

    search(*, user, q, filters, cursor=None, limit=25) -> SearchPage
    SearchFilters(type, issuer, signer, date_from, date_to, status, kind)
    fold(text) -> str
    schedule_reindex(kind, document_id); reindex(kind, document_id); reindex_all() -> int
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from egov.catalogue.text import fold  # the catalogue's search folding: one rule for the platform
from egov.core.errors import ValidationFailed
from egov.documents import selectors
from egov.documents.models import IncomingDocument, OutgoingDocument, SearchEntry

__all__ = [
    "OUTGOING",
    "INCOMING",
    "SearchFilters",
    "SearchPage",
    "fold",
    "search",
    "schedule_reindex",
    "reindex",
    "reindex_all",
]

OUTGOING = SearchEntry.Kind.OUTGOING
INCOMING = SearchEntry.Kind.INCOMING
MAX_QUERY = 200
FTS_TABLE = "documents_search_fts"


# --------------------------------------------------------------------------------------------------
# Indexing
# --------------------------------------------------------------------------------------------------


def _split(symbol: str) -> str:
    """``120/GM-BTP`` as words: PostgreSQL's parser reads the whole symbol as one file-path token."""
    return re.sub(r"\W+", " ", symbol or "").strip()


def _outgoing_fields(doc: OutgoingDocument) -> dict:
    recipients = [r.organisation.name for r in doc.recipients.all()] + list(doc.external_recipients)
    signer = doc.signer.get_full_name() if doc.signer_id else ""
    metadata = [
        doc.symbol,
        _split(doc.symbol),
        doc.subject,
        doc.doc_type.name,
        doc.agency.name,
        doc.drafting_unit.name,
        signer,
        doc.signer_title,
        *recipients,
    ]
    return {
        "agency": doc.agency,
        "doc_type": doc.doc_type,
        "status": doc.status,
        "dated": doc.issued_at or doc.created_at,
        "symbol": doc.symbol,
        "subject": doc.subject,
        "issuer": doc.agency.name,
        "signer": signer,
        "text": "\n".join([*filter(None, metadata), doc.text]),
    }


def _incoming_fields(doc: IncomingDocument) -> dict:
    metadata = [
        doc.symbol,
        _split(doc.symbol),
        doc.subject,
        doc.doc_type.name if doc.doc_type_id else "",
        doc.sender_name,
        doc.signer_name,
    ]
    return {
        "agency": doc.agency,
        "doc_type": doc.doc_type,
        "status": doc.status,
        "dated": doc.received_at,
        "symbol": doc.symbol,
        "subject": doc.subject,
        "issuer": doc.sender_name,
        "signer": doc.signer_name,
        "text": "\n".join([*filter(None, metadata), doc.text]),
    }


def reindex(kind: str, document_id: int) -> SearchEntry | None:
    """Write the search entry of one document (or remove it when the document is gone)."""
    with transaction.atomic():
        if kind == OUTGOING:
            doc = (
                OutgoingDocument.objects.select_related("agency", "drafting_unit", "doc_type", "signer")
                .prefetch_related("recipients__organisation")
                .filter(pk=document_id)
                .first()
            )
            fields = _outgoing_fields(doc) if doc else None
        else:
            doc = IncomingDocument.objects.select_related("agency", "doc_type").filter(pk=document_id).first()
            fields = _incoming_fields(doc) if doc else None
        if fields is None:
            old = SearchEntry.objects.filter(kind=kind, document_id=document_id).first()
            if old is not None:
                _fts_delete(old.pk)
                old.delete()
            return None
        fields["issuer_folded"] = fold(fields["issuer"])[:300]
        fields["signer_folded"] = fold(fields["signer"])[:200]
        entry, _ = SearchEntry.objects.update_or_create(kind=kind, document_id=document_id, defaults=fields)
        if connection.vendor == "sqlite":
            _fts_delete(entry.pk)
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)", [entry.pk, fold(entry.text)])
        return entry


def _fts_delete(pk: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])


def schedule_reindex(kind: str, document_id: int) -> None:
    """Reindex the document once the current transaction commits (nothing if it rolls back).

    A failed reindex must not undo the action that caused it: ``robust`` logs and goes on, and
    ``reindex_documents`` repairs the index."""
    transaction.on_commit(partial(reindex, str(kind), document_id), robust=True)


def reindex_all() -> int:
    """Rebuild every entry; the number of documents indexed."""
    count = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {FTS_TABLE}")
    for pk in OutgoingDocument.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=1000):
        reindex(OUTGOING, pk)
        count += 1
    for pk in IncomingDocument.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=1000):
        reindex(INCOMING, pk)
        count += 1
    return count


# --------------------------------------------------------------------------------------------------
# Searching
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    type: str = ""  # DocumentType.code
    issuer: str = ""  # part of the issuing agency's name, with or without diacritics
    signer: str = ""  # part of the signer's name
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""  # an OutgoingStatus or IncomingStatus value
    kind: str = ""  # "outgoing", "incoming" or "" (both)


@dataclass(frozen=True)
class SearchPage:
    rows: list[SearchEntry]
    next_cursor: str | None


def _encode(entry: SearchEntry) -> str:
    raw = f"{entry.dated.isoformat()}|{entry.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed.field("cursor", "Con trỏ trang không hợp lệ.") from exc


def _words(q: str) -> list[str]:
    return re.findall(r"\w+", fold(q))[:20]


def _text_condition(q: str) -> Q | None:
    words = _words(q)
    if not words:
        return None
    if connection.vendor == "sqlite":
        # Every word, as an FTS5 string (no operator can be smuggled in); the last one as a prefix.
        match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
        ids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match.strip()])
        return Q(pk__in=ids)
    ids = RawSQL(
        "SELECT id FROM documents_searchentry "
        "WHERE to_tsvector('simple', documents_unaccent(text)) @@ plainto_tsquery('simple', documents_unaccent(%s))",
        [" ".join(words)],
    )
    return Q(pk__in=ids)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search(
    *, user, q: str = "", filters: SearchFilters | None = None, cursor: str | None = None, limit: int = 25
) -> SearchPage:
    """Documents ``user`` may see matching the words of ``q`` (all of them, in any order, without
    regard to diacritics or case) and ``filters``, newest first."""
    filters = filters or SearchFilters()
    if len(q or "") > MAX_QUERY:
        raise ValidationFailed.field("q", f"Từ khóa tìm kiếm dài quá {MAX_QUERY} ký tự.")
    if filters.kind not in ("", OUTGOING, INCOMING):
        raise ValidationFailed.field("kind", "Loại văn bản phải là văn bản đi hoặc văn bản đến.")
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationFailed.field("date_to", "Ngày kết thúc phải sau ngày bắt đầu.")
    visible = Q()
    if filters.kind != INCOMING:
        visible |= Q(kind=OUTGOING, document_id__in=selectors.outgoing_visible_to(user).values("pk"))
    if filters.kind != OUTGOING:
        visible |= Q(kind=INCOMING, document_id__in=selectors.incoming_visible_to(user).values("pk"))
    qs = SearchEntry.objects.filter(visible).select_related("doc_type")
    text = _text_condition(q)
    if text is not None:
        qs = qs.filter(text)
    if filters.type:
        qs = qs.filter(doc_type__code=filters.type)
    if filters.issuer.strip():
        qs = qs.filter(issuer_folded__contains=fold(filters.issuer.strip()))
    if filters.signer.strip():
        qs = qs.filter(signer_folded__contains=fold(filters.signer.strip()))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.date_from:
        qs = qs.filter(dated__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(dated__lt=_start_of(filters.date_to + timedelta(days=1)))
    if cursor:
        moment, pk = _decode(cursor)
        qs = qs.filter(Q(dated__lt=moment) | Q(dated=moment, pk__lt=pk))
    rows = list(qs.order_by("-dated", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return SearchPage(rows=rows, next_cursor=_encode(rows[-1]) if more and rows else None)
