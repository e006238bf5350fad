"""Every change a citizen or business makes on the portal: drafts, online submission (idempotent),
the personal document store, and the online forms administrators define. Each function validates,
authorises and writes in one transaction; the dossier itself is created by the one-stop shop's
service (``egov.dossiers.services.submit_online``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max

from egov.audit import services as audit
from egov.catalogue import selectors as catalogue
from egov.catalogue.models import Procedure
from egov.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from egov.core.uploads import check_upload, discarded_on_error, remember_written, storage_name
from egov.dossiers import documents
from egov.dossiers import services as dossiers
from egov.dossiers.models import Dossier, DossierFile, DossierResult
from egov.dossiers.services import ApplicantInput, ComponentInput, UploadInput
from egov.organisations.models import Organisation
from egov.portal import schema as schemas
from egov.portal.models import Draft, DraftFile, OnlineApplication, PersonalDocument, SubmissionForm
from egov.portal.selectors import active_form, schema_of

__all__ = [
    "keep_certified_copy",
    "may_submit",
    "save_draft",
    "discard_draft",
    "draft_problems",
    "submit",
    "submit_draft",
    "add_personal_document",
    "delete_personal_document",
    "create_form_version",
    "activate_form",
    "resolve_reuse",
]

MAX_FILES_PER_COMPONENT = 10
_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,100}")


def may_submit(user) -> bool:
    """Citizens' and businesses' own, active accounts submit online; officers use the counter."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.kind in ("citizen", "business"))


def _require_applicant(user) -> None:
    if not may_submit(user):
        raise PermissionDenied("Chỉ tài khoản công dân, doanh nghiệp được nộp hồ sơ trực tuyến.")


def _require_applicant_type(user, procedure: Procedure) -> None:
    if not catalogue.may_apply_for(user, procedure):
        raise PermissionDenied(catalogue.applicant_type_refusal(procedure))


def _online_procedure(procedure: Procedure) -> None:
    if not (procedure.is_active and procedure.channel_online):
        raise ValidationFailed.field("procedure", f"Thủ tục '{procedure.name}' không nhận hồ sơ trực tuyến.")


# --- reuse ------------------------------------------------------------------------------------------


def resolve_reuse(by, ref: str, *, field: str) -> UploadInput | FieldError:
    """The content of a reused document: ``document:<id>`` from the store, ``result:<id>`` a signed
    result of one of the user's own dossiers."""
    kind, _, raw_id = ref.partition(":")
    if not raw_id.isdigit():
        return FieldError(field, f"Giấy tờ tái sử dụng '{ref}' không hợp lệ.")
    if kind == "document":
        doc = PersonalDocument.objects.filter(pk=int(raw_id), owner=by).first()
        if doc is not None:
            with doc.file.open("rb") as handle:
                return UploadInput(name=doc.original_name, content=handle.read(), reused_from=ref)
    elif kind == "result":
        result = (
            DossierResult.objects.filter(pk=int(raw_id), dossier__applicant_user=by).select_related("dossier").first()
        )
        if result is not None:
            with result.pdf.open("rb") as handle:
                content = handle.read()
            return UploadInput(name=f"{result.name}.pdf"[:255], content=content, reused_from=f"result:{result.pk}")
    return FieldError(field, "Không tìm thấy giấy tờ này trong kho dữ liệu của Ông/Bà.")


# --- drafts -----------------------------------------------------------------------------------------


def _agency(procedure: Procedure, agency_id) -> Organisation | None:
    if agency_id in (None, ""):
        return None
    try:
        return procedure.agencies.filter(pk=int(agency_id)).first()
    except (TypeError, ValueError):
        return None


