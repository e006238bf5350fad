"""Reads of dossiers: rule set and process in force, worklists (keyset-paginated), on-time status."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from egov.access import policy
from egov.core.errors import NotFound, ValidationFailed
from egov.dossiers.models import Dossier, DossierTask, ProcessDefinition, RuleSet
from egov.dossiers.statuses import CLOCK_PAUSED, TRANSITIONS, WORKLIST, Status

__all__ = [
    "rule_set_on",
    "active_process",
    "cross_level_procedures",
    "Timeliness",
    "timeliness",
    "Worklist",
    "worklist",
    "WorklistFilter",
    "worklist_counts",
    "urgency",
    "encode_cursor",
    "decode_cursor",
    "get_dossier",
    "visible_dossier",
    "OfferedAction",
    "offered_actions",
    "task_rows",
]


def rule_set_on(day: date) -> RuleSet:
    found = RuleSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if found is None:
        raise NotFound(f"Chưa có bộ quy tắc nào có hiệu lực vào ngày {day:%d/%m/%Y}.")
    return found


def active_process(procedure, agency, receiving_agency=None) -> ProcessDefinition:
    """The process in force for dossiers of ``procedure`` decided by ``agency`` and received at
    ``receiving_agency``'s one-stop unit (None or ``agency`` itself: its own one-stop unit)."""
    elsewhere = receiving_agency is not None and receiving_agency.pk != agency.pk
    found = (
        ProcessDefinition.objects.filter(
            procedure=procedure,
            agency=agency,
            receiving_agency=receiving_agency if elsewhere else None,
            state=ProcessDefinition.State.ACTIVE,
        )
        .prefetch_related("steps")
        .first()
    )
    if found is None and elsewhere:
        raise ValidationFailed.field(
            "procedure",
            f"Chưa có quy trình liên thông để {receiving_agency.name} tiếp nhận hồ sơ thủ tục "
            f"'{procedure.name}' do {agency.name} giải quyết.",
        )
    if found is None:
        raise ValidationFailed.field(
            "procedure", f"{agency.name} chưa ban hành quy trình nội bộ cho thủ tục '{procedure.name}'."
        )
    return found


def cross_level_procedures(receiving_agency, on: date):
    """(procedure, deciding agency) pairs that ``receiving_agency``'s one-stop unit receives for
    another agency (liên thông across levels), from the processes in force."""
    rows = (
        ProcessDefinition.objects.filter(
            receiving_agency=receiving_agency,
            state=ProcessDefinition.State.ACTIVE,
            procedure__is_active=True,
        )
        .select_related("procedure", "agency")
        .order_by("procedure__name", "agency__name")
    )
    return [(p.procedure, p.agency) for p in rows if p.agency.is_active_on(on)]


