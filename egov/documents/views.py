"""The officer's pages for official documents under ``/van-ban/``: the documents home with its tabs,
the outgoing and incoming document pages with the actions this officer may take, the new draft,
registering a paper arrival, the registers per year (print and Excel) and the search.

Handlers parse, look the document up through the visibility selectors (a document the officer may
not see is a 404), call one service and render; a refusal is shown beside its field, never a 5xx.
Files are served only through the permission-checked views below (``serve_stored_file``).
"""

from __future__ import annotations

import io
from datetime import date
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.access import policy
from egov.core.errors import DomainError, FieldError, ValidationFailed
from egov.core.files import serve_stored_file
from egov.core.forms import errors_by_field
from egov.documents import search as document_search
from egov.documents import selectors, services, worklists
from egov.documents.models import (
    Assignment,
    Authority,
    DocumentType,
    DocumentVersion,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    Secrecy,
    Urgency,
    VersionComment,
)
from egov.organisations.models import AGENCY_KINDS, Organisation
from egov.organisations.selectors import agency_of
from egov.people.models import Position, User

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

TAB_LABELS = {
    "to_handle": gettext_lazy("Cần xử lý"),
    "to_review": gettext_lazy("Chờ cho ý kiến"),
    "to_sign": gettext_lazy("Chờ ký"),
    "to_issue": gettext_lazy("Chờ phát hành"),
    "to_register": gettext_lazy("Chờ vào sổ"),
    "due_soon": gettext_lazy("Sắp đến hạn"),
    "overdue": gettext_lazy("Quá hạn"),
}