@discarded_on_error()
@transaction.atomic
def save_draft(
    *,
    by,
    procedure: Procedure,
    agency_id=None,
    applicant: Mapping[str, str] | None = None,
    raw_data: Mapping[str, str] | None = None,
    uploads: Mapping[int, list[UploadInput]] | None = None,
    reuse: Mapping[int, list[str]] | None = None,
    remove_files: list[int] | None = None,
) -> tuple[Draft, list[FieldError]]:
    """Keep what was typed and every acceptable file; return the files refused (with the reason). A
    draft is never refused for incomplete data: that is checked on submission."""
    _require_applicant(by)
    _online_procedure(procedure)
    _require_applicant_type(by, procedure)
    draft, _ = Draft.objects.select_for_update().get_or_create(owner=by, procedure=procedure)
    schema = schema_of(procedure)
    draft.agency = _agency(procedure, agency_id) if agency_id is not None else draft.agency
    if applicant is not None:
        keys = ("name", "identity", "address", "phone", "email")
        draft.applicant = {k: str(applicant.get(k, "")).strip()[:300] for k in keys}
    if raw_data is not None:
        draft.data = schemas.coerce(schema, raw_data)
    draft.save()
    if remove_files:
        DraftFile.objects.filter(draft=draft, pk__in=remove_files).delete()
    components = {c.pk: (i, c) for i, c in enumerate(procedure.components.order_by("order", "pk"))}
    refused: list[FieldError] = []
    counts = dict.fromkeys(components, 0)
    for f in DraftFile.objects.filter(draft=draft).values_list("procedure_component_id", flat=True):
        counts[f] = counts.get(f, 0) + 1
    wanted: list[tuple[int, UploadInput]] = []
    for pk, files in (uploads or {}).items():
        wanted += [(pk, f) for f in files]
    for pk, refs in (reuse or {}).items():
        index = components.get(pk, (0, None))[0]
        for ref in refs:
            resolved = resolve_reuse(by, ref, field=f"components.{index}.files")
            if isinstance(resolved, FieldError):
                refused.append(resolved)
            else:
                wanted.append((pk, resolved))
    for pk, upload in wanted:
        if pk not in components:
            refused.append(FieldError("components", "Thành phần hồ sơ không thuộc thủ tục này."))
            continue
        index, component = components[pk]
        field = f"components.{index}.files"
        if counts[pk] >= MAX_FILES_PER_COMPONENT:
            refused.append(FieldError(field, f"Mỗi thành phần tối đa {MAX_FILES_PER_COMPONENT} tệp."))
            continue
        checked = check_upload(field=field, name=upload.name, content=upload.content)
        if isinstance(checked, FieldError):
            refused.append(checked)
            continue
        if DraftFile.objects.filter(draft=draft, procedure_component=component, sha256=checked.sha256).exists():
            continue  # the same file twice for the same component: once is enough
        stored = DraftFile(
            draft=draft,
            procedure_component=component,
            original_name=checked.name,
            content_type=checked.content_type,
            size=len(checked.content),
            sha256=checked.sha256,
            reused_from=upload.reused_from,
        )
        stored.file.save(storage_name(checked), ContentFile(checked.content), save=False)
        remember_written(stored.file)
        stored.save()
        counts[pk] += 1
    return draft, refused


def draft_problems(draft: Draft) -> list[FieldError]:
    """What would stop the draft from being submitted, without submitting it (shown with refused
    uploads, so that every problem is reported at once)."""
    form = active_form(draft.procedure)
    errors = schemas.validate(form.schema if form else schemas.DEFAULT_SCHEMA, draft.data)
    if draft.agency_id is None:
        errors.append(FieldError("agency", "Hãy chọn cơ quan giải quyết."))
    a = draft.applicant or {}
    if not str(a.get("name", "")).strip():
        errors.append(FieldError("applicant.name", "Tên chủ hồ sơ không được để trống."))
    if not (a.get("email") or a.get("phone")):
        errors.append(
            FieldError("applicant.email", "Hồ sơ trực tuyến cần thư điện tử hoặc số điện thoại để nhận thông báo.")
        )
    attached = set(draft.files.values_list("procedure_component_id", flat=True))
    missing = [
        c.name
        for c in draft.procedure.components.order_by("order", "pk")
        if c.required and not c.shown_in_person and c.pk not in attached
    ]
    if missing:
        errors.append(FieldError("components", "Thiếu thành phần hồ sơ: " + "; ".join(missing) + "."))
    return errors


@transaction.atomic
def discard_draft(*, by, procedure: Procedure) -> None:
    Draft.objects.filter(owner=by, procedure=procedure).delete()


# --- submission -------------------------------------------------------------------------------------


def _replay(by, key: str, procedure: Procedure) -> Dossier | None:
    application = (
        OnlineApplication.objects.filter(applicant=by, idempotency_key=key, dossier__isnull=False)
        .select_related("dossier")
        .first()
    )
    if application is None:
        return None
    if application.dossier.procedure_id != procedure.pk:
        raise Conflict(
            "Khóa chống gửi trùng (Idempotency-Key) này đã dùng cho một hồ sơ khác.",
            details={"dossier_code": application.dossier.code},
        )
    return application.dossier


