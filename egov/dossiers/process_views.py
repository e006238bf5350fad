"""Back-office pages for internal processes (quy trình nội bộ), for holders of ``process.manage``.

``/can-bo/quy-trinh/`` lists the versions per procedure and agency; a version's page shows its steps
and activates it; the form creates a new version as a draft. The pages parse and render; the
checks (shares adding up to the legal time, units inside their agency, roles) are those of
:mod:`egov.dossiers.processes`, whose errors are shown next to the fields. Plain forms: no JavaScript.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.access import policy
from egov.catalogue.models import Procedure
from egov.catalogue.selectors import duration_for
from egov.core.errors import DomainError, FieldError, ValidationFailed
from egov.dossiers import processes
from egov.dossiers.models import ProcessDefinition
from egov.organisations.models import AGENCY_KINDS, Organisation
from egov.people.models import Role

PERMISSION = "process.manage"
EXTRA_ROWS = 3
MAX_ROWS = 40
STEP_FIELDS = ("order", "name", "agency", "unit", "role", "hours")


def _forbidden(request):
    return render(request, "dossiers/processes/no_access.html", status=403)


def _may_manage_somewhere(user) -> bool:
    return policy.has(user, PERMISSION)  # without an object: anywhere in the tree


@login_required
@require_GET
def process_list(request):
    if not _may_manage_somewhere(request.user):
        return _forbidden(request)
    q = request.GET.get("q", "").strip()
    rows = policy.scope(
        request.user, PERMISSION, ProcessDefinition.objects.all(), path_field="agency__path"
    ).select_related("procedure", "agency")
    if q:
        rows = rows.filter(Q(procedure__code__icontains=q) | Q(procedure__name__icontains=q))
    rows = rows.order_by("procedure__code", "agency__code", "-version")
    page = Paginator(rows, 50).get_page(request.GET.get("trang"))
    return render(request, "dossiers/processes/list.html", {"page": page, "q": q})


def _visible_process(request, pk: int) -> ProcessDefinition:
    process = ProcessDefinition.objects.select_related("procedure", "agency").filter(pk=pk).first()
    if process is None or not policy.has(request.user, PERMISSION, process.agency):
        raise Http404
    return process


def _legal_time(procedure: Procedure) -> tuple[Decimal, str, Decimal] | None:
    """(amount, unit label, hours) of the in-person legal time, or None when none is published."""
    try:
        amount, unit = duration_for(procedure, 1)
    except DomainError:
        return None
    labels = {"working_days": _("ngày làm việc"), "working_hours": _("giờ làm việc"), "calendar_days": _("ngày")}
    return amount, labels.get(str(unit.value), str(unit.value)), processes.legal_hours(amount, unit)


@login_required
@require_GET
def process_detail(request, pk: int):
    process = _visible_process(request, pk)
    steps = process.steps.select_related("agency", "unit").order_by("order")
    versions = ProcessDefinition.objects.filter(procedure=process.procedure, agency=process.agency).order_by("-version")
    roles = dict(Role.objects.values_list("code", "name"))
    context = {
        "process": process,
        "steps": [(s, roles.get(s.role, s.role)) for s in steps],
        "versions": versions,
        "legal": _legal_time(process.procedure),
    }
    return render(request, "dossiers/processes/detail.html", context)


@login_required
@require_POST
def process_activate(request, pk: int):
    process = _visible_process(request, pk)
    try:
        processes.activate_process(by=request.user, process=process)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã áp dụng phiên bản %(version)s; hồ sơ mới sẽ theo quy trình này.") % {"version": process.version},
        )
    return redirect("dossiers:process_detail", pk=process.pk)


def _choices(user):
    today = timezone.localdate()
    organisations = list(
        Organisation.objects.active_on(today).order_by("path").only("pk", "code", "name", "kind", "path")
    )
    agencies = [o for o in organisations if o.kind in AGENCY_KINDS]
    roles = list(Role.objects.order_by("name").values_list("code", "name"))
    return agencies, organisations, roles


def _rows_from_process(process: ProcessDefinition | None) -> list[dict]:
    if process is None:
        return []
    return [
        {
            "order": str(s.order),
            "name": s.name,
            "agency": s.agency.code,
            "unit": s.unit.code,
            "role": s.role,
            "hours": format(s.hours.normalize(), "f"),
        }
        for s in process.steps.select_related("agency", "unit").order_by("order")
    ]


def _parse_rows(post, count: int) -> list[dict]:
    return [{f: post.get(f"step-{n}-{f}", "").strip() for f in STEP_FIELDS} for n in range(count)]


def _steps_from_rows(rows: list[dict], by_code: dict[str, Organisation]):
    """StepSpecs in the order asked for, with the row each came from; blank rows are skipped.
    Values that cannot be read are field errors named as the service names them (steps.<i>.<field>)."""
    errors: list[FieldError] = []
    filled = [
        (n, row)
        for n, row in enumerate(rows)
        if any(row[f] for f in ("name", "hours", "unit"))  # agency/role/order alone: an untouched extra row
    ]

    def sort_key(item):
        n, row = item
        try:
            return (0, int(row["order"]), n)
        except ValueError:
            return (1, 0, n)

    filled.sort(key=sort_key)
    steps, row_of = [], []
    for i, (n, row) in enumerate(filled, start=1):
        row_of.append(n)
        if row["order"] and not row["order"].isdigit():
            errors.append(FieldError(f"steps.{i}.order", _("Thứ tự phải là một số nguyên dương.")))
        try:
            hours = Decimal(row["hours"].replace(",", "."))
            if not hours.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors.append(FieldError(f"steps.{i}.hours", _("Nhập số giờ làm việc, ví dụ 4 hoặc 7,5.")))
            hours = None
        agency, unit = by_code.get(row["agency"]), by_code.get(row["unit"])
        if agency is None:
            errors.append(FieldError(f"steps.{i}.agency", _("Chọn cơ quan thực hiện bước này.")))
        if unit is None:
            errors.append(FieldError(f"steps.{i}.unit", _("Chọn đơn vị thực hiện bước này.")))
        if hours is not None and agency is not None and unit is not None:
            steps.append(processes.StepSpec(row["name"], agency, unit, row["role"], hours))
    return steps, row_of, errors


def _errors_by_row(exc_errors: list[FieldError], row_of: list[int]) -> tuple[dict[int, dict[str, list[str]]], list]:
    """Service errors ``steps.<i>.<field>`` placed on the form's row; the others stay general."""
    by_row: dict[int, dict[str, list[str]]] = {}
    general = []
    for err in exc_errors:
        parts = err.field.split(".")
        if len(parts) == 3 and parts[0] == "steps" and parts[1].isdigit() and 0 < int(parts[1]) <= len(row_of):
            by_row.setdefault(row_of[int(parts[1]) - 1], {}).setdefault(parts[2], []).append(err.message)
        else:
            general.append(err)
    return by_row, general


