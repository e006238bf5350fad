"""Officer pages: certify a copy at the counter, the register of certified copies (page and Excel).
Handlers parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from egov.access import policy
from egov.certification import selectors, services
from egov.certification.models import CertifiedCopy
from egov.core.errors import DomainError
from egov.core.files import serve_stored_file
from egov.core.forms import errors_by_field


@login_required
@require_http_methods(["GET", "POST"])
def certify_page(request):
    units = selectors.certifying_units(request.user)
    if not units:
        return render(request, "dossiers/no_access.html", status=403)
    unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), units[0])
    context = {"units": units, "unit": unit, "errors": {}, "error": None, "values": {}, "done": None}
    done = request.GET.get("so")
    if done and done.isdigit():
        context["done"] = selectors.register(request.user, year=timezone.localdate().year).filter(pk=int(done)).first()
    if request.method == "POST":
        context["values"] = request.POST
        upload = request.FILES.get("original")
        try:
            copy = services.certify_copy(
                by=request.user,
                unit=unit,
                applicant_identity=request.POST.get("applicant_identity", ""),
                document_name=request.POST.get("document_name", ""),
                original=services.OriginalScan(
                    name=upload.name if upload else "", content=upload.read() if upload else b""
                ),
                fee_collected=request.POST.get("fee", ""),
            )
        except DomainError as exc:
            context |= {"error": exc.message, "errors": errors_by_field(exc)}
            return render(request, "certification/certify.html", context, status=exc.status)
        return redirect(f"{request.path}?so={copy.pk}")
    return render(request, "certification/certify.html", context)


def _year(request) -> int:
    raw = request.GET.get("nam", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
@require_GET
def register_page(request):
    year = _year(request)
    rows = list(selectors.register(request.user, year=year)[:500])
    return render(request, "certification/register.html", {"rows": rows, "year": year})


@login_required
@require_GET
def register_xlsx(request, year: int):
    content = selectors.register_workbook(request.user, year=year)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="so-chung-thuc-ban-sao-{year}.xlsx"'
    return response


@login_required
@require_GET
def copy_pdf(request, pk: int):
    copy = CertifiedCopy.objects.select_related("agency", "unit").filter(pk=pk).first()
    allowed = copy is not None and (
        copy.applicant_id == request.user.pk
        or any(policy.has(request.user, "dossier.view", org) for org in (copy.unit, copy.agency))
    )
    if not allowed:
        raise Http404("Không tìm thấy bản sao.")
    return serve_stored_file(
        copy.pdf.name, content_type="application/pdf", filename=f"ban-sao-chung-thuc-{copy.year}-{copy.number}.pdf"
    )
