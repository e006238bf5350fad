"""Public pages of the catalogue: find a procedure (diacritics-insensitive, filters) and read it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from egov.catalogue import selectors
from egov.catalogue.models import ApplicantType, Field, Level, OnlineLevel, Procedure, ProcedureComponent
from egov.core.errors import DomainError
from egov.core.files import serve_stored_file
from egov.core.uploads import detect_type

PAGE_SIZE = 20


# The models' choice labels stay plain Vietnamese: the Excel/JSON import reads them back (exchange.py caches
# a table of them). Pages show these labels in the reader's language instead.
LEVEL_LABELS = {
    Level.PROVINCE: pgettext_lazy("level", "Cấp tỉnh"),
    Level.DEPARTMENT: pgettext_lazy("level", "Cấp sở, ban, ngành"),
    Level.DISTRICT: pgettext_lazy("level", "Cấp huyện"),
    Level.COMMUNE: pgettext_lazy("level", "Cấp xã"),
}
ONLINE_LEVEL_LABELS = {
    OnlineLevel.LEVEL_1: pgettext_lazy("online level", "Mức độ 1 (NĐ 43/2011)"),
    OnlineLevel.LEVEL_2: pgettext_lazy("online level", "Mức độ 2 (NĐ 43/2011)"),
    OnlineLevel.LEVEL_3: pgettext_lazy("online level", "Mức độ 3 (NĐ 43/2011)"),
    OnlineLevel.LEVEL_4: pgettext_lazy("online level", "Mức độ 4 (NĐ 43/2011)"),
    OnlineLevel.TOAN_TRINH: pgettext_lazy("online level", "Toàn trình"),
    OnlineLevel.MOT_PHAN: pgettext_lazy("online level", "Một phần"),
}
APPLICANT_LABELS = {
    ApplicantType.CITIZEN: pgettext_lazy("applicant type", "Công dân"),
    ApplicantType.BUSINESS: pgettext_lazy("applicant type", "Doanh nghiệp"),
    ApplicantType.ORGANISATION: pgettext_lazy("applicant type", "Tổ chức"),
}
CHANNEL_LABELS = {
    1: pgettext_lazy("channel", "Trực tiếp"),
    2: pgettext_lazy("channel", "Trực tuyến"),
    3: pgettext_lazy("channel", "Bưu chính công ích"),
}


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
        "levels": [(value, LEVEL_LABELS[value]) for value in Level.values],
        "level": level,
        "online_levels": [(value, ONLINE_LEVEL_LABELS[value]) for value in OnlineLevel.values],
        "online_level": online_level,
        "agencies": selectors.implementing_agencies(),
        "agency_code": agency_code,
    }
    return render(request, "catalogue/search.html", context)


@require_GET
def procedure_page(request, code: str):
    from egov.organisations import selectors as organisations
    from egov.organisations.models import Organisation

    detail = selectors.procedure_detail(code)
    if detail is None:
        raise Http404("Không tìm thấy thủ tục.")
    # Where a dossier actually goes: each implementing agency's receiving unit, as configured today
    # (the first few agencies; a procedure of every commune lists them on the form).
    shown = [a["code"] for a in detail["agencies"][:PLACES_SHOWN]]
    today = timezone.localdate()
    agencies = sorted(Organisation.objects.filter(code__in=shown), key=lambda a: shown.index(a.code))
    units = organisations.receiving_units_of(agencies, today)
    places = [
        {
            "agency": a.name,
            "unit": units[a.pk].name if a.pk in units else None,
            "address": getattr(units.get(a.pk), "address", ""),
        }
        for a in agencies
    ]
    user = request.user
    online = 2 in detail["channels"] and detail["is_active"]
    refusal = ""
    if online and getattr(user, "is_authenticated", False) and user.kind in selectors.ACCOUNT_APPLICANT_TYPES:
        procedure = Procedure.objects.get(code=code)
        if not selectors.may_apply_for(user, procedure):
            refusal = selectors.applicant_type_refusal(procedure)
    return render(
        request,
        "catalogue/procedure.html",
        {
            "p": detail,
            "channel_labels": CHANNEL_LABELS,
            "history": selectors.procedure_history(code),
            "applicant_labels": [APPLICANT_LABELS[ApplicantType(t)] for t in detail["applicant_types"]],
            "places": places,
            "more_places": max(len(detail["agencies"]) - PLACES_SHOWN, 0),
            "online": online and not refusal,
            "online_refusal": refusal,
        },
    )


PLACES_SHOWN = 5


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
