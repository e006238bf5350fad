"""Every change to the procedure catalogue goes through here: validated, authorised, atomic, audited.

The provincial catalogue is announced for the whole province (the Chairman's decision publishing the
list of procedures), so managing it needs ``catalogue.manage`` over the whole tree, i.e. a position
at the province; a department administrator cannot edit it.

Imports (Excel, JSON, the demo data) are all or nothing: every row is read and validated first, each
bad value is reported with its place in the file, and only a clean file is written, in one
transaction, one audit record per procedure that changed.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.catalogue import jsondoc, validation, workbook
from egov.catalogue.exchange import ImportFailed, Parsed, RowError
from egov.catalogue.models import (
    APPLICANT_FLAGS,
    CHANNEL_FLAGS,
    LEVEL_FLAGS,
    Field,
    Procedure,
    ProcedureComponent,
    ProcedureDuration,
    ProcedureFee,
    ProcedureResult,
)
from egov.catalogue.specs import (
    ComponentSpec,
    FieldSpec,
    ProcedureSpec,
    field_spec,
    spec_from_procedure,
    spec_to_dict,
)
from egov.catalogue.text import fold
from egov.catalogue.validation import MOT_PHAN_REASON_REQUIRED_FROM
from egov.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed

__all__ = [
    "create_field",
    "update_field",
    "check_field",
    "create_procedure",
    "update_procedure",
    "check_procedure",
    "set_procedure_active",
    "import_catalogue",
    "import_excel",
    "import_json",
    "export_excel",
    "export_json",
    "ImportSummary",
    "ImportFailed",
    "Progress",
    "MOT_PHAN_REASON_REQUIRED_FROM",
]

Progress = Callable[[int, int], None]


def _today() -> date:
    return timezone.localdate()


def _require_manage(by) -> None:
    if not policy.has_everywhere(by, "catalogue.manage"):
        raise PermissionDenied(f"Bạn không có quyền: {policy.PERMISSIONS['catalogue.manage'].lower()}.")


# --------------------------------------------------------------------------------------------------
# Fields (lĩnh vực)
# --------------------------------------------------------------------------------------------------


@transaction.atomic
def create_field(*, by, code: str, name: str, managing_sector: str = "") -> Field:
    _require_manage(by)
    spec = validation.normalise_field(FieldSpec(code=code, name=name, managing_sector=managing_sector))
    errors = validation.validate_field(spec)
    if spec.code and Field.objects.filter(code=spec.code).exists():
        errors.append(FieldError("code", f"Mã lĩnh vực {spec.code} đã có."))
    if errors:
        raise ValidationFailed(errors)
    field = Field.objects.create(code=spec.code, name=spec.name, managing_sector=spec.managing_sector)
    audit.record(actor=by, action="catalogue.field.create", target=field, after=audit.snapshot(field))
    return field


@transaction.atomic
def update_field(*, by, field: Field, name: str | None = None, managing_sector: str | None = None) -> Field:
    """Rename a field or change its managing sector; the code is its identity and does not change."""
    _require_manage(by)
    field = Field.objects.select_for_update().get(pk=field.pk)
    spec = validation.normalise_field(
        FieldSpec(
            code=field.code,
            name=field.name if name is None else name,
            managing_sector=field.managing_sector if managing_sector is None else managing_sector,
        )
    )
    errors = validation.validate_field(spec)
    if errors:
        raise ValidationFailed(errors)
    return _save_field(by, field, spec)


def check_field(*, by, code: str, name: str, managing_sector: str = "", field: Field | None = None) -> None:
    """Validate as :func:`create_field` (or :func:`update_field` of ``field``) would, writing nothing."""
    _require_manage(by)
    spec = validation.normalise_field(
        FieldSpec(code=field.code if field else code, name=name, managing_sector=managing_sector)
    )
    errors = validation.validate_field(spec)
    if field is None and spec.code and Field.objects.filter(code=spec.code).exists():
        errors.append(FieldError("code", f"Mã lĩnh vực {spec.code} đã có."))
    if errors:
        raise ValidationFailed(errors)


def _save_field(by, field: Field, spec: FieldSpec) -> Field:
    if field_spec(field) == spec:
        return field
    before = audit.snapshot(field)
    field.name, field.managing_sector = spec.name, spec.managing_sector
    field.save(update_fields=["name", "managing_sector"])
    audit.record(actor=by, action="catalogue.field.update", target=field, before=before, after=audit.snapshot(field))
    return field


def _checked(spec: ProcedureSpec, *, existing: Procedure | None) -> tuple[ProcedureSpec, validation.Lookups]:
    spec = validation.normalise(spec)
    lookups = validation.Lookups([spec])
    errors = validation.validate(spec, lookups=lookups, today=_today())
    if existing is None:
        if spec.code and Procedure.objects.filter(code=spec.code).exists():
            errors.append(FieldError("code", f"Mã thủ tục {spec.code} đã có trong danh mục."))
    elif spec.code != existing.code:
        errors.append(
            FieldError("code", "Không sửa được mã thủ tục: hãy thêm thủ tục mới và ngừng áp dụng thủ tục cũ.")
        )
    if errors:
        raise ValidationFailed(errors)
    return validation.canonical(spec, lookups), lookups


# --------------------------------------------------------------------------------------------------
# Procedures: writing
# --------------------------------------------------------------------------------------------------


def _values(spec: ProcedureSpec, field: Field) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": spec.name,
        "field": field,
        "online_level": spec.online_level,
        "mot_phan_reason": spec.mot_phan_reason,
        "steps": spec.steps,
        "requirements": spec.requirements,
        "legal_basis": spec.legal_basis,
        "result_description": spec.result_description,
        "is_active": spec.is_active,
        "search_text": fold(f"{spec.name} {spec.code}"),
    }
    for flags, chosen in ((LEVEL_FLAGS, spec.levels), (APPLICANT_FLAGS, spec.applicant_types)):
        values.update({flag: str(value) in chosen for value, flag in flags.items()})
    values.update({flag: int(value) in spec.channels for value, flag in CHANNEL_FLAGS.items()})
    return values


_COMPONENT_FIELDS = ["order", "name", "originals", "certified_copies", "photocopies", "required", "template", "note"]


def _fill_component(row: ProcedureComponent, order: int, c: ComponentSpec) -> None:
    row.order, row.name, row.note, row.required = order, c.name, c.note, c.required
    row.originals, row.certified_copies, row.photocopies = c.originals, c.certified_copies, c.photocopies
    if isinstance(c.template, str):
        row.template = c.template
    else:
        # Stored now, inside the transaction: a rollback leaves an unreferenced file behind, never
        # a row pointing at a missing one.
        row.template.save(os.path.basename(c.template.name), c.template, save=False)


def _write_children(
    procedure: Procedure, spec: ProcedureSpec, *, existing: list[ProcedureComponent], new_procedure: bool = False
) -> None:
    # Components keep their ids when their name is kept: dossiers point at them.
    by_name = {c.name: c for c in existing}
    kept, new = [], []
    for order, c in enumerate(spec.components, start=1):
        row = by_name.pop(c.name, None) or ProcedureComponent(procedure=procedure)
        _fill_component(row, order, c)
        (kept if row.pk else new).append(row)
    if by_name:
        ProcedureComponent.objects.filter(pk__in=[c.pk for c in by_name.values()]).delete()
    if kept:
        ProcedureComponent.objects.bulk_update(kept, _COMPONENT_FIELDS)
    if new:
        ProcedureComponent.objects.bulk_create(new)
    if not new_procedure:
        ProcedureDuration.objects.filter(procedure=procedure).delete()
        ProcedureFee.objects.filter(procedure=procedure).delete()
        ProcedureResult.objects.filter(procedure=procedure).delete()
    ProcedureDuration.objects.bulk_create(
        [
            ProcedureDuration(procedure=procedure, channel=d.channel, amount=d.amount, unit=d.unit, note=d.note)
            for d in spec.durations
        ]
    )
    ProcedureFee.objects.bulk_create(
        [
            ProcedureFee(procedure=procedure, order=i, kind=f.kind, name=f.name, amount=f.amount, note=f.note)
            for i, f in enumerate(spec.fees, start=1)
        ]
    )
    ProcedureResult.objects.bulk_create(
        [ProcedureResult(procedure=procedure, order=i, name=r.name) for i, r in enumerate(spec.results, start=1)]
    )


def _write(by, spec: ProcedureSpec, *, existing: Procedure | None, field: Field, lookups: validation.Lookups) -> str:
    """Create or update from a canonical, valid spec; ``"created"``, ``"updated"`` or ``"unchanged"``."""
    agency_ids = sorted({lookups.agencies[c].pk for c in spec.agencies})
    if existing is None:
        try:
            with transaction.atomic():
                procedure = Procedure.objects.create(code=spec.code, **_values(spec, field))
        except IntegrityError as exc:  # a concurrent write took the code between check and insert
            raise Conflict(f"Mã thủ tục {spec.code} vừa được thêm bởi thao tác khác; hãy thử lại.") from exc
        through = Procedure.agencies.through
        through.objects.bulk_create([through(procedure=procedure, organisation_id=pk) for pk in agency_ids])
        _write_children(procedure, spec, existing=[], new_procedure=True)
        audit.record(actor=by, action="catalogue.procedure.create", target=procedure, after=spec_to_dict(spec))
        return "created"
    before = spec_from_procedure(existing)
    if before == spec:
        return "unchanged"
    for name, value in _values(spec, field).items():
        setattr(existing, name, value)
    existing.save()
    existing.agencies.set(agency_ids)
    _write_children(existing, spec, existing=list(existing.components.all()))
    audit.record(
        actor=by,
        action="catalogue.procedure.update",
        target=existing,
        before=spec_to_dict(before),
        after=spec_to_dict(spec),
    )
    return "updated"


def _with_children(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("field").prefetch_related("agencies", "components", "durations", "fees", "results")


@transaction.atomic
def create_procedure(*, by, spec: ProcedureSpec) -> Procedure:
    _require_manage(by)
    spec, lookups = _checked(spec, existing=None)
    _write(by, spec, existing=None, field=lookups.fields[spec.field], lookups=lookups)
    return Procedure.objects.get(code=spec.code)


@transaction.atomic
def update_procedure(*, by, procedure: Procedure, spec: ProcedureSpec) -> Procedure:
    """Replace everything the procedure says with ``spec`` (its code stays)."""
    _require_manage(by)
    existing = _with_children(Procedure.objects.select_for_update(of=("self",))).get(pk=procedure.pk)
    spec, lookups = _checked(spec, existing=existing)
    _write(by, spec, existing=existing, field=lookups.fields[spec.field], lookups=lookups)
    return Procedure.objects.get(pk=existing.pk)


def check_procedure(*, by, spec: ProcedureSpec, procedure: Procedure | None = None) -> None:
    """Validate as :func:`create_procedure` / :func:`update_procedure` would, writing nothing."""
    _require_manage(by)
    _checked(spec, existing=procedure)


@transaction.atomic
def set_procedure_active(*, by, procedure: Procedure, is_active: bool) -> Procedure:
    """Stop applying a procedure (or apply it again); it stays in the catalogue for old dossiers."""
    _require_manage(by)
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.is_active != is_active:
        procedure.is_active = is_active
        procedure.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor=by,
            action="catalogue.procedure.update",
            target=procedure,
            before={"is_active": not is_active},
            after={"is_active": is_active},
        )
    return procedure


# --------------------------------------------------------------------------------------------------
# Import and export
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    fields_created: int = 0
    fields_updated: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def procedures(self) -> int:
        return self.created + self.updated + self.unchanged


def _progress_steps(total: int) -> set[int]:
    """At most ~100 reports however large the file: every 1 %, and the last row."""
    step = max(1, total // 100)
    return set(range(step, total + 1, step)) | {total}


def _run_import(by, parsed: Parsed, progress: Progress | None) -> ImportSummary:
    _require_manage(by)
    errors: list[RowError] = list(parsed.errors)
    locate = parsed.locator

    fields = [validation.normalise_field(f) for f in parsed.fields]
    first_field_at: dict[str, int] = {}
    for i, spec in enumerate(fields):
        errors.extend(locate.field(i, e.field, e.message) for e in validation.validate_field(spec))
        if spec.code in first_field_at:
            errors.append(locate.field(i, "code", f"Mã lĩnh vực {spec.code} bị lặp lại trong tệp."))
        first_field_at.setdefault(spec.code, i)

    procedures = [validation.normalise(p) for p in parsed.procedures]
    lookups = validation.Lookups(procedures, pending_fields=first_field_at)
    today = _today()
    first_procedure_at: dict[str, int] = {}
    for i, spec in enumerate(procedures):
        if spec.code and spec.code in first_procedure_at:
            # A repeated row is reported as such; its details (rows of other sheets go to the first
            # one) would only add noise.
            errors.append(locate.procedure(i, "code", f"Mã thủ tục {spec.code} bị lặp lại trong tệp."))
            continue
        first_procedure_at[spec.code] = i
        errors.extend(
            locate.procedure(i, e.field, e.message) for e in validation.validate(spec, lookups=lookups, today=today)
        )
    if errors:
        # A value that could not be read is reported once: not again as, say, "missing".
        unreadable = {e.location for e in parsed.errors}
        raise ImportFailed(parsed.errors + [e for e in errors[len(parsed.errors) :] if e.location not in unreadable])

    counts = dict(fields_created=0, fields_updated=0, created=0, updated=0, unchanged=0)
    existing_fields = {f.code: f for f in Field.objects.select_for_update().filter(code__in=first_field_at)}
    for spec in fields:
        field = existing_fields.get(spec.code)
        if field is None:
            field = Field.objects.create(code=spec.code, name=spec.name, managing_sector=spec.managing_sector)
            audit.record(actor=by, action="catalogue.field.create", target=field, after=audit.snapshot(field))
            counts["fields_created"] += 1
        elif field_spec(field) != spec:
            _save_field(by, field, spec)
            counts["fields_updated"] += 1
        lookups.fields[spec.code] = field
    lookups.fields.update(
        {f.code: f for f in Field.objects.filter(code__in={p.field for p in procedures} - set(lookups.fields))}
    )

    existing = {
        p.code: p
        for p in _with_children(Procedure.objects.select_for_update(of=("self",)).filter(code__in=first_procedure_at))
    }
    total = len(procedures)
    report_at = _progress_steps(total)
    if progress is not None:
        progress(0, total)
    for done, spec in enumerate(procedures, start=1):
        spec = validation.canonical(spec, lookups)
        outcome = _write(by, spec, existing=existing.get(spec.code), field=lookups.fields[spec.field], lookups=lookups)
        counts[outcome] += 1
        if progress is not None and done in report_at:
            progress(done, total)
    summary = ImportSummary(**counts)
    if summary.fields_created or summary.fields_updated or summary.created or summary.updated:
        audit.record(
            actor=by,
            action="catalogue.import",
            target=None,
            target_repr=parsed.source[:300],
            after={"source": parsed.source, **counts},
        )
    return summary


@transaction.atomic
def import_catalogue(
    *,
    by,
    procedures: Iterable[ProcedureSpec],
    fields: Iterable[FieldSpec] = (),
    progress: Progress | None = None,
    source: str = "",
) -> ImportSummary:
    """Upsert fields and procedures by code, all or nothing. Errors are placed like a JSON import's
    (``procedures[3].components[0].name``)."""
    return _run_import(by, Parsed(fields=list(fields), procedures=list(procedures), source=source), progress)


def _source_name(file) -> str:
    if isinstance(file, (str, os.PathLike)):
        return os.path.basename(os.fspath(file))
    return os.path.basename(getattr(file, "name", "") or "")


@transaction.atomic
def import_excel(*, by, file, progress: Progress | None = None) -> ImportSummary:
    """Import a workbook laid out as ``EXCEL_TEMPLATE.md`` describes. ``file``: a path, bytes or a
    binary file object. Raises :class:`ImportFailed` listing every bad cell; writes nothing then."""
    _require_manage(by)
    parsed = workbook.read(io.BytesIO(file) if isinstance(file, bytes) else file)
    parsed.source = _source_name(file) if not isinstance(file, bytes) else "excel"
    return _run_import(by, parsed, progress)


@transaction.atomic
def import_json(*, by, data, progress: Progress | None = None, source: str = "") -> ImportSummary:
    """Import the JSON exchange document (a dict, JSON text or bytes, or a file object). ``source``
    names it in the audit trail (default: the file's name, or "json")."""
    _require_manage(by)
    source = source or (_source_name(data) if hasattr(data, "read") else "json")
    if hasattr(data, "read"):
        data = data.read()
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ImportFailed([RowError.file(f"Nội dung JSON không hợp lệ: {exc}")]) from exc
    parsed = jsondoc.read(data)
    parsed.source = source
    return _run_import(by, parsed, progress)


def _export_parts(queryset: QuerySet) -> tuple[list[FieldSpec], list[ProcedureSpec], dict[str, str]]:
    procedures = list(_with_children(queryset.order_by("code")))
    fields = sorted({p.field_id: field_spec(p.field) for p in procedures}.values(), key=lambda f: f.code)
    names = {org.identifier: org.name for p in procedures for org in p.agencies.all()}
    return fields, [spec_from_procedure(p) for p in procedures], names


def export_excel(queryset: QuerySet) -> bytes:
    """The procedures of ``queryset`` as a workbook that :func:`import_excel` reads back unchanged.
    An empty queryset gives the blank template."""
    fields, specs, names = _export_parts(queryset)
    return workbook.write(fields, specs, agency_names=names)


def export_json(queryset: QuerySet) -> dict:
    fields, specs, _names = _export_parts(queryset)
    return jsondoc.write(fields, specs)
