"""Versions of a procedure over time (issue #7, item 22): a decision publishing a procedure changes
its fees, components or legal time from a date on.

* :func:`publish_version` records a new version with its effective date instead of overwriting; one
  in force today (or earlier) is written to the procedure's rows at once, a later one waits.
* :func:`apply_due_versions` writes the versions whose date has come (the ``apply_procedure_versions``
  command runs it daily; reception runs it for its procedure first, so a dossier filed on the day a
  version takes effect already gets it).
* :func:`version_in_force` is the version a dossier filed now is filed under.

The procedure's own rows (components, durations, fees, results) always hold the version in force,
so every reader of the catalogue keeps working unchanged; ``ProcedureVersion.content`` keeps each
version whole for the history and for the dossiers received under it.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from egov.audit import services as audit
from egov.catalogue import jsondoc
from egov.catalogue.models import Procedure, ProcedureVersion
from egov.catalogue.specs import ProcedureSpec, spec_from_procedure, spec_to_dict
from egov.core.errors import DomainError, FieldError, ValidationFailed

__all__ = [
    "publish_version",
    "apply_due_versions",
    "version_in_force",
    "record_first_version",
    "refresh_current_version",
    "spec_of",
]

logger = logging.getLogger(__name__)


def spec_of(version: ProcedureVersion) -> ProcedureSpec:
    """The version's content as a spec (the JSON exchange form, read by the JSON importer)."""
    errors: list = []
    spec, _children = jsondoc._procedure(0, version.content, errors)
    if errors:  # content is written from valid specs only
        raise ValueError(f"Procedure version {version.pk} has unreadable content: {errors}")
    return spec


def record_first_version(procedure: Procedure, spec: ProcedureSpec) -> ProcedureVersion:
    """Version 1 of a procedure new to the catalogue, in force from today."""
    return ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        effective_from=timezone.localdate(),
        content=spec_to_dict(spec),
        applied_at=timezone.now(),
    )


def refresh_current_version(procedure: Procedure, spec: ProcedureSpec) -> None:
    """An edit without an effective date corrects the version in force (typos, a wrong fee entered):
    its recorded content follows the procedure's rows."""
    current = version_in_force(procedure)
    if current is None:
        record_first_version(procedure, spec)
    else:
        ProcedureVersion.objects.filter(pk=current.pk).update(content=spec_to_dict(spec))


def version_in_force(procedure: Procedure, *, on: date | None = None) -> ProcedureVersion | None:
    """The version applied last, among those in force on ``on`` (today by default)."""
    day = on or timezone.localdate()
    return (
        ProcedureVersion.objects.filter(procedure=procedure, effective_from__lte=day, applied_at__isnull=False)
        .order_by("-effective_from")
        .first()
    )


@transaction.atomic
def publish_version(
    *, by, procedure: Procedure, spec: ProcedureSpec, effective_from: date, decision: str = ""
) -> ProcedureVersion:
    """A new version from ``effective_from``; the current one stays in force until then.

    Checked like an edit of the procedure; the date must be later than every earlier version's.
    """
    from egov.catalogue import services  # services imports this module

    services._require_manage(by)
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    errors: list[FieldError] = []
    try:
        spec, _lookups = services._checked(spec, existing=procedure)
    except ValidationFailed as exc:
        errors += exc.errors
    decision = " ".join((decision or "").split())
    if len(decision) > 300:
        errors.append(FieldError("decision", "Số, ký hiệu quyết định công bố dài quá 300 ký tự."))
    latest = ProcedureVersion.objects.filter(procedure=procedure).aggregate(d=Max("effective_from"), n=Max("number"))
    if latest["d"] is not None and effective_from <= latest["d"]:
        errors.append(
            FieldError(
                "effective_from",
                f"Ngày có hiệu lực phải sau ngày {latest['d']:%d/%m/%Y} của phiên bản gần nhất.",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=(latest["n"] or 0) + 1,
        effective_from=effective_from,
        decision=decision,
        content=spec_to_dict(spec),
    )
    audit.record(
        actor=by,
        action="catalogue.procedure.publish_version",
        target=procedure,
        after={"number": version.number, "effective_from": effective_from.isoformat(), "decision": decision},
    )
    if effective_from <= timezone.localdate():
        apply_due_versions(procedure=procedure)
        version.refresh_from_db()
    return version


@transaction.atomic
def apply_due_versions(*, procedure: Procedure | None = None, today: date | None = None) -> int:
    """Write to the procedures' rows every waiting version whose date has come; returns how many.

    A version that no longer passes the checks (an agency dissolved since) stays waiting and is
    logged: the version before it stays in force.
    """
    from egov.catalogue import services

    day = today or timezone.localdate()
    due = ProcedureVersion.objects.filter(applied_at__isnull=True, effective_from__lte=day)
    if procedure is not None:
        due = due.filter(procedure=procedure)
    applied = 0
    for version in due.select_for_update().order_by("procedure_id", "effective_from"):
        try:
            with transaction.atomic():
                current = Procedure.objects.get(pk=version.procedure_id)
                services.update_procedure(by=None, procedure=current, spec=spec_of(version), versioned=True)
                version.applied_at = timezone.now()
                version.save(update_fields=["applied_at"])
        except DomainError as exc:
            logger.warning("Procedure version %s not applied: %s", version, exc.message)
            continue
        applied += 1
    return applied


def current_spec(procedure: Procedure) -> ProcedureSpec:
    return spec_from_procedure(procedure)