def officer_only(view):
    """Signed-in officers only: a citizen or business account is refused (403) with a page saying so."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.kind != User.Kind.OFFICER:
            return render(request, "documents/no_access.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


# --------------------------------------------------------------------------------------------------
# Parsing posted values (each bad value names its field)
# --------------------------------------------------------------------------------------------------


def _date(raw: str | None, field: str, errors: list[FieldError]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(field, _("Ngày không hợp lệ (định dạng năm-tháng-ngày).")))
        return None


def _pk(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _upload(request, field: str = "file", *, required: bool = False) -> tuple[str, bytes | None]:
    upload = request.FILES.get(field)
    if upload is None:
        if required:
            raise ValidationFailed.field(field, _("Cần chọn tệp để tải lên."))
        return "", None
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed.field(field, _("Tệp quá lớn (tối đa 20 MB)."))
    return upload.name or "tep", upload.read()


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _error_context(exc: DomainError | None) -> dict:
    if exc is None:
        return {"error": None, "errors": {}}
    errors = errors_by_field(exc)
    field = getattr(exc, "field", None)  # a DocumentError about one field
    if field and not errors:
        errors = {field: [exc.message]}
    return {"error": exc.message, "errors": errors}


# The field of each action's form where a refusal about no field in particular is shown (a wrong
# PIN beside the PIN, "not signed yet" beside the issue button's choice).
MAIN_FIELD = {
    "submit": "note",
    "approve": "note",
    "return": "note",
    "sign": "pin",
    "issue": "electronic",
    "recall": "reason",
    "comment": "text",
    "version": "file",
    "accept": "reason",
    "assign": "lead",
    "specialist": "specialist",
    "progress": "note",
    "complete": "answer",
}


def _action_errors(exc: DomainError | None, action: str) -> dict:
    """``{action: {field: [messages]}}`` for the form of the refused action."""
    if exc is None:
        return {}
    errors = _error_context(exc)["errors"] or {MAIN_FIELD.get(action, "note"): [exc.message]}
    if action in ("accept", "return") and "reason" not in errors and "note" not in errors:
        errors = {"reason": [exc.message]}
    return {action: errors}


# --------------------------------------------------------------------------------------------------
# The documents home
# --------------------------------------------------------------------------------------------------


@officer_only
@require_GET
def home(request):
    counts = worklists.tab_counts(request.user)
    wanted = request.GET.get("ds")
    if wanted not in worklists.TABS:
        # The first tab with something in it; "to handle" when everything is empty.
        wanted = next((name for name in worklists.TABS if counts[name]), "to_handle")
    tab = worklists.TABS[wanted]
    try:
        rows, cursor = worklists.tab_page(request.user, wanted, after=request.GET.get("sau") or None)
    except ValidationFailed:
        rows, cursor = [], None
    context = {
        "tab": tab,
        "tabs": [(name, TAB_LABELS[name], counts[name]) for name in worklists.TABS],
        "rows": rows,
        "cursor": cursor,
        "today": timezone.localdate(),
        "can_draft": any(g.permission == "document.draft" for g in policy.grants(request.user)),
        "can_register": any(g.permission == "document.register" for g in policy.grants(request.user)),
    }
    if request.headers.get("HX-Request"):
        return render(request, "documents/_home_rows.html", context)
    return render(request, "documents/home.html", context)


# --------------------------------------------------------------------------------------------------
# Outgoing documents
# --------------------------------------------------------------------------------------------------


def _outgoing(request, pk: int) -> OutgoingDocument:
    document = (
        selectors.outgoing_visible_to(request.user)
        .select_related("agency", "drafting_unit", "doc_type", "signer", "drafter", "awaiting_unit", "in_reply_to")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404(_("Không tìm thấy văn bản."))
    return document


def outgoing_actions(user, document: OutgoingDocument) -> list[str]:
    """The actions this officer may take on ``document`` now (the services check again)."""
    S = OutgoingStatus
    drafter = user.pk == document.drafter_id or policy.has(user, "document.draft", document.drafting_unit)
    at_stage = (
        document.status == S.UNDER_REVIEW
        and bool(document.awaiting_permission)
        and policy.has(user, document.awaiting_permission, document.awaiting_unit)
    )
    signer = user.pk == document.signer_id
    actions = []
    if drafter and document.status in (S.DRAFT, S.RETURNED):
        actions.append("submit")
    if at_stage:
        actions.append("approve")
    if at_stage or (document.status == S.APPROVED and signer):
        actions.append("return")
    if signer and (document.status == S.APPROVED or (at_stage and document.awaiting_permission == "document.sign")):
        actions.append("sign")
    if document.status == S.SIGNED and policy.has(user, "document.register", document.agency):
        actions.append("issue")
    if document.status == S.ISSUED and (signer or policy.has(user, "document.register", document.agency)):
        actions.append("recall")
    if drafter and document.status in (S.DRAFT, S.RETURNED, S.UNDER_REVIEW):
        actions.append("version")
    if document.status not in (S.ISSUED, S.RECALLED, S.REPLACED):
        actions.append("comment")
    return actions


def _render_outgoing(request, document: OutgoingDocument, *, exc: DomainError | None = None, action: str = ""):
    versions = list(
        document.versions.select_related("author")
        .prefetch_related(Prefetch("comments", queryset=VersionComment.objects.select_related("author")))
        .order_by("-number")
    )
    context = {
        "document": document,
        "versions": versions,
        "trail": list(document.trail.select_related("actor").order_by("at", "pk")),
        "recipients": [r.organisation for r in document.recipients.select_related("organisation")],
        "deliveries": selectors.trace_of(request.user, document) if document.status != OutgoingStatus.DRAFT else [],
        "actions": outgoing_actions(request.user, document),
        "failed_action": action,
        "action_errors": _action_errors(exc, action),
        "values": request.POST if exc else {},
        **_error_context(exc),
    }
    return render(request, "documents/outgoing.html", context, status=exc.status if exc else 200)


@officer_only
@require_GET
def outgoing_page(request, pk: int):
    return _render_outgoing(request, _outgoing(request, pk))


def _call_outgoing(action: str, request, document: OutgoingDocument) -> str:
    """Call the service for ``action``; the anchor of the page to go back to."""
    post, by = request.POST, request.user
    match action:
        case "submit":
            services.submit(by=by, document=document, note=post.get("note", ""))
        case "approve":
            services.approve(by=by, document=document, note=post.get("note", ""))
        case "return":
            services.return_(by=by, document=document, note=post.get("note", ""))
        case "sign":
            services.sign(by=by, document=document, pin=post.get("pin", ""))
        case "issue":
            services.issue(by=by, document=document, electronic=post.get("electronic") != "no")
        case "recall":
            services.recall(by=by, document=document, reason=post.get("reason", ""))
        case "comment":
            services.comment(by=by, document=document, text=post.get("text", ""))
            return "phien-ban"
        case "version":
            name, content = _upload(request)
            services.add_version(
                by=by,
                document=document,
                body=post.get("body", ""),
                file_name=name,
                file_content=content,
                subject=post.get("subject") or None,
                note=post.get("note", ""),
            )
            return "phien-ban"
        case _:
            raise Http404(_("Thao tác không tồn tại."))
    return "qua-trinh"


OUTGOING_MESSAGES = {
    "submit": gettext_lazy("Đã trình duyệt dự thảo."),
    "approve": gettext_lazy("Đã duyệt dự thảo."),
    "return": gettext_lazy("Đã trả lại dự thảo kèm ý kiến."),
    "sign": gettext_lazy("Đã ký số văn bản."),
    "issue": gettext_lazy("Đã cấp số, đóng dấu và phát hành văn bản."),
    "recall": gettext_lazy("Đã thu hồi văn bản."),
    "comment": gettext_lazy("Đã ghi ý kiến."),
    "version": gettext_lazy("Đã lưu phiên bản mới của dự thảo."),
}


@officer_only
@require_POST
def outgoing_action(request, pk: int, action: str):
    if action not in OUTGOING_MESSAGES:
        raise Http404(_("Thao tác không tồn tại."))
    document = _outgoing(request, pk)
    try:
        anchor = _call_outgoing(action, request, document)
    except DomainError as exc:
        return _render_outgoing(request, _outgoing(request, pk), exc=exc, action=action)
    from django.contrib import messages

    messages.success(request, OUTGOING_MESSAGES[action])
    return redirect(f"{reverse('documents:outgoing', args=[pk])}#{anchor}")


@officer_only
@require_GET
def version_pdf(request, pk: int, number: int):
    document = _outgoing(request, pk)
    version = DocumentVersion.objects.filter(document=document, number=number).first()
    if version is None:
        raise Http404(_("Không tìm thấy phiên bản."))
    return serve_stored_file(
        version.pdf.name, content_type="application/pdf", filename=f"du-thao-{document.pk}-v{number}.pdf"
    )


@officer_only
@require_GET
def outgoing_pdf(request, pk: int):
    """The issued PDF, else the signed one (before issue)."""
    document = _outgoing(request, pk)
    stored = document.pdf or document.signed_pdf
    if not stored:
        raise Http404(_("Văn bản chưa có bản ký số."))
    label = document.symbol.replace("/", "-") if document.symbol else f"van-ban-{document.pk}-da-ky"
    return serve_stored_file(stored.name, content_type="application/pdf", filename=f"{label}.pdf")


# --------------------------------------------------------------------------------------------------
# A new draft
# --------------------------------------------------------------------------------------------------


def _units_with(user, permission: str) -> list[Organisation]:
    paths = sorted({g.path for g in policy.grants(user) if g.permission == permission})
    return list(Organisation.objects.filter(path__in=paths).order_by("path")) if paths else []


def _signers_for(agencies: list[Organisation]) -> list[User]:
    """Officers holding ``document.sign`` over one of ``agencies`` (a position at or above it)."""
    prefixes = {
        a.path[:i] for a in agencies for i in range(Organisation.steplen, len(a.path) + 1, Organisation.steplen)
    }
    if not prefixes:
        return []
    positions = (
        Position.objects.active_on(timezone.localdate())
        .filter(unit__path__in=prefixes, user__is_active=True)
        .select_related("user", "role")
    )
    found = {p.user.pk: p.user for p in positions if "document.sign" in p.role.permissions}
    return sorted(found.values(), key=lambda u: u.get_full_name())


def _draft_context(request, *, values=None, exc: DomainError | None = None) -> dict:
    units = _units_with(request.user, "document.draft")
    agencies = {a.pk: a for a in (agency_of(u) for u in units)}
    open_incoming = (
        selectors.incoming_visible_to(request.user)
        .filter(
            agency__in=list(agencies),
            status__in=[IncomingStatus.ACCEPTED, IncomingStatus.ASSIGNED, IncomingStatus.IN_PROGRESS],
        )
        .order_by("-received_at", "-pk")[:100]
    )
    return {
        "units": units,
        "types": DocumentType.objects.filter(active=True),
        "signers": _signers_for(list(agencies.values())),
        "authorities": Authority.choices,
        "urgencies": Urgency.choices,
        "secrecies": Secrecy.choices,
        "agencies": Organisation.objects.filter(kind__in=AGENCY_KINDS).order_by("path"),
        "open_incoming": list(open_incoming),
        "values": values or {},
        "chosen_recipients": {int(x) for x in getattr(values, "getlist", lambda _: [])("recipients") if x.isdigit()},
        **_error_context(exc),
    }


@officer_only
@require_http_methods(["GET", "POST"])
def new_draft(request):
    if not _units_with(request.user, "document.draft"):
        return render(request, "documents/no_access.html", status=403)
    if request.method == "GET":
        values = {"in_reply_to": request.GET.get("tra_loi", "")}
        return render(request, "documents/new_draft.html", _draft_context(request, values=values))
    post = request.POST
    try:
        errors: list[FieldError] = []
        unit = Organisation.objects.filter(pk=_pk(post.get("drafting_unit"))).first()
        if unit is None:
            errors.append(FieldError("drafting_unit", _("Cần chọn đơn vị soạn thảo.")))
        doc_type = DocumentType.objects.filter(code=post.get("doc_type", "")).first()
        if doc_type is None:
            errors.append(FieldError("doc_type", _("Cần chọn loại văn bản.")))
        signer = None
        if post.get("signer"):
            signer = User.objects.filter(pk=_pk(post.get("signer")), is_active=True).first()
            if signer is None:
                errors.append(FieldError("signer", _("Không tìm thấy người ký đã chọn.")))
        recipient_ids = [_pk(x) for x in post.getlist("recipients")]
        recipients = list(Organisation.objects.filter(pk__in=[x for x in recipient_ids if x]))
        if len(recipients) != len(recipient_ids):
            errors.append(FieldError("recipients", _("Có nơi nhận không tồn tại.")))
        in_reply_to = None
        if post.get("in_reply_to"):
            in_reply_to = selectors.incoming_visible_to(request.user).filter(pk=_pk(post.get("in_reply_to"))).first()
            if in_reply_to is None:
                errors.append(FieldError("in_reply_to", _("Không tìm thấy văn bản đến được trả lời.")))
        answer_due = _date(post.get("answer_due"), "answer_due", errors)
        name, content = _upload(request)
        _raise_if(errors)
        document = services.create_draft(
            by=request.user,
            drafting_unit=unit,
            doc_type=doc_type,
            subject=post.get("subject", ""),
            body=post.get("body", "") if content is None else "",
            file_name=name,
            file_content=content,
            signer=signer,
            signer_title=post.get("signer_title", ""),
            signer_authority=post.get("signer_authority", ""),
            recipients=recipients,
            external_recipients=[line for line in post.get("external_recipients", "").splitlines() if line.strip()],
            urgency=post.get("urgency", ""),
            secrecy=post.get("secrecy", ""),
            answer_due=answer_due,
            in_reply_to=in_reply_to,
            place=post.get("place", ""),
        )
    except DomainError as exc:
        return render(
            request, "documents/new_draft.html", _draft_context(request, values=post, exc=exc), status=exc.status
        )
    from django.contrib import messages

    messages.success(request, _("Đã tạo dự thảo."))
    return redirect("documents:outgoing", pk=document.pk)


# --------------------------------------------------------------------------------------------------
# Incoming documents
# --------------------------------------------------------------------------------------------------


def _incoming(request, pk: int) -> IncomingDocument:
    document = (
        selectors.incoming_visible_to(request.user)
        .select_related("agency", "doc_type", "outgoing", "answer", "registered_by")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404(_("Không tìm thấy văn bản đến."))
    return document


def _specialists_of(unit: Organisation) -> list[User]:
    positions = (
        Position.objects.active_on(timezone.localdate())
        .filter(unit__path__startswith=unit.path, user__is_active=True)
        .select_related("user", "role")
    )
    found = {p.user.pk: p.user for p in positions if "document.handle" in p.role.permissions}
    return sorted(found.values(), key=lambda u: u.get_full_name())


def _render_incoming(request, document: IncomingDocument, *, exc: DomainError | None = None, action: str = ""):
    user = request.user
    I = IncomingStatus  # noqa: E741
    assignments = list(document.assignments.select_related("unit", "assignee", "assigned_by").order_by("pk"))
    open_assignments = [a for a in assignments if a.done_at is None]
    mine = [a for a in open_assignments if a.assignee_id == user.pk or policy.has(user, "document.assign", a.unit)]
    clerk = document.status == I.RECEIVED and policy.has(user, "document.register", document.agency)
    directs = document.status == I.ACCEPTED and policy.has(user, "document.assign", document.agency)
    handling = document.status in (I.ASSIGNED, I.IN_PROGRESS)
    to_specialist = [
        (a, _specialists_of(a.unit))
        for a in open_assignments
        if handling and policy.has(user, "document.assign", a.unit) and a.role != Assignment.Role.INFORM
    ]
    context = {
        "document": document,
        "assignments": assignments,
        "trace": list(document.trace.select_related("actor", "unit").order_by("at", "pk")),
        "can_accept": clerk,
        "can_assign": directs,
        "to_specialist": to_specialist,
        "can_progress": handling and bool(mine),
        "can_complete": handling and any(a.role == Assignment.Role.LEAD for a in mine),
        "answers": list(selectors.outgoing_visible_to(user).filter(in_reply_to=document).order_by("-pk"))
        if handling
        else [],
        "units": list(Organisation.objects.filter(path__startswith=document.agency.path).order_by("path"))
        if directs
        else [],
        "return_reasons": IncomingDocument.ReturnReason.choices,
        "can_answer": bool(handling and mine and policy.has(user, "document.draft", mine[0].unit)),
        "failed_action": action,
        "action_errors": _action_errors(exc, action),
        "values": request.POST if exc else {},
        **_error_context(exc),
    }
    return render(request, "documents/incoming.html", context, status=exc.status if exc else 200)


@officer_only
@require_GET
def incoming_page(request, pk: int):
    return _render_incoming(request, _incoming(request, pk))


def _units(ids: list[str], field: str, errors: list[FieldError]) -> list[Organisation]:
    wanted = [_pk(x) for x in ids if x]
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=[x for x in wanted if x])}
    if len(found) != len(set(wanted)) or None in wanted:
        errors.append(FieldError(field, _("Có đơn vị không tồn tại.")))
    return [found[x] for x in wanted if x in found]


def _call_incoming(action: str, request, document: IncomingDocument) -> None:
    post, by = request.POST, request.user
    match action:
        case "accept":
            services.accept_incoming(by=by, incoming=document)
        case "return":
            services.return_incoming(by=by, incoming=document, reason=post.get("reason", ""), note=post.get("note", ""))
        case "assign":
            errors: list[FieldError] = []
            lead = _units([post.get("lead", "")], "lead", errors) if post.get("lead") else []
            if not post.get("lead"):
                errors.append(FieldError("lead", _("Cần chọn đơn vị chủ trì.")))
            cooperating = _units(post.getlist("cooperating"), "cooperating", errors)
            informed = _units(post.getlist("informed"), "informed", errors)
            deadline = _date(post.get("deadline"), "deadline", errors)
            _raise_if(errors)
            services.assign(
                by=by,
                incoming=document,
                lead=lead[0],
                cooperating=cooperating,
                informed=informed,
                deadline=deadline,
                instruction=post.get("instruction", ""),
            )
        case "specialist":
            assignment = document.assignments.filter(pk=_pk(post.get("assignment"))).first()
            specialist = User.objects.filter(pk=_pk(post.get("specialist")), is_active=True).first()
            if assignment is None:
                raise ValidationFailed.field("assignment", _("Không tìm thấy phân công."))
            if specialist is None:
                raise ValidationFailed.field("specialist", _("Cần chọn chuyên viên xử lý."))
            services.assign_to_specialist(
                by=by, assignment=assignment, specialist=specialist, note=post.get("note", "")
            )
        case "progress":
            services.add_progress(by=by, incoming=document, note=post.get("note", ""))
        case "complete":
            answer = None
            if post.get("answer"):
                answer = selectors.outgoing_visible_to(by).filter(pk=_pk(post.get("answer"))).first()
                if answer is None:
                    raise ValidationFailed.field("answer", _("Không tìm thấy văn bản trả lời."))
            services.complete(by=by, incoming=document, answer=answer, note=post.get("note", ""))
        case _:
            raise Http404(_("Thao tác không tồn tại."))


INCOMING_MESSAGES = {
    "accept": gettext_lazy("Đã tiếp nhận, vào sổ văn bản đến."),
    "return": gettext_lazy("Đã trả lại văn bản."),
    "assign": gettext_lazy("Đã phân công xử lý."),
    "specialist": gettext_lazy("Đã giao chuyên viên xử lý."),
    "progress": gettext_lazy("Đã cập nhật tiến độ."),
    "complete": gettext_lazy("Đã hoàn thành xử lý văn bản."),
}


@officer_only
@require_POST
def incoming_action(request, pk: int, action: str):
    if action not in INCOMING_MESSAGES:
        raise Http404(_("Thao tác không tồn tại."))
    document = _incoming(request, pk)
    try:
        _call_incoming(action, request, document)
    except DomainError as exc:
        return _render_incoming(request, _incoming(request, pk), exc=exc, action=action)
    from django.contrib import messages

    messages.success(request, INCOMING_MESSAGES[action])
    return redirect(f"{reverse('documents:incoming', args=[pk])}#vet-xu-ly")


@officer_only
@require_GET
def incoming_pdf(request, pk: int):
    document = _incoming(request, pk)
    label = document.symbol.replace("/", "-") if document.symbol else f"van-ban-den-{document.pk}"
    return serve_stored_file(document.pdf.name, content_type="application/pdf", filename=f"{label}.pdf")


def _paper_context(request, *, values=None, exc: DomainError | None = None) -> dict:
    units = _units_with(request.user, "document.register")
    return {
        "agencies": sorted({agency_of(u).pk: agency_of(u) for u in units}.values(), key=lambda a: a.path),
        "types": DocumentType.objects.filter(active=True),
        "urgencies": Urgency.choices,
        "secrecies": Secrecy.choices,
        "values": values or {},
        **_error_context(exc),
    }


@officer_only
@require_http_methods(["GET", "POST"])
def register_paper(request):
    """The clerk registers a paper document from its scan (OCR makes it searchable)."""
    if not _units_with(request.user, "document.register"):
        return render(request, "documents/no_access.html", status=403)
    if request.method == "GET":
        return render(request, "documents/register_paper.html", _paper_context(request))
    post = request.POST
    try:
        errors: list[FieldError] = []
        agency = Organisation.objects.filter(pk=_pk(post.get("agency"))).first()
        if agency is None:
            errors.append(FieldError("agency", _("Cần chọn cơ quan nhận.")))
        doc_type = DocumentType.objects.filter(code=post.get("doc_type", "")).first() if post.get("doc_type") else None
        document_date = _date(post.get("document_date"), "document_date", errors)
        answer_due = _date(post.get("answer_due"), "answer_due", errors)
        try:
            name, content = _upload(request, required=True)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            name, content = "", None
        _raise_if(errors)
        document = services.register_paper_incoming(
            by=request.user,
            agency=agency,
            file_name=name,
            file_content=content,
            sender_name=post.get("sender_name", ""),
            subject=post.get("subject", ""),
            symbol=post.get("symbol", ""),
            document_date=document_date,
            doc_type=doc_type,
            signer_name=post.get("signer_name", ""),
            urgency=post.get("urgency", ""),
            secrecy=post.get("secrecy", ""),
            answer_due=answer_due,
        )
    except DomainError as exc:
        return render(
            request, "documents/register_paper.html", _paper_context(request, values=post, exc=exc), status=exc.status
        )
    from django.contrib import messages

    messages.success(request, _("Đã vào sổ văn bản đến số %(number)s.") % {"number": document.arrival_number_text})
    return redirect("documents:incoming", pk=document.pk)


# --------------------------------------------------------------------------------------------------
# Registers (NĐ 30/2020 Phụ lục IV)
# --------------------------------------------------------------------------------------------------


def _register_agencies(user) -> list[Organisation]:
    """The agencies whose registers the officer may open: those of the units they hold a document
    permission over."""
    units = _units_with(user, "document.register") + _units_with(user, "document.view")
    agencies = {}
    for unit in units:
        agency = agency_of(unit)
        agencies[agency.pk] = agency
    return sorted(agencies.values(), key=lambda a: a.path)


OUTGOING_COLUMNS = [
    gettext_lazy("Số, ký hiệu văn bản"),
    gettext_lazy("Ngày tháng văn bản"),
    gettext_lazy("Tên loại và trích yếu nội dung văn bản"),
    gettext_lazy("Người ký"),
    gettext_lazy("Nơi nhận văn bản"),
    gettext_lazy("Đơn vị, người nhận bản lưu"),
    gettext_lazy("Số lượng bản"),
    gettext_lazy("Ghi chú"),
]
INCOMING_COLUMNS = [
    gettext_lazy("Số đến"),
    gettext_lazy("Ngày đến"),
    gettext_lazy("Tác giả"),
    gettext_lazy("Số, ký hiệu văn bản"),
    gettext_lazy("Ngày tháng văn bản"),
    gettext_lazy("Tên loại và trích yếu nội dung văn bản"),
    gettext_lazy("Đơn vị hoặc người nhận"),
    gettext_lazy("Ghi chú"),
]


def register_rows(user, *, agency: Organisation, kind: str, year: int) -> tuple[list[list[str]], list]:
    """The register's lines as the NĐ 30 columns (strings), in register order, and the entries."""
    entries = selectors.register(user, agency=agency, kind=kind, year=year)
    if kind == "outgoing":
        extra = {
            pk: (unit, copies)
            for pk, unit, copies in OutgoingDocument.objects.filter(pk__in=[e.document_id for e in entries])
            .values_list("pk", "drafting_unit__name", "external_recipients")
            .iterator()
        }
        rows = []
        for e in entries:
            unit, external = extra.get(e.document_id, ("", []))
            copies = len([r for r in e.recipients.split("; ") if r]) if e.recipients else 0
            secret = f" ({e.secrecy})" if e.secrecy else ""
            rows.append(
                [
                    e.symbol,
                    e.date.strftime("%d/%m/%Y") if e.date else "",
                    f"{e.doc_type}: {e.subject}{secret}",
                    e.signer,
                    e.recipients,
                    unit,
                    str(copies),
                    "; ".join(x for x in (e.status if e.status != OutgoingStatus.ISSUED.label else "", e.notes) if x),
                ]
            )
        return rows, entries
    rows = []
    for e in entries:
        secret = f" ({e.secrecy})" if e.secrecy else ""
        rows.append(
            [
                e.number_text,
                timezone.localtime(e.arrival_date).strftime("%d/%m/%Y") if e.arrival_date else "",
                e.signer,
                e.symbol,
                e.date.strftime("%d/%m/%Y") if e.date else "",
                f"{e.doc_type}: {e.subject}{secret}" if e.doc_type else f"{e.subject}{secret}",
                e.recipients,
                e.notes,
            ]
        )
    return rows, entries


