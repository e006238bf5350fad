"""Reads of the catalogue that several callers need: finding procedures, and the legal time of one."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from egov.calendar.engine import Unit
from egov.catalogue.models import LEVEL_FLAGS, Channel, Field, Level, Procedure
from egov.catalogue.specs import plain_decimal
from egov.catalogue.text import fold
from egov.core.errors import NotFound, ValidationFailed
from egov.organisations.models import Organisation

__all__ = [
    "by_code",
    "duration_for",
    "search",
    "search_page",
    "procedure_summary",
    "procedure_detail",
    "RANK_CODE",
    "RANK_PREFIX",
    "RANK_PHRASE",
    "RANK_WORDS",
]

# How well a procedure matches the query, best first (the ``rank`` annotation of :func:`search`).
RANK_CODE = 0  # the code, or the national procedure number, exactly
RANK_PREFIX = 1  # the name starts with the query
RANK_PHRASE = 2  # the name or code contains the query as typed
RANK_WORDS = 3  # the name or code contains every word of the query, in any order

_NATIONAL_NUMBER = re.compile(r"[0-9]\.[0-9]{6}")


def by_code(code: str) -> Procedure | None:
    return Procedure.objects.select_related("field").filter(code=code).first()


def duration_for(procedure: Procedure, channel: int) -> tuple[Decimal, Unit]:
    """The legal processing time for a dossier filed through ``channel`` (1 in person, 2 online,
    3 post), as ``(amount, unit)`` for :func:`egov.calendar.engine.compute_due`.

    A procedure that publishes no time for that channel uses its in-person time: the law sets one
    time per procedure, and catalogues list other channels only where they differ. Uses prefetched
    ``durations`` when present. Raises :class:`~egov.core.errors.NotFound` when there is no time.
    """
    channel = Channel(channel)
    durations = {d.channel: d for d in procedure.durations.all()}
    chosen = durations.get(channel) or durations.get(Channel.IN_PERSON)
    if chosen is None:
        raise NotFound(f"Thủ tục {procedure.code} chưa có thời hạn giải quyết cho kênh {channel.label.lower()}.")
    return chosen.amount, Unit(chosen.unit)


def search(
    q: str | None = None,
    *,
    field: Field | str | None = None,
    agency: Organisation | str | None = None,
    level: str | None = None,
    online_level: str | None = None,
    active_only: bool = True,
) -> QuerySet[Procedure]:
    """Procedures matching ``q`` regardless of case and diacritics ("dang ky khai sinh" and "đăng ký
    khai sinh" alike), narrowed by field (instance or code), agency (instance or code in either form),
    implementing level and online level. Annotated with ``rank`` and ordered by ``(rank, code)``,
    a unique key usable as a keyset cursor.
    """
    qs = Procedure.objects.select_related("field")
    if active_only:
        qs = qs.filter(is_active=True)
    if field is not None:
        qs = qs.filter(field=field) if isinstance(field, Field) else qs.filter(field__code=field)
    if agency is not None:
        if isinstance(agency, Organisation):
            qs = qs.filter(agencies=agency)
        else:
            qs = qs.filter(Q(agencies__code=agency) | Q(agencies__legacy_code=agency))
    if level:
        qs = qs.filter(**{LEVEL_FLAGS[Level(level)]: True})
    if online_level:
        qs = qs.filter(online_level=online_level)

    words = fold(q).split()
    if not words:
        return qs.annotate(rank=Value(RANK_CODE, output_field=IntegerField())).order_by("rank", "code")
    phrase = " ".join(words)
    exact = (q or "").strip().upper()
    # A national procedure number ("1.001193") finds the procedure whatever agency published it.
    is_code = Q(code__startswith=f"{exact}.") if _NATIONAL_NUMBER.fullmatch(exact) else Q(code=exact)
    every_word = Q()
    for word in words:
        every_word &= Q(search_text__contains=word)
    return (
        qs.filter(is_code | every_word)
        .annotate(
            rank=Case(
                When(is_code, then=Value(RANK_CODE)),
                When(search_text__startswith=phrase, then=Value(RANK_PREFIX)),
                When(search_text__contains=phrase, then=Value(RANK_PHRASE)),
                default=Value(RANK_WORDS),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "code")
    )


def search_page(qs: QuerySet[Procedure], *, after: str | None, limit: int) -> tuple[list[Procedure], str | None]:
    """One page of :func:`search` results after the cursor ``"<rank>:<code>"``, and the next cursor."""
    if after:
        rank, sep, code = after.partition(":")
        if not sep or not rank.isdigit() or not code:
            raise ValidationFailed.field("after", "Con trỏ trang không hợp lệ.")
        qs = qs.filter(Q(rank__gt=int(rank)) | Q(rank=int(rank), code__gt=code))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (f"{rows[-1].rank}:{rows[-1].code}" if more and rows else None)


def implementing_agencies() -> list[Organisation]:
    """The agencies that implement at least one active procedure, by name (the search page's filter)."""
    return list(Organisation.objects.filter(procedures__is_active=True).distinct().order_by("name"))


def procedure_summary(p: Procedure) -> dict:
    """What a list shows of a procedure (the API's and the pages' shape)."""
    return {
        "code": p.code,
        "name": p.name,
        "field": {"code": p.field.code, "name": p.field.name},
        "levels": p.levels,
        "online_level": p.online_level,
        "applicant_types": p.applicant_types,
        "channels": p.channels,
        "is_active": p.is_active,
    }


def procedure_detail(code: str) -> dict | None:
    """Everything the catalogue says about a procedure, or None if there is no such code."""
    procedure = (
        Procedure.objects.select_related("field")
        .prefetch_related("agencies", "components", "durations", "fees", "results")
        .filter(code=code)
        .first()
    )
    if procedure is None:
        return None
    return {
        **procedure_summary(procedure),
        "mot_phan_reason": procedure.mot_phan_reason,
        "steps": procedure.steps,
        "requirements": procedure.requirements,
        "legal_basis": procedure.legal_basis,
        "result_description": procedure.result_description,
        "agencies": [
            {"code": org.code, "legacy_code": org.legacy_code, "name": org.name}
            for org in sorted(procedure.agencies.all(), key=lambda org: org.identifier)
        ],
        "components": [
            {
                "id": c.pk,
                "order": c.order,
                "name": c.name,
                "originals": c.originals,
                "certified_copies": c.certified_copies,
                "photocopies": c.photocopies,
                "required": c.required,
                "template_url": reverse("catalogue:component_template", args=[procedure.code, c.pk])
                if c.template
                else None,
                "note": c.note,
            }
            for c in procedure.components.all()
        ],
        "durations": [
            {"channel": d.channel, "amount": plain_decimal(d.amount), "unit": d.unit, "note": d.note}
            for d in procedure.durations.all()
        ],
        "fees": [{"kind": f.kind, "name": f.name, "amount": f.amount, "note": f.note} for f in procedure.fees.all()],
        "results": [{"name": r.name} for r in procedure.results.all()],
    }
