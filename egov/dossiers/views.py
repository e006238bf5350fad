"""Officer pages (reception, worklists, the dossier page with its actions) and the public lookup.

Handlers parse, call one service or selector, render. Forms post normally (they work without
JavaScript); htmx only loads the next page of a worklist in place.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.access import policy
from egov.catalogue.models import Procedure
from egov.core.errors import DomainError, ValidationFailed
from egov.core.files import serve_stored_file
from egov.core.forms import errors_by_field
from egov.dossiers import api as dossier_api
from egov.dossiers import documents, selectors, services
from egov.dossiers.models import Dossier, DossierFile, DossierResult, IssuedForm
from egov.dossiers.statuses import WORKLIST, Channel, Status
from egov.forms.selectors import form_labels
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


def _int_choice(raw: str | None, allowed) -> int | None:
    return int(raw) if raw and raw.isdigit() and int(raw) in allowed else None


# The statuses a worklist can be filtered to (the ones a worklist holds), in the order of the process.
_WORKLIST_STATUSES = [Status(s) for s in sorted(WORKLIST)]


@login_required
@require_GET
def worklist_page(request):
    kind = request.GET.get("ds", selectors.Worklist.UNIT)
    try:
        kind = selectors.Worklist(kind)
    except ValueError:
        kind = selectors.Worklist.UNIT
    only = selectors.WorklistFilter(
        text=request.GET.get("q", "").strip(),
        status=_int_choice(request.GET.get("trang_thai"), WORKLIST),
        channel=_int_choice(request.GET.get("kenh"), Channel.values),
    )
    try:
        rows, cursor = selectors.worklist(
            user=request.user, kind=kind, after=request.GET.get("sau") or None, limit=25, only=only
        )
    except ValidationFailed:
        rows, cursor = [], None
    # The filter travels with the tabs and the next page.
    query = {"q": only.text, "trang_thai": only.status or "", "kenh": only.channel or ""}
    query = urlencode({k: v for k, v in query.items() if v})
    now = timezone.now()
    htmx = bool(request.headers.get("HX-Request"))  # the next page only: no tabs to count
    counts = {} if htmx else selectors.worklist_counts(user=request.user, only=only)
    context = {
        "kind": kind,
        "kinds": [
            (value, label, counts.get(value))
            for value, label in (
                (selectors.Worklist.MINE, _("Của tôi")),
                (selectors.Worklist.UNIT, _("Của đơn vị")),
                (selectors.Worklist.DUE_SOON, _("Sắp đến hạn")),
                (selectors.Worklist.OVERDUE, _("Quá hạn")),
            )
        ],
        "rows": [
            (d, selectors.timeliness(due_at=d.due_at, finished_at=None), selectors.urgency(d, now=now)) for d in rows
        ],
        "cursor": cursor,
        "only": only,
        "query": query,
        "statuses": _WORKLIST_STATUSES,
        "channels": Channel.choices,
        "can_receive": bool(_receiving_agencies(request.user)),
    }
    template = "dossiers/_worklist_rows.html" if htmx else "dossiers/worklist.html"
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
    # The agency's own procedures, then those it receives for another level (liên thông), whose
    # choice names the deciding agency too.
    choices = [
        {"value": p.code, "label": p.name, "procedure": p, "deciding": agency}
        for p in Procedure.objects.filter(agencies=agency, is_active=True).order_by("name")
    ]
    for p, deciding in selectors.cross_level_procedures(agency, timezone.localdate()):
        choices.append(
            {
                "value": f"{p.code}@{deciding.code}",
                "label": _("%(procedure)s (liên thông: %(agency)s giải quyết)")
                % {"procedure": p.name, "agency": deciding.name},
                "procedure": p,
                "deciding": deciding,
            }
        )
    wanted = request.POST.get("procedure") or request.GET.get("thu_tuc")
    choice = next((c for c in choices if c["value"] == wanted), None)
    procedure = choice["procedure"] if choice else None
    context = {
        "agencies": agencies,
        "agency": agency,
        "choices": choices,
        "choice": choice,
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
        context["provided_ids"] = {c.procedure_component_id for c in components if c.provided}
        applicant = services.ApplicantInput(
            name=request.POST.get("applicant_name", ""),
            identity=request.POST.get("applicant_identity", ""),
            submitter_name=request.POST.get("submitter_name", ""),
            address=request.POST.get("address", ""),
            phone=request.POST.get("phone", ""),
            email=request.POST.get("email", ""),
            matter=request.POST.get("matter", ""),
        )
        if request.POST.get("turn_away"):
            return _turn_away(
                request, context, procedure=procedure, agency=agency, applicant=applicant, components=components
            )
        try:
            channel = _whole_number(request.POST.get("channel"), field="channel", label="Kênh tiếp nhận")
            sets_count = _whole_number(request.POST.get("sets_count"), field="sets_count", label="Số bộ hồ sơ")
            dossier = services.receive_dossier(
                by=request.user,
                procedure=procedure,
                agency=choice["deciding"],
                receiving_agency=agency,
                channel=channel,
                applicant=applicant,
                components=components,
                sets_count=sets_count,
            )
        except DomainError as exc:
            context["error"] = exc.message
            context["errors"] = errors_by_field(exc)
            # Missing components: offer the signed Mẫu 02 instead of leaving the applicant with nothing.
            context["offer_incomplete"] = any(
                e.field == "components" and e.message.startswith("Thiếu thành phần") for e in getattr(exc, "errors", [])
            )
            context["supplement_form"] = _form_label(agency, "supplement")
            return render(request, "dossiers/reception.html", context, status=exc.status)
        return redirect("dossiers:detail", code=dossier.code)
    return render(request, "dossiers/reception.html", context)


def _form_label(agency, kind: str) -> str:
    """The label of form ``kind`` in the set of the rule set in force today (labels come from the set)."""
    from egov.dossiers.selectors import rule_set_on
    from egov.forms.selectors import form_label

    return form_label(form_set=rule_set_on(timezone.localdate()).form_set, kind=kind)


def _turn_away(request, context, *, procedure, agency, applicant, components):
    items = [line.strip() for line in request.POST.get("items", "").splitlines() if line.strip()]
    try:
        notice = services.turn_away_incomplete(
            by=request.user,
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            components=components,
            items=items,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        context |= {"error": exc.message, "errors": errors_by_field(exc), "offer_incomplete": True}
        context["supplement_form"] = _form_label(agency, "supplement")
        return render(request, "dossiers/reception.html", context, status=exc.status)
    return render(
        request,
        "dossiers/incomplete_issued.html",
        {"notice": notice, "form_label": _form_label(agency, "supplement"), "agency": agency},
        status=201,
    )


@login_required
@require_GET
def incomplete_notice_pdf(request, pk: int):
    """The signed Mẫu 02 handed to an applicant whose dossier was not received (no dossier code)."""
    from egov.dossiers.models import IncompleteSubmission

    notice = IncompleteSubmission.objects.select_related("receiving_unit").filter(pk=pk).first()
    if notice is None or not policy.has(request.user, "dossier.view", notice.receiving_unit):
        raise Http404("Không tìm thấy phiếu.")
    return serve_stored_file(
        notice.pdf.name, content_type="application/pdf", filename=f"mau-{notice.form_code}-so-{notice.number}.pdf"
    )


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
    actions = selectors.offered_actions(dossier, request.user)
    can_attach = services.may_attach_result(request.user, dossier)
    context = {
        "dossier": dossier,
        "data": data,
        "components": dossier.components.all(),  # prefetched with their files by dossier_out
        "actions": [a for a in actions if not a.ends_dossier],
        "ending_actions": [a for a in actions if a.ends_dossier],
        "tasks": selectors.task_rows(dossier),
        "channel_label": Channel(dossier.channel).label,
        "forms": dossier.forms.all(),
        "status": Status,
        "can_attach_result": can_attach,
        "form_labels": form_labels(form_set=dossier.rule_set.form_set),
    }
    if exc is not None:
        context |= {"error": exc.message, "errors": errors_by_field(exc), "failed_action": action}
    return render(request, "dossiers/detail.html", context, status=exc.status if exc else 200)


def _detail_with_error(request, code: str, exc: DomainError, *, action: str):
    return _render_detail(request, _visible(request, code), exc=exc, action=action)


def _posted_due_at(value: str) -> datetime | None:
    """A ``datetime-local`` field in the officer's time zone; ``None`` when absent or malformed (the
    service names the field)."""
    try:
        return timezone.make_aware(datetime.fromisoformat(value)) if value else None
    except ValueError:
        return None


def _posted_amount(value: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValidationFailed.field("amount", "Số tiền phải là số nguyên (đồng).") from exc


def _call_action(action: str, *, by, code: str, post, version: int | None) -> Dossier:
    """Parse the posted form for ``action`` and call its service."""
    common = {"by": by, "dossier": code, "version": version}
    reason = post.get("reason", "")
    match action:
        case "accept" | "claim" | "record_payment":
            return services.ACTIONS[action](**common)
        case "refuse":
            missing = [line for line in post.get("items", "").splitlines() if line.strip()]
            return services.refuse(**common, reason=reason, missing=missing)
        case "withdraw" | "stop":
            return services.ACTIONS[action](**common, reason=reason)
        case "request_supplement":
            items = [line for line in post.get("items", "").splitlines() if line.strip()]
            return services.request_supplement(**common, items=items, reason=reason)
        case "supplement":
            return services.receive_supplement(**common, note=post.get("note", ""))
        case "forward":
            return services.forward(**common, note=post.get("note", ""))
        case "reassign":
            return services.reassign(**common, assignee=post.get("assignee", ""))
        case "request_payment":
            return services.request_payment(**common, amount=_posted_amount(post.get("amount", "")))
        case "apologize":
            return services.apologize(**common, reason=reason, new_due_at=_posted_due_at(post.get("new_due_at", "")))
        case "return_result":
            return services.return_result(**common, method=post.get("method") or "counter")
    raise Http404("Thao tác không tồn tại.")


@login_required
@require_POST
def dossier_action(request, code: str, action: str):
    if action not in services.ACTIONS:
        raise Http404("Thao tác không tồn tại.")
    version = request.POST.get("version")
    try:
        if action in selectors.ENDING_ACTIONS and request.POST.get("confirm") != "yes":
            # Refuse, withdraw and stop end the dossier: the page asks to confirm, and so does the server
            # (a form posted without the box ticked, e.g. with the browser's checks bypassed).
            raise ValidationFailed.field(
                "confirm", _("Hãy đánh dấu ô xác nhận: thao tác này kết thúc hồ sơ và không hoàn tác được.")
            )
        _call_action(
            action,
            by=request.user,
            code=code,
            post=request.POST,
            version=int(version) if version and version.isdigit() else None,
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
    """The tracking register of the dossiers received in a period, for the officer's units: Excel,
    or (``dinh_dang=pdf``) a signed PDF (Mẫu 06 of TT 01/2018, 07 of the 2025 set)."""
    context = {"register_label": _form_label(None, "register")}
    try:
        start = date.fromisoformat(request.GET.get("tu", ""))
        end = date.fromisoformat(request.GET.get("den", ""))
    except ValueError:
        context["error"] = "Cần chọn khoảng thời gian hợp lệ (từ ngày, đến ngày)."
        return render(request, "dossiers/register_form.html", context, status=400 if request.GET else 200)
    if end < start or (end - start).days > 366:
        context["error"] = "Khoảng thời gian phải từ 1 ngày đến 1 năm, ngày kết thúc sau ngày bắt đầu."
        return render(request, "dossiers/register_form.html", context, status=400)
    if request.GET.get("dinh_dang") == "pdf":
        try:
            pdf = documents.register_pdf_signed(user=request.user, start=start, end=end)
        except DomainError as exc:
            context |= {"error": exc.message, "errors": errors_by_field(exc)}
            return render(request, "dossiers/register_form.html", context, status=exc.status)
        return HttpResponse(
            pdf,
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="so-theo-doi-ho-so-{start}-{end}.pdf"'},
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