def _workbook(title: str, columns, rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(c) for c in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGH", (16, 14, 50, 22, 40, 24, 10, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@officer_only
@require_GET
def register_page(request):
    agencies = _register_agencies(request.user)
    if not agencies:
        return render(request, "documents/no_access.html", status=403)
    today = timezone.localdate()
    kind = request.GET.get("loai") if request.GET.get("loai") in ("outgoing", "incoming") else "outgoing"
    raw_year = request.GET.get("nam", "")
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= today.year + 1 else today.year
    agency = next((a for a in agencies if str(a.pk) == request.GET.get("co_quan")), agencies[0])
    rows, entries = register_rows(request.user, agency=agency, kind=kind, year=year)
    columns = OUTGOING_COLUMNS if kind == "outgoing" else INCOMING_COLUMNS
    title = (
        _("Sổ đăng ký văn bản đi") if kind == "outgoing" else _("Sổ đăng ký văn bản đến")
    ) + f" {year} — {agency.name}"
    if request.GET.get("dinh_dang") == "xlsx":
        filename = f"so-van-ban-{'di' if kind == 'outgoing' else 'den'}-{year}.xlsx"
        return HttpResponse(
            _workbook(title, columns, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    query = {"loai": kind, "nam": year, "co_quan": agency.pk}
    return render(
        request,
        "documents/register.html",
        {
            "agencies": agencies,
            "agency": agency,
            "kind": kind,
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "columns": columns,
            "lines": list(zip(rows, entries, strict=True)),
            "title": title,
            "xlsx_query": urlencode({**query, "dinh_dang": "xlsx"}),
        },
    )


# --------------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------------


@officer_only
@require_GET
def search_page(request):
    get = request.GET
    errors: list[FieldError] = []
    filters = document_search.SearchFilters(
        type=get.get("loai_vb", ""),
        issuer=get.get("noi_ban_hanh", "")[:200],
        signer=get.get("nguoi_ky", "")[:200],
        date_from=_date(get.get("tu"), "date_from", errors),
        date_to=_date(get.get("den"), "date_to", errors),
        status=get.get("trang_thai", "")[:20],
        kind=get.get("nhom", "") if get.get("nhom") in ("outgoing", "incoming") else "",
    )
    q = get.get("q", "")
    searched = any(v for k, v in get.items() if k != "sau")
    page, exc = None, None
    try:
        _raise_if(errors)
        if searched:
            page = document_search.search(user=request.user, q=q, filters=filters, cursor=get.get("sau") or None)
    except ValidationFailed as exc_:
        exc = exc_
    query = urlencode([(k, v) for k, v in get.items() if k != "sau" and v])
    return render(
        request,
        "documents/search.html",
        {
            "q": q,
            "f": filters,
            "values": get,
            "page": page,
            "query": query,
            "types": DocumentType.objects.filter(active=True),
            "statuses": [(s.value, s.label) for s in OutgoingStatus]
            + [(s.value, s.label) for s in IncomingStatus if s.value not in OutgoingStatus.values],
            **_error_context(exc),
        },
        status=exc.status if exc else 200,
    )
