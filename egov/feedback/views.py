"""Public pages (rating, sending and tracking feedback, published answers) and the officer's list
with its answer form. Handlers parse, call one service or selector, render; no JavaScript needed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.core.errors import DomainError, ValidationFailed
from egov.core.forms import errors_by_field
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import Status
from egov.feedback import selectors, services
from egov.feedback.api import FeedbackThrottle
from egov.feedback.models import Feedback, FeedbackStatus, Rating, RatingValue
from egov.organisations.models import Organisation


def _throttled(request, kind: str) -> str | None:
    return None if FeedbackThrottle(kind).allow_request(request) else FeedbackThrottle.MESSAGES[kind]


@require_http_methods(["GET", "POST"])
def rate_page(request, code: str):
    dossier = Dossier.objects.filter(code=code).only("code", "status", "applicant_user_id").first()
    if dossier is None:
        raise Http404("Không tìm thấy hồ sơ.")
    is_applicant = request.user.is_authenticated and request.user.pk == dossier.applicant_user_id
    context = {
        "dossier": dossier,
        "status_label": Status(dossier.status).label,
        "returned": dossier.status == Status.RETURNED,
        "rated": Rating.objects.filter(dossier=dossier).exists(),
        "needs_phone": dossier.applicant_user_id is None,
        "needs_sign_in": dossier.applicant_user_id is not None and not is_applicant,
        "choices": RatingValue.choices,
        "values": request.POST if request.method == "POST" else {},
        "errors": {},
        "error": None,
    }
    if request.method == "POST":
        status = 429
        message = _throttled(request, "rate")
        if message is None:
            try:
                services.rate_dossier(
                    by=request.user,
                    code=code,
                    value=request.POST.get("value", ""),
                    comment=request.POST.get("comment", ""),
                    phone=request.POST.get("phone", ""),
                )
            except DomainError as exc:
                message, status = exc.message, exc.status
                context["errors"] = errors_by_field(exc)
                if exc.status == 403 and context["needs_phone"]:
                    context["errors"] = {"phone": [exc.message]}
            else:
                messages.success(request, _("Cảm ơn Ông/Bà đã đánh giá. Ý kiến của Ông/Bà đã được ghi nhận."))
                return redirect("feedback:rate", code=code)
        context["error"] = message
        return render(request, "feedback/rate.html", context, status=status)
    return render(request, "feedback/rate.html", context)


def _agencies():
    today = timezone.localdate()
    return list(Organisation.objects.agencies().active_on(today).only("pk", "name", "depth").order_by("path"))


@require_http_methods(["GET", "POST"])
def submit_page(request):
    agencies = _agencies()
    context = {"agencies": agencies, "values": request.POST if request.method == "POST" else {}, "errors": {}}
    if request.method == "POST":
        message = _throttled(request, "submit")
        if message:
            context["error"] = message
            return render(request, "feedback/submit.html", context, status=429)
        chosen = request.POST.get("agency", "")
        agency = next((a for a in agencies if str(a.pk) == chosen), None)
        try:
            if chosen and agency is None:
                raise ValidationFailed.field("agency", "Cơ quan nhận không hợp lệ.")
            feedback = services.submit_feedback(
                by=request.user,
                agency=agency,
                sender_name=request.POST.get("sender_name", ""),
                phone=request.POST.get("phone", ""),
                email=request.POST.get("email", ""),
                address=request.POST.get("address", ""),
                title=request.POST.get("title", ""),
                content=request.POST.get("content", ""),
                related_dossier_code=request.POST.get("related_dossier_code", ""),
            )
        except DomainError as exc:
            context["error"] = (
                "Phản ánh chưa được gửi. Vui lòng sửa các lỗi dưới đây." if errors_by_field(exc) else exc.message
            )
            context["errors"] = errors_by_field(exc)
            return render(request, "feedback/submit.html", context, status=exc.status)
        messages.success(
            request,
            _("Đã nhận phản ánh, kiến nghị của bạn. Mã tra cứu: %(code)s. Vui lòng ghi lại mã này.")
            % {"code": feedback.code},
        )
        return redirect(f"{reverse('feedback:track')}?ma={feedback.code}")
    return render(request, "feedback/submit.html", context)


@require_GET
def track_page(request):
    code = (request.GET.get("ma") or "").strip()
    context = {"code": code, "feedback": None, "error": None}
    status = 200
    if code:
        context["error"] = _throttled(request, "track")
        if context["error"]:
            return render(request, "feedback/track.html", context, status=429)
        context["feedback"] = selectors.by_code(code)
        if context["feedback"] is None:
            context["error"], status = "Không tìm thấy phản ánh có mã này.", 404
    return render(request, "feedback/track.html", context, status=status)


@require_GET
def published_page(request):
    try:
        rows, cursor = selectors.published(after=request.GET.get("sau") or None)
    except ValidationFailed:
        rows, cursor = [], None
    return render(request, "feedback/published.html", {"rows": rows, "cursor": cursor})


@login_required
@require_GET
def officer_list(request):
    status = request.GET.get("trang_thai") or None
    if status not in FeedbackStatus.values:
        status = None
    try:
        rows, cursor = selectors.for_officer(user=request.user, status=status, after=request.GET.get("sau") or None)
    except ValidationFailed:
        rows, cursor = [], None
    now = timezone.now()
    return render(
        request,
        "feedback/officer_list.html",
        {"rows": rows, "cursor": cursor, "status": status, "statuses": FeedbackStatus.choices, "now": now},
    )


def _visible(request, code: str) -> Feedback:
    from egov.access import policy

    qs = policy.scope(request.user, "dossier.view", Feedback.objects.all(), path_field="handling_unit__path")
    feedback = qs.select_related("agency", "handling_unit", "answered_by").filter(code=code).first()
    if feedback is None:
        raise Http404("Không tìm thấy phản ánh.")
    return feedback


def _render_detail(request, feedback: Feedback, *, exc: DomainError | None = None):
    context = {
        "feedback": feedback,
        "can_answer": services.may_answer(request.user, feedback),
        "open": feedback.status in (FeedbackStatus.RECEIVED, FeedbackStatus.PROCESSING),
        "values": request.POST if exc else {},
        "errors": errors_by_field(exc) if exc else {},
        "error": exc.message if exc else None,
    }
    return render(request, "feedback/officer_detail.html", context, status=exc.status if exc else 200)


@login_required
@require_http_methods(["GET", "POST"])
def officer_detail(request, code: str):
    feedback = _visible(request, code)
    if request.method == "POST":
        try:
            services.answer_feedback(
                by=request.user,
                feedback=feedback,
                answer=request.POST.get("answer", ""),
                publish=request.POST.get("publish") == "on",
            )
        except DomainError as exc:
            return _render_detail(request, feedback, exc=exc)
        messages.success(request, _("Đã lưu trả lời và gửi thông báo cho người phản ánh."))
        return redirect("feedback:officer_detail", code=code)
    return _render_detail(request, feedback)


@login_required
@require_POST
def officer_publish(request, code: str):
    feedback = _visible(request, code)
    try:
        services.set_published(by=request.user, feedback=feedback, published=request.POST.get("published") == "1")
    except DomainError as exc:
        return _render_detail(request, feedback, exc=exc)
    return redirect("feedback:officer_detail", code=code)