def _keep_in_store(by, dossier: Dossier) -> None:
    """New files of an online dossier join the applicant's store, to be reused next time (one row per
    content: a file already kept is not kept twice)."""
    files = list(DossierFile.objects.filter(component__dossier=dossier, reused=False).select_related("component"))
    kept = set(
        PersonalDocument.objects.filter(owner=by, sha256__in={f.sha256 for f in files}).values_list("sha256", flat=True)
    )
    new = {}
    for f in files:
        if f.sha256 not in kept and f.sha256 not in new:
            new[f.sha256] = PersonalDocument(
                owner=by,
                name=f.component.name[:255],
                file=f.file.name,
                original_name=f.original_name,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
                source=PersonalDocument.Source.SUBMITTED,
                dossier_code=dossier.code,
            )
    PersonalDocument.objects.bulk_create(new.values())


def submit(
    *,
    by,
    procedure: Procedure,
    agency: Organisation | None,
    applicant: ApplicantInput,
    data: Mapping,
    components: list[ComponentInput],
    idempotency_key: str,
    draft: Draft | None = None,
) -> tuple[Dossier, bool]:
    """Submit online. Returns the dossier and whether it was created now: the same key again (a double
    click, a retry after a lost answer) returns the dossier made the first time and creates nothing."""
    _require_applicant(by)
    if not _KEY.fullmatch(idempotency_key or ""):
        raise ValidationFailed.field(
            "idempotency_key", "Khóa chống gửi trùng phải có 8–100 ký tự chữ, số hoặc - _ . : (ví dụ một UUID)."
        )
    existing = _replay(by, idempotency_key, procedure)
    if existing is not None:
        return existing, False
    try:
        with discarded_on_error(), transaction.atomic():
            # The key first: a concurrent request with the same key waits here, then finds it taken.
            application = OnlineApplication.objects.create(applicant=by, idempotency_key=idempotency_key)
            _online_procedure(procedure)
            _require_applicant_type(by, procedure)
            form = active_form(procedure)
            schema = form.schema if form else schemas.DEFAULT_SCHEMA
            errors = schemas.validate(schema, dict(data))
            dossier = None
            if agency is None:
                errors.append(FieldError("agency", "Hãy chọn cơ quan giải quyết."))
            else:
                matter = str(data.get("matter") or (form.title if form else procedure.name))
                applicant = replace(applicant, matter=matter[:500])
                try:
                    dossier = dossiers.submit_online(
                        by=by, procedure=procedure, agency=agency, applicant=applicant, components=components
                    )
                except ValidationFailed as exc:
                    errors = exc.errors + errors
            if errors:
                # The rows go with the rollback; discarded_on_error removes the files written for them.
                raise ValidationFailed(errors, "Hồ sơ chưa nộp được: hãy sửa các mục được đánh dấu.")
            application.dossier = dossier
            application.form = form
            application.data = dict(data)
            application.save(update_fields=["dossier", "form", "data"])
            _keep_in_store(by, dossier)
            if draft is not None:
                draft.delete()
            documents.notify(dossier, "dossier.submitted")
            return dossier, True
    except IntegrityError:
        existing = _replay(by, idempotency_key, procedure)
        if existing is None:
            raise
        return existing, False


def submit_draft(*, by, procedure: Procedure, idempotency_key: str) -> tuple[Dossier, bool]:
    """Submit the user's draft for ``procedure``, files and all."""
    _require_applicant(by)
    existing = _replay(by, idempotency_key, procedure) if _KEY.fullmatch(idempotency_key or "") else None
    if existing is not None:
        return existing, False
    draft = Draft.objects.filter(owner=by, procedure=procedure).select_related("agency").first()
    if draft is None:
        raise NotFound("Không tìm thấy hồ sơ nháp; hãy điền lại tờ khai.")
    by_component: dict[int, list[UploadInput]] = {}
    for f in draft.files.all():
        with f.file.open("rb") as handle:
            by_component.setdefault(f.procedure_component_id, []).append(
                UploadInput(name=f.original_name, content=handle.read(), reused_from=f.reused_from)
            )
    components = [
        ComponentInput(procedure_component_id=pk, provided=bool(files), uploads=tuple(files))
        for pk, files in by_component.items()
    ]
    a = draft.applicant
    applicant = ApplicantInput(
        name=a.get("name", ""),
        identity=a.get("identity", ""),
        address=a.get("address", ""),
        phone=a.get("phone", ""),
        email=a.get("email", ""),
    )
    return submit(
        by=by,
        procedure=procedure,
        agency=draft.agency,
        applicant=applicant,
        data=draft.data,
        components=components,
        idempotency_key=idempotency_key,
        draft=draft,
    )


