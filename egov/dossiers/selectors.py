"""Reads of dossiers: rule set and process in force, worklists (keyset-paginated), on-time status."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from egov.access import policy
from egov.core.errors import NotFound, ValidationFailed
from egov.dossiers.models import Dossier, ProcessDefinition, RuleSet
from egov.dossiers.statuses import CLOCK_PAUSED, WORKLIST, Status

__all__ = [
    "rule_set_on",
    "active_process",
    "Timeliness",
    "timeliness",
    "Worklist",
    "worklist",
    "encode_cursor",
    "decode_cursor",
    "get_dossier",
    "visible_dossier",
]


def rule_set_on(day: date) -> RuleSet:
    found = RuleSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if found is None:
        raise NotFound(f"Chưa có bộ quy tắc nào có hiệu lực vào ngày {day:%d/%m/%Y}.")
    return found


def active_process(procedure, agency) -> ProcessDefinition:
    found = (
        ProcessDefinition.objects.filter(procedure=procedure, agency=agency, state=ProcessDefinition.State.ACTIVE)
        .prefetch_related("steps")
        .first()
    )
    if found is None:
        raise ValidationFailed.field(
            "procedure", f"{agency.name} chưa ban hành quy trình nội bộ cho thủ tục '{procedure.name}'."
        )
    return found


def get_dossier(code: str) -> Dossier:
    dossier = (
        Dossier.objects.select_related(
            # The online form's answers (portal app) come in the same query: null for counter dossiers.
            "procedure",
            "agency",
            "receiving_unit",
            "rule_set",
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
        return {"truoc_han": "Trước hạn", "dung_han": "Đúng hạn", "qua_han": "Quá hạn", "trong_han": "Trong hạn"}[
            self.value
        ]


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


def worklist(
    *, user, kind: Worklist, after: str | None = None, limit: int = 50, due_soon_hours: int = 48
) -> tuple[list[Dossier], str | None]:
    """One page of a worklist, ordered by due date then id (keyset on an indexed column pair)."""
    qs: QuerySet = Dossier.objects.filter(status__in=WORKLIST)
    if kind == Worklist.MINE:
        qs = qs.filter(current_assignee=user)
    else:
        # What the user's units hold, filtered in SQL by the policy.
        qs = policy.scope(user, "dossier.view", qs, path_field="current_unit__path")
        # A dossier waiting for the applicant has its clock stopped: it is neither late nor due soon
        # (its due date moves when the applicant answers).
        if kind == Worklist.DUE_SOON:
            now = timezone.now()
            qs = qs.filter(due_at__gte=now, due_at__lte=now + timedelta(hours=due_soon_hours))
            qs = qs.exclude(status__in=NOT_RUNNING)
        elif kind == Worklist.OVERDUE:
            qs = qs.filter(due_at__lt=timezone.now()).exclude(status__in=NOT_RUNNING)
    if after:
        # Dossiers without a due date (online ones not received yet) come last, on both databases.
        due, pk = decode_cursor(after)
        if due is None:
            qs = qs.filter(due_at__isnull=True, pk__gt=pk)
        else:
            qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk) | Q(due_at__isnull=True))
    rows = list(
        qs.select_related("procedure", "current_unit", "current_assignee")
        .only(
            "code",
            "status",
            "due_at",
            "finished_at",
            "received_at",
            "applicant_name",
            "channel",
            "agency_id",
            "procedure__name",
            "procedure__code",
            "current_unit__name",
            "current_unit__path",
            "current_assignee__username",
            "current_assignee__full_name",
        )
        .order_by(F("due_at").asc(nulls_last=True), "pk")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


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