def get_dossier(code: str) -> Dossier:
    dossier = (
        Dossier.objects.select_related(
            # The online form's answers (portal app) come in the same query: null for counter dossiers.
            "procedure",
            "agency",
            "receiving_unit",
            "rule_set",
            "current_unit",
            "current_assignee",
            "online_application__form",
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ có mã '{code}'.")
    return dossier


def visible_dossier(user, code: str) -> Dossier:
    """The dossier, if ``user`` may see it: its applicant, or officers of the unit holding it, of
    the one-stop unit that received it (which deals with the applicant throughout) or of the
    handling agency. Anyone else is told it does not exist."""
    dossier = get_dossier(code)
    mine = dossier.applicant_user_id is not None and dossier.applicant_user_id == user.pk
    units = (dossier.current_unit, dossier.receiving_unit, dossier.agency)
    if not mine and not any(u is not None and policy.has(user, "dossier.view", u) for u in units):
        raise NotFound(f"Không tìm thấy hồ sơ có mã '{code}'.")
    return dossier


class Timeliness(StrEnum):
    EARLY = "truoc_han"  # finished before the due date
    ON_TIME = "dung_han"  # finished on the due date
    LATE = "qua_han"
    WITHIN = "trong_han"  # not finished, due date still ahead

    @property
    def label(self) -> str:
        return {
            "truoc_han": pgettext_lazy("timeliness", "Trước hạn"),
            "dung_han": pgettext_lazy("timeliness", "Đúng hạn"),
            "qua_han": pgettext_lazy("timeliness", "Quá hạn"),
            "trong_han": pgettext_lazy("timeliness", "Trong hạn"),
        }[self.value]


def timeliness(
    *, due_at: datetime | None, finished_at: datetime | None, now: datetime | None = None
) -> Timeliness | None:
    """DOMAIN §5: finished before the due date → trước hạn, the same day → đúng hạn, later → quá hạn;
    unfinished and the due date still ahead → trong hạn, else quá hạn. Dates are Vietnam dates."""
    if due_at is None:
        return None
    due_day = timezone.localtime(due_at).date()
    if finished_at is not None:
        done_day = timezone.localtime(finished_at).date()
        if done_day < due_day:
            return Timeliness.EARLY
        return Timeliness.ON_TIME if done_day == due_day else Timeliness.LATE
    return Timeliness.WITHIN if (now or timezone.now()) <= due_at else Timeliness.LATE


class Worklist(StrEnum):
    MINE = "mine"
    UNIT = "unit"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def encode_cursor(dossier: Dossier) -> str:
    raw = json.dumps([dossier.due_at.isoformat() if dossier.due_at else None, dossier.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        due, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return (datetime.fromisoformat(due) if due else None), int(pk)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed.field("after", "Con trỏ trang không hợp lệ.") from exc


# Neither late nor due soon: the clock is stopped, or the work is done and only the hand-back remains.
NOT_RUNNING = CLOCK_PAUSED | {Status.DONE}


@dataclass(frozen=True)
class WorklistFilter:
    """What the officer narrowed the worklist to: free text (a code, the applicant's name or identity
    number, the procedure's name or code), a status, a channel. Empty: everything."""

    text: str = ""
    status: int | None = None
    channel: int | None = None

    def apply(self, qs: QuerySet) -> QuerySet:
        text = " ".join(self.text.split())[:100]
        if text:
            qs = qs.filter(
                Q(code__icontains=text)
                | Q(applicant_name__icontains=text)
                | Q(applicant_identity__startswith=text)
                | Q(procedure__name__icontains=text)
                | Q(procedure__code__icontains=text)
            )
        if self.status is not None:
            qs = qs.filter(status=self.status)
        if self.channel is not None:
            qs = qs.filter(channel=self.channel)
        return qs


def _worklist_queryset(*, user, kind: Worklist, now: datetime, due_soon_hours: int) -> QuerySet:
    qs: QuerySet = Dossier.objects.filter(status__in=WORKLIST)
    if kind == Worklist.MINE:
        return qs.filter(current_assignee=user)
    # What the user's units hold, filtered in SQL by the policy.
    qs = policy.scope(user, "dossier.view", qs, path_field="current_unit__path")
    # A dossier waiting for the applicant has its clock stopped: it is neither late nor due soon
    # (its due date moves when the applicant answers).
    if kind == Worklist.DUE_SOON:
        qs = qs.filter(due_at__gte=now, due_at__lte=now + timedelta(hours=due_soon_hours))
        qs = qs.exclude(status__in=NOT_RUNNING)
    elif kind == Worklist.OVERDUE:
        qs = qs.filter(due_at__lt=now).exclude(status__in=NOT_RUNNING)
    return qs


def worklist(
    *,
    user,
    kind: Worklist,
    after: str | None = None,
    limit: int = 50,
    due_soon_hours: int = 48,
    only: WorklistFilter | None = None,
) -> tuple[list[Dossier], str | None]:
    """One page of a worklist, keyset-paginated on (due date, id).

    Dossiers without a due date come first: online submissions waiting for reception (the desk acts
    on them before anything else, and they must not hide behind pages of received dossiers)."""
    qs = _worklist_queryset(user=user, kind=kind, now=timezone.now(), due_soon_hours=due_soon_hours)
    if only is not None:
        qs = only.apply(qs)
    if after:
        due, pk = decode_cursor(after)
        if due is None:
            qs = qs.filter(Q(due_at__isnull=True, pk__gt=pk) | Q(due_at__isnull=False))
        else:
            qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk))
    rows = list(
        qs.select_related("procedure", "current_unit", "current_assignee")
        .only(
            "code",
            "status",
            "due_at",
            "finished_at",
            "received_at",
            "submitted_at",
            "applicant_name",
            "applicant_identity",
            "channel",
            "agency_id",
            "procedure__name",
            "procedure__code",
            "current_unit__name",
            "current_unit__path",
            "current_assignee__username",
            "current_assignee__full_name",
        )
        .order_by(F("due_at").asc(nulls_first=True), "pk")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def worklist_counts(*, user, due_soon_hours: int = 48, only: WorklistFilter | None = None) -> dict[Worklist, int]:
    """How many dossiers each worklist holds (with the same filter): two aggregate queries."""
    from django.db.models import Count

    now = timezone.now()

    def narrowed(kind):
        qs = _worklist_queryset(user=user, kind=kind, now=now, due_soon_hours=due_soon_hours)
        return only.apply(qs) if only is not None else qs

    running = ~Q(status__in=NOT_RUNNING)
    unit = narrowed(Worklist.UNIT).aggregate(
        unit=Count("pk"),
        due_soon=Count("pk", filter=running & Q(due_at__gte=now, due_at__lte=now + timedelta(hours=due_soon_hours))),
        overdue=Count("pk", filter=running & Q(due_at__lt=now)),
    )
    return {
        Worklist.MINE: narrowed(Worklist.MINE).count(),
        Worklist.UNIT: unit["unit"],
        Worklist.DUE_SOON: unit["due_soon"],
        Worklist.OVERDUE: unit["overdue"],
    }


def urgency(dossier: Dossier, *, now: datetime | None = None, due_soon_hours: int = 48) -> str | None:
    """ "overdue" or "due_soon" for a dossier whose clock runs, for highlighting a worklist row."""
    if dossier.due_at is None or dossier.status in NOT_RUNNING:
        return None
    now = now or timezone.now()
    if dossier.due_at < now:
        return "overdue"
    return "due_soon" if dossier.due_at <= now + timedelta(hours=due_soon_hours) else None


def most_requested_procedures(*, limit: int = 8, days: int = 365):
    """The procedures with the most dossiers received in the last ``days`` (for the portal's home
    page), topped up with other active procedures when there are fewer."""
    from django.db.models import Count

    from egov.catalogue.models import Procedure

    since = timezone.now() - timedelta(days=days)
    counts = list(
        Dossier.objects.filter(submitted_at__gte=since, procedure__is_active=True)
        .values("procedure")
        .annotate(n=Count("id"))
        .order_by("-n", "procedure")[:limit]
    )
    by_pk = Procedure.objects.in_bulk([row["procedure"] for row in counts])
    chosen = [by_pk[row["procedure"]] for row in counts]
    if len(chosen) < limit:
        chosen += list(
            Procedure.objects.filter(is_active=True).exclude(pk__in=by_pk).order_by("code")[: limit - len(chosen)]
        )
    return chosen


# --- the officer's dossier page ------------------------------------------------------------------------

# The order actions appear in on the dossier page: what moves the dossier on first, then the rest,
# the ones that end the dossier for good last (and behind a confirmation).
ACTION_ORDER = (
    "accept",
    "supplement",
    "forward",
    "record_payment",
    "return_result",
    "claim",
    "request_supplement",
    "request_payment",
    "reassign",
    "apologize",
    "refuse",
    "withdraw",
    "stop",
)
# Irreversible: the dossier ends (refused, withdrawn, stopped); the page asks to confirm them.
ENDING_ACTIONS = frozenset({"refuse", "withdraw", "stop"})


@dataclass(frozen=True)
class OfferedAction:
    name: str
    label: str
    primary: bool = False

    @property
    def ends_dossier(self) -> bool:
        return self.name in ENDING_ACTIONS


def _pointless(name: str, dossier: Dossier, user) -> bool:
    """Actions the transition table allows from the status but that are already done or would be
    refused for what the dossier already holds: not offered (the services still check them)."""
    task_assignee = dossier.current_assignee_id
    if name == "claim":
        return dossier.current_task_id is None or task_assignee is not None
    if name == "forward":
        return dossier.current_task_id is None or (task_assignee is not None and task_assignee != user.pk)
    if name in ("record_payment", "request_payment"):
        return dossier.fee_paid_at is not None or (name == "record_payment" and dossier.fee_amount <= 0)
    if name == "return_result":
        return dossier.fee_amount > 0 and dossier.fee_paid_at is None  # the fee is recorded first
    if name == "apologize":
        return dossier.rescheduled  # one apology per dossier
    if name == "reassign":
        return dossier.current_task_id is None
    return False


def offered_actions(dossier: Dossier, user) -> list[OfferedAction]:
    """The actions this officer is offered on the dossier page, in ``ACTION_ORDER``; the first one
    that does not end the dossier is the main action."""
    from egov.dossiers.services import acting_unit  # services import this module

    names = [
        name
        for name in ACTION_ORDER
        if dossier.status in TRANSITIONS[name].sources
        and not _pointless(name, dossier, user)
        and policy.has(user, TRANSITIONS[name].permission, acting_unit(dossier, TRANSITIONS[name].permission))
    ]
    primary = next((name for name in names if name not in ENDING_ACTIONS), None)
    return [OfferedAction(name, TRANSITIONS[name].label, primary=name == primary) for name in names]


def task_rows(dossier: Dossier) -> list[DossierTask]:
    """The dossier's steps with the people on them (assignee, who finished the step) in one query."""
    return list(dossier.tasks.select_related("agency", "unit", "assignee", "finished_by").order_by("started_at", "pk"))
