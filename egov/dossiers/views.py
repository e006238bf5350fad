"""Officer pages (reception, worklists, the dossier page with its actions) and the public lookup.

Handlers parse, call one service or selector, render. Forms post normally (they work without
JavaScript); htmx only loads the next page of a worklist in place.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.access import policy
from egov.catalogue.models import Procedure
from egov.core.errors import DomainError, ValidationFailed
from egov.core.files import serve_stored_file
from egov.core.forms import errors_by_field
from egov.dossiers import api as dossier_api
from egov.dossiers import documents, selectors, services
from egov.dossiers.models import Dossier, DossierFile, DossierResult, IssuedForm
from egov.dossiers.statuses import TRANSITIONS, Status
from egov.organisations import selectors as organisations
from egov.organisations.models import Organisation
from egov.people.models import Position


def _receiving_agencies(user) -> list[Organisation]:
    """Agencies whose one-stop unit this officer receives for."""
    units = [
        p.unit
        for p in Position.objects.active_on(timezone.localdate()).filter(user=user).select_related("unit", "role")
        if "dossier.receive" in p.role.permissions
    ]
    agencies = {agency.pk: agency for agency in map(organisations.agency_of, units)}
    return sorted(agencies.values(), key=lambda a: a.name)


@login_required
@require_GET
def worklist_page(request):
    kind = request.GET.get("ds", selectors.Worklist.UNIT)
    try:
        kind = selectors.Worklist(kind)
    except ValueError:
        kind = selectors.Worklist.UNIT
    try:
        rows, cursor = selectors.worklist(user=request.user, kind=kind, after=request.GET.get("sau") or None, limit=25)
    except ValidationFailed:
        rows, cursor = [], None
    context = {
        "kind": kind,
        "kinds": [
            (selectors.Worklist.MINE, "Của tôi"),
            (selectors.Worklist.UNIT, "Của đơn vị"),
            (selectors.Worklist.DUE_SOON, "Sắp đến hạn"),
            (selectors.Worklist.OVERDUE, "Quá hạn"),
        ],
        "rows": [(d, selectors.timeliness(due_at=d.due_at, finished_at=None)) for d in rows],
        "cursor": cursor,
        "can_receive": bool(_receiving_agencies(request.user)),
    }
    template = "dossiers/_worklist_rows.html" if request.headers.get("HX-Request") else "dossiers/worklist.html"
    return render(request, template, context)


def _whole_number(raw: str | None, *, field: str, label: str, default: int = 1) -> int:
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed.field(field, f"{label} phải là số nguyên.") from None


@login_required
@require_http_methods(["GET", "POST"])
def reception_page(request):
    agencies = _receiving_agencies(request.user)
    if not agencies:
        return render(request, "dossiers/no_access.html", status=403)
    agency = next(
        (a for a in agencies if str(a.pk) == request.GET.get("co_quan", request.POST.get("agency"))), agencies[0]
    )
    procedures = list(Procedure.objects.filter(agencies=agency, is_active=True).order_by("name"))
    procedure = next(
        (p for p in procedures if p.code == (request.POST.get("procedure") or request.GET.get("thu_tuc"))), None
    )
    context = {
        "agencies": agencies,
        "agency": agency,
        "procedures": procedures,
        "procedure": procedure,
        "components": list(procedure.components.order_by("order", "pk")) if procedure else [],
        "errors": {},
        "error": None,
        "values": request.POST if request.method == "POST" else {},
    }
    if request.method == "POST" and procedure is not None:
        components = []
        for component in context["components"]:
            uploads = tuple(
                services.UploadInput(name=f.name, content=f.read())
                for f in request.FILES.getlist(f"files_{component.pk}")
            )
            components.append(
                services.ComponentInput(component.pk, request.POST.get(f"provided_{component.pk}") == "on", uploads)
            )
        try:
            channel = _whole_number(request.POST.get("channel"), field="channel", label="Kênh tiếp nhận")
            sets_count = _whole_number(request.POST.get("sets_count"), field="sets_count", label="Số bộ hồ sơ")
            dossier = services.receive_dossier(
                by=request.user,
                procedure=procedure,
                agency=agency,
                channel=channel,
                applicant=services.ApplicantInput(
                    name=request.POST.get("applicant_name", ""),
                    identity=request.POST.get("applicant_identity", ""),
                    submitter_name=request.POST.get("submitter_name", ""),
                    address=request.POST.get("address", ""),
                    phone=request.POST.get("phone", ""),
                    email=request.POST.get("email", ""),
                    matter=request.POST.get("matter", ""),
                ),
                components=components,
                sets_count=sets_count,
            )
        except DomainError as exc:
            context["error"] = exc.message
            context["errors"] = errors_by_field(exc)
            return render(request, "dossiers/reception.html", context, status=exc.status)
        return redirect("dossiers:detail", code=dossier.code)
    return render(request, "dossiers/reception.html", context)


def _visible(request, code: str) -> Dossier:
    try:
        return selectors.visible_dossier(request.user, code)
    except DomainError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def dossier_page(request, code: str):
    return _render_detail(request, _visible(request, code))


def _render_detail(request, dossier: Dossier, *, exc: DomainError | None = None, action: str = ""):
    """The dossier page; with ``exc``, the same page showing why ``action`` was refused."""
    data = dossier_api.dossier_out(dossier, user=request.user)
    actions = [
        (name, t.label)
        for name, t in TRANSITIONS.items()
        if dossier.status in t.sources
        and policy.has(request.user, t.permission, services.acting_unit(dossier, t.permission))
    ]
    can_attach = services.may_attach_result(request.user, dossier)
    context = {
        "dossier": dossier,
        "data": data,
        "components": dossier.components.all(),  # prefetched with their files by dossier_out
        "actions": actions,
        "forms": dossier.forms.all(),
        "status": Status,
        "can_attach_result": can_attach,
    }
    if exc is not None:
        context |= {"error": exc.message, "errors": errors_by_field(exc), "failed_action": action}
    return render(request, "dossiers/detail.html", context, status=exc.status if exc else 200)


def _detail_with_error(request, code: str, exc: DomainError, *, action: str):
    return _render_detail(request, _visible(request, code), exc=exc, action=action)


@login_required
@require_POST
def dossier_action(request, code: str, action: str):
    if action not in services.ACTIONS:
        raise Http404("Thao tác không tồn tại.")
    payload = {
        "note": request.POST.get("note", ""),
        "reason": request.POST.get("reason", ""),
        "items": [line for line in request.POST.get("items", "").splitlines() if line.strip()],
        "assignee": request.POST.get("assignee", ""),
        "method": request.POST.get("method") or None,
    }
    if request.POST.get("new_due_at"):
        try:
            payload["new_due_at"] = timezone.make_aware(datetime.fromisoformat(request.POST["new_due_at"]))
        except ValueError:
            payload["new_due_at"] = "invalid"
    if request.POST.get("amount"):
        payload["amount"] = request.POST["amount"]
    payload = {k: v for k, v in payload.items() if v not in (None, "", [])}
    version = request.POST.get("version")
    try:
        services.perform(
            by=request.user,
            code=code,
            action=action,
            payload=payload,
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except DomainError as exc:
        return _detail_with_error(request, code, exc, action=action)
    return redirect(f"{reverse('dossiers:detail', args=[code])}#lich-su")


@login_required
@require_GET
def issued_form_pdf(request, pk: int):
    issued = IssuedForm.objects.select_related("dossier").filter(pk=pk).first()
    if issued is None:
        raise Http404("Không tìm thấy biểu mẫu.")
    _visible(request, issued.dossier.code)
    return serve_stored_file(
        issued.pdf.name, content_type="application/pdf", filename=f"mau-{issued.code}-{issued.dossier.code}.pdf"
    )


@login_required
@require_POST
def attach_result(request, code: str):
    upload = request.FILES.get("file")
    try:
        services.attach_result(
            by=request.user,
            code=code,
            name=request.POST.get("name", ""),
            upload=services.UploadInput(name=upload.name, content=upload.read())
            if upload
            else services.UploadInput("", b""),
        )
    except DomainError as exc:
        return _detail_with_error(request, code, exc, action="attach_result")
    return redirect(f"{reverse('dossiers:detail', args=[code])}#ket-qua")


@login_required
@require_GET
def result_pdf(request, pk: int):
    result = DossierResult.objects.select_related("dossier").filter(pk=pk).first()
    if result is None:
        raise Http404("Không tìm thấy kết quả.")
    _visible(request, result.dossier.code)
    return serve_stored_file(
        result.pdf.name, content_type="application/pdf", filename=f"ket-qua-{result.dossier.code}.pdf"
    )


@login_required
@require_GET
def dossier_file(request, code: str, pk: int):
    """A file handed in with the dossier: for its applicant and the officers who may see the
    dossier (``selectors.visible_dossier``); anyone else is told it does not exist."""
    dossier = _visible(request, code)
    stored = DossierFile.objects.filter(pk=pk, component__dossier=dossier).first()
    if stored is None:
        raise Http404("Không tìm thấy tệp.")
    return serve_stored_file(stored.file.name, content_type=stored.content_type, filename=stored.original_name)


@login_required
@require_GET
def control_slip_pdf(request, code: str):
    """Mẫu 05, built from the recorded hand-overs as they are now, signed by the receiving unit."""
    dossier = _visible(request, code)
    if dossier.received_at is None:
        raise Http404("Hồ sơ chưa được tiếp nhận.")
    pdf = documents.render_signed(dossier, "control_slip", by=request.user)
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="phieu-kiem-soat-{dossier.code}.pdf"'},
    )


@login_required
@require_GET
def register_xlsx(request):
    """Mẫu 06: the tracking register of the dossiers received in a period, for the officer's units."""
    try:
        start = date.fromisoformat(request.GET.get("tu", ""))
        end = date.fromisoformat(request.GET.get("den", ""))
    except ValueError:
        return render(
            request,
            "dossiers/register_form.html",
            {"error": "Cần chọn khoảng thời gian hợp lệ (từ ngày, đến ngày)."},
            status=400 if request.GET else 200,
        )
    if end < start or (end - start).days > 366:
        return render(
            request,
            "dossiers/register_form.html",
            {"error": "Khoảng thời gian phải từ 1 ngày đến 1 năm, ngày kết thúc sau ngày bắt đầu."},
            status=400,
        )
    content = documents.register_workbook(user=request.user, start=start, end=end)
    return HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="so-theo-doi-ho-so-{start}-{end}.xlsx"'},
    )


