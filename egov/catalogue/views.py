"""Public pages of the catalogue: find a procedure (diacritics-insensitive, filters) and read it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from egov.catalogue import selectors
from egov.catalogue.models import Field, Level, OnlineLevel, ProcedureComponent
from egov.core.errors import DomainError
from egov.core.files import serve_stored_file
from egov.core.uploads import detect_type

PAGE_SIZE = 20


@require_GET
def search_page(request):
    q = request.GET.get("q", "").strip()
    field_code = request.GET.get("linh_vuc", "")
    level = request.GET.get("cap", "")
    online_level = request.GET.get("muc_do", "")
    agency_code = request.GET.get("co_quan", "")
    error = None
    rows, cursor = [], None
    try:
        qs = selectors.search(
            q or None,
            field=field_code or None,
            level=level if level in Level.values else None,
            online_level=online_level if online_level in OnlineLevel.values else None,
            agency=agency_code or None,
        )
        rows, cursor = selectors.search_page(qs, after=request.GET.get("sau"), limit=PAGE_SIZE)
    except DomainError as exc:
        error = exc.message
    context = {
        "q": q,
        "rows": rows,
        "cursor": cursor,
        "error": error,
        "fields": Field.objects.order_by("name"),
        "field_code": field_code,
        "levels": Level.choices,
        "level": level,
        "online_levels": OnlineLevel.choices,
        "online_level": online_level,
        "agencies": selectors.implementing_agencies(),
        "agency_code": agency_code,
    }
    return render(request, "catalogue/search.html", context)


@require_GET
def procedure_page(request, code: str):
    detail = selectors.procedure_detail(code)
    if detail is None:
        raise Http404("Không tìm thấy thủ tục.")
    return render(
        request,
        "catalogue/procedure.html",
        {"p": detail, "channel_labels": {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}},
    )


@require_GET
def component_template(request, code: str, pk: int):
    """A procedure's blank form (mẫu đơn, tờ khai): public, like the procedure page, but served
    through the same helper as every stored file (its type from its content, never sniffed)."""
    component = ProcedureComponent.objects.filter(pk=pk, procedure__code=code).exclude(template="").first()
    if component is None:
        raise Http404("Không tìm thấy mẫu đơn, tờ khai.")
    try:
        with component.template.open("rb") as handle:
            head = handle.read(1024 * 1024)
    except FileNotFoundError as exc:
        raise Http404("Không tìm thấy mẫu đơn, tờ khai.") from exc
    name = component.template.name.rsplit("/", 1)[-1]
    return serve_stored_file(
        component.template.name, content_type=detect_type(head) or "application/octet-stream", filename=name
    )
