"""Reads of the catalogue that several callers need: finding procedures, and the legal time of one."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from egov.calendar.engine import Unit
from egov.catalogue.models import LEVEL_FLAGS, ApplicantType, Channel, DurationUnit, Field, Level, Procedure
from egov.catalogue.specs import plain_decimal
from egov.catalogue.text import fold
from egov.core.errors import NotFound, ValidationFailed
from egov.organisations.models import Organisation

__all__ = [
    "by_code",
    "duration_for",
    "duration_under",
    "procedure_history",
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


def duration_under(version, procedure: Procedure, channel: int) -> tuple[Decimal, Unit]:
    """The legal time of a dossier filed under ``version`` (a ``ProcedureVersion``, or None for the
    procedure's current rows): a dossier keeps the time of the version it was received under."""
    if version is None:
        return duration_for(procedure, channel)
    durations = {int(d["channel"]): d for d in version.content.get("durations", [])}
    chosen = durations.get(int(channel)) or durations.get(int(Channel.IN_PERSON))
    if chosen is None:
        raise NotFound(
            f"Thủ tục {procedure.code} chưa có thời hạn giải quyết cho kênh {Channel(channel).label.lower()}."
        )
    return Decimal(str(chosen["amount"])), Unit(chosen["unit"])


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


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def _time_text(content: dict) -> str:
    units = dict(DurationUnit.choices)
    by_channel = {int(d["channel"]): d for d in content.get("durations", [])}
    chosen = by_channel.get(int(Channel.IN_PERSON)) or next(iter(by_channel.values()), None)
    if chosen is None:
        return ""
    amount = Decimal(str(chosen["amount"])).normalize()
    return f"{format(amount, 'f').replace('.', ',')} {str(units.get(chosen['unit'], chosen['unit'])).lower()}"


def procedure_history(procedure_code: str) -> list[dict]:
    """The versions of a procedure, newest first, each with what it changed from the one before:
    its date, decision, state (in force, coming, replaced), total fee, legal time, papers added and
    removed. One query."""
    from egov.catalogue.models import ProcedureVersion

    rows = list(ProcedureVersion.objects.filter(procedure__code=procedure_code).order_by("effective_from"))
    in_force = max((v.effective_from for v in rows if v.applied_at is not None), default=None)
    history, previous = [], None
    for version in rows:
        content = version.content
        fee = sum(int(f["amount"]) for f in content.get("fees", []))
        names = [c["name"] for c in content.get("components", [])]
        if version.applied_at is None:
            state = "coming"
        elif version.effective_from == in_force:
            state = "in_force"
        else:
            state = "replaced"
        entry = {
            "number": version.number,
            "effective_from": version.effective_from,
            "decision": version.decision,
            "state": state,
            "fee": _money(fee),
            "time": _time_text(content),
            "components": len(names),
            "added": [],
            "removed": [],
            "fee_changed": False,
            "time_changed": False,
        }
        if previous is not None:
            entry["added"] = [n for n in names if n not in previous["names"]]
            entry["removed"] = [n for n in previous["names"] if n not in names]
            entry["fee_changed"] = fee != previous["fee"]
            entry["time_changed"] = entry["time"] != previous["time"]
        previous = {"names": names, "fee": fee, "time": entry["time"]}
        history.append(entry)
    return list(reversed(history))


# The "Đối tượng thực hiện" each kind of account applies as (the procedure says who may ask for it;
# an organisation's account covers businesses and other organisations). Account kinds are those of
# people.User; officers apply for no one (they receive at the counter).
ACCOUNT_APPLICANT_TYPES = {"citizen": frozenset({"citizen"}), "business": frozenset({"business", "organisation"})}


def may_apply_for(user, procedure: Procedure) -> bool:
    """Whether ``user``'s kind of account is among the procedure's applicant types (none listed: anyone)."""
    wanted = set(procedure.applicant_types)
    return not wanted or bool(wanted & ACCOUNT_APPLICANT_TYPES.get(getattr(user, "kind", ""), frozenset()))


def applicant_type_refusal(procedure: Procedure) -> str:
    """Why an account of another kind cannot apply, in the applicant's words."""
    labels = ", ".join(str(ApplicantType(t).label).lower() for t in procedure.applicant_types)
    return f"Thủ tục '{procedure.name}' dành cho đối tượng: {labels}. Tài khoản của Ông/Bà không thuộc đối tượng này."
