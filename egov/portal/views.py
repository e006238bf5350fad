"""The citizen's pages: the online form of a procedure (draft, submit), "my dossiers", the dossier
page (steps, due date, supplement, withdrawal, payment, results, rating) and the personal store.

Handlers parse, call one service or selector, render. Every form posts normally and works without
JavaScript; the browser checks the form's constraints first (HTML attributes from the schema), the
server checks them again.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.catalogue import selectors as catalogue
from egov.catalogue.models import Procedure
from egov.core.errors import DomainError, NotFound
from egov.core.files import serve_stored_file
from egov.core.forms import errors_by_field
from egov.dossiers import services as dossier_services
from egov.dossiers.models import DossierResult
from egov.dossiers.selectors import most_requested_procedures
from egov.dossiers.services import ComponentInput, UploadInput
from egov.dossiers.statuses import TRANSITIONS, Status
from egov.feedback.models import Rating
from egov.organisations import selectors as organisations
from egov.payments import services as payments
from egov.portal import schema as schemas
from egov.portal import selectors, services
from egov.portal.models import PersonalDocument

APPLICANT_FIELDS = (
    ("name", _("Họ và tên chủ hồ sơ (hoặc tên tổ chức)"), "text", "name"),
    ("identity", _("Số định danh cá nhân / mã số thuế"), "text", "off"),
    ("address", _("Địa chỉ"), "text", "street-address"),
    ("phone", _("Số điện thoại"), "tel", "tel"),
    ("email", _("Thư điện tử"), "email", "email"),
)


def home(request):
    """The home page: the most requested procedures, and the ways in for citizens and officers."""
    return render(request, "portal/home.html", {"popular": most_requested_procedures(limit=8)})


def _profile_defaults(user) -> dict[str, str]:
    profile = getattr(user, "citizen_profile", None)
    return {
        "name": (profile.organisation_name if profile and profile.organisation_name else "") or user.get_full_name(),
        "identity": (profile and (profile.identity_number or profile.tax_code)) or "",
        "address": (profile and profile.address) or "",
        "phone": user.phone,
        "email": user.email,
    }


# Answers of the online form the account already knows, by the form field's name (the names the
# province's forms use for the applicant's own particulars): not asked again.
PREFILLED_FROM_ACCOUNT = {
    "full_name": "name",
    "applicant_name": "name",
    "date_of_birth": "date_of_birth",
    "birth_date": "date_of_birth",
    "identity_number": "identity",
    "residence": "address",
    "address": "address",
}


def _account_answers(user, schema) -> dict[str, str]:
    known = _profile_defaults(user)
    profile = getattr(user, "citizen_profile", None)
    birth = profile.date_of_birth if profile and profile.date_of_birth else None
    known["date_of_birth"] = birth.isoformat() if birth else ""
    return {
        spec.name: known[PREFILLED_FROM_ACCOUNT[spec.name]]
        for spec in schemas.fields(schema)
        if spec.name in PREFILLED_FROM_ACCOUNT and known.get(PREFILLED_FROM_ACCOUNT[spec.name])
    }


def _agency_from_address(agencies: list[dict], address: str) -> str:
    """The one agency whose place name (the name without "UBND") is in the applicant's address, for a
    procedure of many communes; "" when none or several match."""
    text = " ".join(address.lower().split())
    if not text:
        return ""
    matches = [a for a in agencies if (place := a["name"].lower().removeprefix("ubnd").strip()) and place in text]
    return str(matches[0]["pk"]) if len(matches) == 1 else ""


def _online_procedure(code: str) -> Procedure:
    procedure = Procedure.objects.filter(code=code, is_active=True).select_related("field").first()
    if procedure is None:
        raise Http404("Không tìm thấy thủ tục.")
    return procedure


def _apply_context(request, procedure, *, errors: dict[str, list[str]] | None = None, posted=None) -> dict:
    errors = errors or {}
    draft = selectors.draft_of(request.user, procedure)
    schema = selectors.schema_of(procedure)
    form = selectors.active_form(procedure)
    applicant = (draft.applicant if draft and draft.applicant else None) or _profile_defaults(request.user)
    data = draft.data if draft else _account_answers(request.user, schema)
    if posted is not None:  # show what was typed, even where it did not pass
        applicant = {name: posted.get(f"applicant.{name}", "") for name, *_ in APPLICANT_FIELDS}
        data = {spec.name: posted.get(f"data.{spec.name}", "") for spec in schemas.fields(schema)}
    applicant_fields = [
        {
            "name": f"applicant.{name}",
            "id": f"applicant.{name}",
            "label": label,
            "type": kind,
            "autocomplete": autocomplete,
            "value": applicant.get(name, ""),
            "errors": errors.get(f"applicant.{name}", []),
            "required": name == "name",
        }
        for name, label, kind, autocomplete in APPLICANT_FIELDS
    ]
    data_fields = [
        {
            "spec": spec,
            "name": f"data.{spec.name}",
            "id": f"data.{spec.name}",
            "value": data.get(spec.name, "" if spec.type != "boolean" else False),
            "errors": errors.get(f"data.{spec.name}", []),
        }
        for spec in schemas.fields(schema)
    ]
    files = list(draft.files.all()) if draft else []
    reusable = selectors.reusable_documents(request.user)
    components = [
        {
            "component": c,
            "index": i,
            "id": f"components.{i}.files",
            "files": [f for f in files if f.procedure_component_id == c.pk],
            "errors": errors.get(f"components.{i}.files", []),
        }
        for i, c in enumerate(procedure.components.order_by("order", "pk"))
    ]
    agency_id = (posted.get("agency") if posted is not None else None) or (draft.agency_id if draft else None)
    agencies = list(procedure.agencies.order_by("name"))
    # Where the dossier will actually go, as configured: each agency's receiving unit.
    units = organisations.receiving_units_of(agencies, timezone.localdate())
    agencies = [{"pk": a.pk, "name": a.name, "unit": units[a.pk].name if a.pk in units else ""} for a in agencies]
    if not agency_id and len(agencies) > 1:
        agency_id = _agency_from_address(agencies, applicant.get("address", ""))
    return {
        "procedure": procedure,
        "form": form,
        "agencies": agencies,
        "agency_id": str(agency_id or ""),
        "applicant_fields": applicant_fields,
        "data_fields": data_fields,
        "components": components,
        "reusable": reusable,
        "draft": draft,
        "errors": errors,
        # The summary at the top links each message to its field (ids are the field names).
        "field_errors": {field: messages_ for field, messages_ in errors.items() if field != "form"},
        "form_error": (errors.get("form") or [""])[0],
        "idempotency_key": (posted.get("idempotency_key") if posted is not None else None) or uuid.uuid4().hex,
        "fees": list(procedure.fees.all()),
    }


@login_required
@require_http_methods(["GET", "POST"])
def apply_page(request, code: str):
    procedure = _online_procedure(code)
    if not services.may_submit(request.user):
        return render(request, "portal/not_applicant.html", {"procedure": procedure}, status=403)
    if not procedure.channel_online:
        return render(request, "portal/not_online.html", {"procedure": procedure}, status=409)
    if not catalogue.may_apply_for(request.user, procedure):
        context = {"procedure": procedure, "reason": catalogue.applicant_type_refusal(procedure)}
        return render(request, "portal/not_applicant.html", context, status=403)
    if request.method == "GET":
        return render(request, "portal/apply.html", _apply_context(request, procedure))
    action = request.POST.get("action", "submit")
    if action == "discard":
        services.discard_draft(by=request.user, procedure=procedure)
        messages.success(request, _("Đã xóa hồ sơ nháp."))
        return redirect("portal:apply", code=code)
    components = list(procedure.components.order_by("order", "pk"))
    uploads = {
        c.pk: [UploadInput(name=f.name, content=f.read()) for f in request.FILES.getlist(f"component-{c.pk}")]
        for c in components
    }
    reuse = {c.pk: [r for r in request.POST.getlist(f"reuse-{c.pk}") if r] for c in components}
    remove = [int(v) for v in request.POST.getlist("remove_file") if v.isdigit()]
    applicant = {name: request.POST.get(f"applicant.{name}", "") for name, *_ in APPLICANT_FIELDS}
    raw = {k.removeprefix("data."): v for k, v in request.POST.items() if k.startswith("data.")}
    try:
        _draft, refused = services.save_draft(
            by=request.user,
            procedure=procedure,
            agency_id=request.POST.get("agency", ""),
            applicant=applicant,
            raw_data=raw,
            uploads=uploads,
            reuse=reuse,
            remove_files=remove,
        )
    except DomainError as exc:
        context = _apply_context(
            request, procedure, errors=errors_by_field(exc) or {"form": [exc.message]}, posted=request.POST
        )
        return render(request, "portal/apply.html", context, status=exc.status)
    if refused:
        problems = services.draft_problems(_draft) if action == "submit" else []
        context = _apply_context(
            request, procedure, errors=errors_by_field(None, refused + problems), posted=request.POST
        )
        return render(request, "portal/apply.html", context, status=422)
    if action == "draft":
        messages.success(request, _("Đã lưu hồ sơ nháp. Ông/Bà có thể quay lại nộp sau."))
        return redirect("portal:apply", code=code)
    try:
        dossier, created = services.submit_draft(
            by=request.user, procedure=procedure, idempotency_key=request.POST.get("idempotency_key", "")
        )
    except DomainError as exc:
        errors = errors_by_field(exc) or {"form": [exc.message]}
        context = _apply_context(request, procedure, errors=errors, posted=request.POST)
        return render(request, "portal/apply.html", context, status=exc.status)
    if created:
        messages.success(
            request,
            _("Đã nộp hồ sơ %(code)s. Hồ sơ đang chờ cơ quan tiếp nhận; thông báo được gửi tới Ông/Bà.")
            % {"code": dossier.code},
        )
    return redirect("portal:dossier", code=dossier.code)


# The citizen's filter on "my dossiers": plain groups of statuses rather than the ten codes.
MY_DOSSIER_GROUPS = {
    "dang-giai-quyet": (
        _("Đang giải quyết"),
        frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.WAITING_PAYMENT, Status.DONE}),
    ),
    "can-bo-sung": (_("Cần bổ sung"), frozenset({Status.WAITING_SUPPLEMENT})),
    "da-tra-ket-qua": (_("Đã trả kết quả"), frozenset({Status.RETURNED})),
    "da-ket-thuc": (
        _("Không tiếp nhận, đã rút hoặc dừng"),
        frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}),
    ),
}


@login_required
@require_GET
def my_dossiers_page(request):
    group = request.GET.get("tinh_trang", "")
    group = group if group in MY_DOSSIER_GROUPS else ""
    statuses = MY_DOSSIER_GROUPS[group][1] if group else None
    try:
        rows, cursor = selectors.my_dossiers(request.user, after=request.GET.get("sau") or None, statuses=statuses)
    except DomainError:
        return redirect("portal:my_dossiers")
    return render(
        request,
        "portal/my_dossiers.html",
        {
            "rows": rows,
            "cursor": cursor,
            "first_page": not request.GET.get("sau"),
            "drafts": selectors.my_drafts(request.user),
            "group": group,
            "groups": [(key, label) for key, (label, _statuses) in MY_DOSSIER_GROUPS.items()],
        },
    )


def _dossier_context(request, dossier, *, errors=None, form_name: str = "") -> dict:
    tasks = list(dossier.tasks.order_by("order", "started_at", "pk").select_related("unit"))
    withdraw = TRANSITIONS["withdraw"]
    owes_fee = dossier.fee_amount > 0 and dossier.fee_paid_at is None
    return {
        "dossier": dossier,
        "status_label": Status(dossier.status).label,
        "tasks": tasks,
        "components": list(dossier.components.prefetch_related("files")),
        "forms": list(dossier.forms.order_by("issued_at", "pk")),
        "results": list(DossierResult.objects.filter(dossier=dossier).order_by("issued_at", "pk")),
        "supplement_request": dossier.supplement_requests.filter(fulfilled_at__isnull=True)
        .order_by("-requested_at")
        .first()
        if dossier.status == Status.WAITING_SUPPLEMENT
        else None,
        "may_withdraw": dossier.status in withdraw.sources,
        # Offered only where the payment can be recorded; before reception the page says when.
        "may_pay": owes_fee
        and dossier.status in payments.payable_statuses()
        and payments.may_pay(request.user, dossier),
        "pay_after_reception": owes_fee and dossier.status in (Status.NEW, Status.WAITING_SUPPLEMENT),
        "may_rate": dossier.status == Status.RETURNED and not Rating.objects.filter(dossier=dossier).exists(),
        "events": list(dossier.events.order_by("at", "pk")),
        "errors": errors or {},
        "form_name": form_name,
        "reusable": selectors.reusable_documents(request.user) if dossier.status == Status.WAITING_SUPPLEMENT else [],
    }


def _own(request, code: str):
    try:
        return selectors.my_dossier(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def dossier_page(request, code: str):
    return render(request, "portal/dossier.html", _dossier_context(request, _own(request, code)))


@login_required
@require_POST
def supplement(request, code: str):
    dossier = _own(request, code)
    components, refused = [], []
    for row in dossier.components.all():
        files = [UploadInput(name=f.name, content=f.read()) for f in request.FILES.getlist(f"component-{row.pk}")]
        for ref in filter(None, request.POST.getlist(f"reuse-{row.pk}")):
            resolved = services.resolve_reuse(request.user, ref, field="components")
            (files if isinstance(resolved, UploadInput) else refused).append(resolved)
        components.append(
            ComponentInput(
                procedure_component_id=row.procedure_component_id, provided=bool(files), uploads=tuple(files)
            )
        )
    if refused:
        context = _dossier_context(request, dossier, errors=errors_by_field(None, refused), form_name="supplement")
        return render(request, "portal/dossier.html", context, status=422)
    try:
        dossier_services.submit_supplement(
            by=request.user, code=code, components=components, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        context = _dossier_context(
            request, dossier, errors=errors_by_field(exc) or {"form": [exc.message]}, form_name="supplement"
        )
        return render(request, "portal/dossier.html", context, status=exc.status)
    messages.success(request, _("Đã nộp hồ sơ bổ sung. Cơ quan tiếp tục giải quyết hồ sơ."))
    return redirect("portal:dossier", code=code)


@login_required
@require_POST
def withdraw(request, code: str):
    dossier = _own(request, code)
    try:
        dossier_services.withdraw(by=request.user, dossier=dossier, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        context = _dossier_context(
            request, dossier, errors=errors_by_field(exc) or {"form": [exc.message]}, form_name="withdraw"
        )
        return render(request, "portal/dossier.html", context, status=exc.status)
    messages.success(request, _("Đã rút hồ sơ."))
    return redirect("portal:dossier", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def store_page(request):
    if not services.may_submit(request.user):
        return render(request, "portal/not_applicant.html", {}, status=403)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            services.add_personal_document(
                by=request.user,
                name=request.POST.get("name", ""),
                upload=UploadInput(name=upload.name, content=upload.read()) if upload else UploadInput("", b""),
            )
        except DomainError as exc:
            errors, status = errors_by_field(exc) or {"form": [exc.message]}, exc.status
        else:
            messages.success(request, _("Đã lưu giấy tờ vào kho dữ liệu."))
            return redirect("portal:store")
    return render(
        request,
        "portal/store.html",
        {"items": selectors.reusable_documents(request.user), "errors": errors, "values": request.POST},
        status=status,
    )


@login_required
@require_GET
def store_download(request, pk: int):
    doc = get_object_or_404(PersonalDocument, pk=pk, owner=request.user)
    return serve_stored_file(doc.file.name, content_type=doc.content_type, filename=doc.original_name)


@login_required
@require_POST
def store_delete(request, pk: int):
    try:
        services.delete_personal_document(by=request.user, pk=pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Đã xóa giấy tờ khỏi kho dữ liệu."))
    return redirect("portal:store")