@require_GET
def lookup_page(request, code: str | None = None):
    code = (code or request.GET.get("ma") or "").strip()
    context = {"code": code, "result": None, "error": None}
    status = 200
    if code:
        if not dossier_api.LookupThrottle().allow_request(request):
            context["error"] = dossier_api.LOOKUP_THROTTLED
            return render(request, "dossiers/lookup.html", context, status=429)
        try:
            context["result"] = dossier_api.lookup(code)
        except DomainError as exc:
            context["error"] = exc.message
            status = exc.status
    return render(request, "dossiers/lookup.html", context, status=status)


@require_GET
def statistics_page(request):
    """Public statistics for a period of reception (default: this year so far)."""
    from egov.dossiers import statistics

    today = timezone.localdate()
    error = None
    try:
        start = date.fromisoformat(request.GET.get("tu") or f"{today.year}-01-01")
        end = date.fromisoformat(request.GET.get("den") or today.isoformat())
        if end < start or (end - start).days > 3 * 366:
            raise ValueError
    except ValueError:
        error = "Khoảng thời gian không hợp lệ (ngày kết thúc sau ngày bắt đầu, tối đa 3 năm)."
        start, end = date(today.year, 1, 1), today
    group = "linh-vuc" if request.GET.get("theo") == "linh-vuc" else "co-quan"
    rows = statistics.by_field(start, end) if group == "linh-vuc" else statistics.by_agency(start, end)
    return render(
        request,
        "dossiers/statistics.html",
        {"rows": rows, "total": statistics.totals(rows), "start": start, "end": end, "group": group, "error": error},
        status=400 if error else 200,
    )