@login_required
@require_http_methods(["GET", "POST"])
def process_new(request):
    if not _may_manage_somewhere(request.user):
        return _forbidden(request)
    source = request.GET.get("tu") or request.POST.get("tu") or ""
    base = _visible_process(request, int(source)) if source.isdigit() else None
    procedure_code = (request.POST.get("procedure") or request.GET.get("thu_tuc") or "").strip()
    agency_code = (request.POST.get("agency") or request.GET.get("co_quan") or "").strip()
    if base is not None:
        procedure_code, agency_code = base.procedure.code, base.agency.code
    procedure = Procedure.objects.filter(code=procedure_code).prefetch_related("durations").first()
    agencies, organisations, roles = _choices(request.user)
    by_code = {o.code: o for o in organisations}
    agency = by_code.get(agency_code)
    managed_agencies = [a for a in agencies if policy.has(request.user, PERMISSION, a)]
    header_errors: dict[str, list[str]] = {}
    if procedure_code and procedure is None:
        header_errors["procedure"] = [_("Không tìm thấy thủ tục có mã này.")]
    if agency is not None and not policy.has(request.user, PERMISSION, agency):
        return _forbidden(request)

    if request.method == "POST":
        count = request.POST.get("rows", "")
        rows = _parse_rows(request.POST, min(int(count), MAX_ROWS) if count.isdigit() else 0)
    else:
        rows = _rows_from_process(base)
    row_errors: dict[int, dict[str, list[str]]] = {}
    general: list[FieldError] = []
    legal = _legal_time(procedure) if procedure else None

    if request.method == "POST" and not request.POST.get("more"):
        if procedure is None:
            header_errors.setdefault("procedure", [_("Nhập mã thủ tục.")])
        if agency is None:
            header_errors["agency"] = [_("Chọn cơ quan chủ trì.")]
        if procedure is not None and legal is None:
            header_errors["procedure"] = [
                _("Thủ tục chưa có thời hạn giải quyết; không chia được thời gian cho các bước.")
            ]
        steps, row_of, parse_errors = _steps_from_rows(rows, by_code)
        if not header_errors:
            if parse_errors:
                row_errors, general = _errors_by_row(parse_errors, row_of)
            else:
                try:
                    process = processes.create_process(
                        by=request.user, procedure=procedure, agency=agency, steps=steps, total_hours=legal[2]
                    )
                except ValidationFailed as exc:
                    row_errors, general = _errors_by_row(exc.errors, row_of)
                except DomainError as exc:
                    general = [FieldError("", exc.message)]
                else:
                    messages.success(
                        request,
                        _("Đã tạo phiên bản %(version)s (dự thảo). Kiểm tra rồi bấm “Áp dụng phiên bản này”.")
                        % {"version": process.version},
                    )
                    return redirect("dossiers:process_detail", pk=process.pk)
    rows = rows + [{f: "" for f in STEP_FIELDS} for _ in range(EXTRA_ROWS)]
    for n, row in enumerate(rows):
        if not row["order"] and request.method == "GET":
            row["order"] = str(n + 1)
        if not row["agency"] and agency is not None:
            row["agency"] = agency.code
    context = {
        "base": base,
        "procedure": procedure,
        "procedure_code": procedure_code,
        "agency": agency,
        "managed_agencies": managed_agencies,
        "agencies": agencies,
        "organisations": organisations,
        "roles": roles,
        "legal": legal,
        "rows": [(n, row, row_errors.get(n, {})) for n, row in enumerate(rows)],
        "row_count": len(rows),
        "header_errors": header_errors,
        "general_errors": [e.message for e in general],
        "has_errors": bool(header_errors or row_errors or general),
    }
    status = 422 if context["has_errors"] else 200
    return render(request, "dossiers/processes/form.html", context, status=status)