# --- personal store ---------------------------------------------------------------------------------


@discarded_on_error()
@transaction.atomic
def add_personal_document(*, by, name: str, upload: UploadInput) -> PersonalDocument:
    _require_applicant(by)
    errors = []
    if not name.strip():
        errors.append(FieldError("name", "Cần ghi tên giấy tờ."))
    checked = (
        check_upload(field="file", name=upload.name, content=upload.content) if upload.content or upload.name else None
    )
    if checked is None:
        errors.append(FieldError("file", "Hãy chọn tệp cần lưu."))
    elif isinstance(checked, FieldError):
        errors.append(checked)
    elif PersonalDocument.objects.filter(owner=by, sha256=checked.sha256).exists():
        errors.append(FieldError("file", "Tệp này đã có trong kho dữ liệu của Ông/Bà."))
    if errors:
        raise ValidationFailed(errors)
    doc = PersonalDocument(
        owner=by,
        name=name.strip()[:255],
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        source=PersonalDocument.Source.UPLOADED,
    )
    doc.file.save(storage_name(checked), ContentFile(checked.content), save=False)
    remember_written(doc.file)
    doc.save()
    audit.record(actor=by, action="portal.document_add", target=doc, after={"name": doc.name, "sha256": doc.sha256})
    return doc


@discarded_on_error()
@transaction.atomic
def keep_certified_copy(*, owner, name: str, file_name: str, content: bytes) -> PersonalDocument:
    """An electronic certified copy issued to ``owner`` lands in their store, reusable in later
    dossiers with the legal value of the original (NĐ 45/2020 Đ6). Called by the certifying service,
    which has checked the content; the same copy is kept once."""
    sha256 = hashlib.sha256(content).hexdigest()
    existing = PersonalDocument.objects.filter(owner=owner, sha256=sha256).first()
    if existing is not None:
        return existing
    doc = PersonalDocument(
        owner=owner,
        name=name[:255],
        original_name=file_name[:255],
        content_type="application/pdf",
        size=len(content),
        sha256=sha256,
        source=PersonalDocument.Source.CERTIFIED,
    )
    doc.file.save(f"{sha256[:16]}-{file_name}", ContentFile(content), save=False)
    remember_written(doc.file)
    doc.save()
    audit.record(actor=None, action="portal.document_certified", target=doc, after={"name": doc.name, "sha256": sha256})
    return doc


@transaction.atomic
def delete_personal_document(*, by, pk: int) -> None:
    doc = PersonalDocument.objects.filter(pk=pk, owner=by).first()
    if doc is None:
        raise NotFound("Không tìm thấy giấy tờ trong kho dữ liệu của Ông/Bà.")
    audit.record(actor=by, action="portal.document_delete", target=doc, before={"name": doc.name, "sha256": doc.sha256})
    doc.delete()  # the file stays: dossiers that used it still point to it


# --- forms (administrators) -------------------------------------------------------------------------


@transaction.atomic
def create_form_version(
    *, by, procedure: Procedure, title: str, schema: dict, activate: bool = False
) -> SubmissionForm:
    """A new version of the procedure's online form; versions are never edited once used."""
    errors = [FieldError("schema", m) for m in schemas.check_schema(schema)]
    if not title.strip():
        errors.append(FieldError("title", "Cần ghi tên tờ khai."))
    if errors:
        raise ValidationFailed(errors)
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    version = (SubmissionForm.objects.filter(procedure=procedure).aggregate(v=Max("version"))["v"] or 0) + 1
    form = SubmissionForm.objects.create(procedure=procedure, version=version, title=title.strip(), schema=schema)
    audit.record(actor=by, action="portal.form_create", target=form, after={"version": version, "title": form.title})
    if activate:
        activate_form(by=by, form=form)
    return form


@transaction.atomic
def activate_form(*, by, form: SubmissionForm) -> SubmissionForm:
    problems = schemas.check_schema(form.schema)
    if problems:
        raise ValidationFailed([FieldError("schema", m) for m in problems])
    SubmissionForm.objects.filter(procedure=form.procedure_id, is_active=True).exclude(pk=form.pk).update(
        is_active=False
    )
    SubmissionForm.objects.filter(pk=form.pk).update(is_active=True)
    form.is_active = True
    audit.record(actor=by, action="portal.form_activate", target=form, after={"version": form.version})
    return form
