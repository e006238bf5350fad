"""Sign-in pages. Handlers parse, call the authentication/services layer, render."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from egov.access.authentication import (
    SESSION_2FA_KEY,
    administrators_sign_in_with_password_only,
    check_credentials,
    lockout_message,
)
from egov.core.errors import AuthenticationFailed, DomainError, ValidationFailed
from egov.core.forms import errors_by_field
from egov.notifications import services as notifications
from egov.people import selectors as people_selectors
from egov.people import services
from egov.people.models import ContactVerification, User
from egov.people.throttling import check_registration_rate

# The verification waiting for its code (the opaque token) and where to go once it is verified.
CHANNEL_LABELS = {
    "email": gettext_lazy("Thư điện tử"),
    "sms": gettext_lazy("Tin nhắn SMS"),
    "zalo": gettext_lazy("Zalo (tin nhắn từ tài khoản Zalo chính thức của cổng)"),
}

SESSION_VERIFICATION_KEY = "egov_verification"
SESSION_VERIFICATION_NEXT_KEY = "egov_verification_next"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _landing(user) -> str:
    """Where a sign-in without a ``next`` goes: officers to their worklist, others to the home page."""
    return reverse("dossiers:worklist") if user.kind == User.Kind.OFFICER else reverse("portal:home")


@require_http_methods(["GET", "POST"])
def login_view(request):
    context = {
        "next": _safe_next(request, ""),
        "username": "",
        "errors": {},
        "error": None,
        "admin_password_only": administrators_sign_in_with_password_only(),
    }
    status = 200
    if request.method == "POST":
        context["username"] = request.POST.get("username", "")
        try:
            user, device = check_credentials(
                request,
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
                otp_token=request.POST.get("otp_token") or None,
                require_otp_now=False,
            )
        except AuthenticationFailed as exc:
            # A registration never verified: the right password continues to the verification page.
            pending = services.resume_registration(
                username=request.POST.get("username", ""), password=request.POST.get("password", "")
            )
            if pending is not None:
                _remember_verification(request, pending.token, context["next"])
                messages.info(request, _("Tài khoản chưa được xác minh. Nhập mã xác minh đã gửi cho bạn."))
                return redirect("people:verify")
            context["error"] = exc.message
            status = 400
        except DomainError as exc:
            context["error"] = exc.message
            context["errors"] = errors_by_field(exc)
            status = exc.status if exc.status != 401 else 400
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if device is not None:
                otp_login(request, device)
            needs_second_factor = device is None and services.totp_required(user)
            request.session[SESSION_2FA_KEY] = "pending" if needs_second_factor else "ok"
            services.record_login(user=user, method="password+totp" if device else "password")
            if needs_second_factor:
                return redirect(f"{reverse('people:second_factor')}?{urlencode({'next': context['next']})}")
            return HttpResponseRedirect(_safe_next(request, _landing(user)))
    return render(request, "people/login.html", context, status=status)


@require_http_methods(["GET", "POST"])
def second_factor_view(request):
    """Ask for the TOTP code, or enrol a device first if the officer has none yet."""
    if not request.user.is_authenticated:
        return redirect("people:login")
    user = request.user
    from django_otp.plugins.otp_totp.models import TOTPDevice

    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    context = {"next": _safe_next(request, ""), "enrol": not has_device, "error": None}
    if request.method == "POST":
        code = request.POST.get("otp_token", "")
        try:
            if has_device:
                device = services.verify_totp(user, code)
                if device is None:
                    raise ValidationFailed.field("otp_token", "Mã xác thực hai lớp không đúng hoặc đã hết hạn.")
            else:
                device = services.confirm_totp_enrollment(user=user, code=code)
        except DomainError as exc:
            context["error"] = exc.message
        else:
            otp_login(request, device)
            request.session[SESSION_2FA_KEY] = "ok"
            return HttpResponseRedirect(_safe_next(request, _landing(user)))
    if not has_device:
        device = services.start_totp_enrollment(user=user)
        context["otpauth_uri"] = device.config_url
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "people/second_factor.html", context, status=400 if context["error"] else 200)


@require_http_methods(["POST"])
def logout_view(request):
    logout(request)
    messages.info(request, "Bạn đã đăng xuất.")
    return redirect("portal:home")


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes lock-out answer (AXES_LOCKOUT_CALLABLE)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"code": "throttled", "message": lockout_message()}, status=429)
    context = {
        "error": lockout_message(),
        "errors": {},
        "admin_password_only": administrators_sign_in_with_password_only(),
    }
    return render(request, "people/login.html", context, status=429)


@require_http_methods(["GET", "POST"])
def my_account(request) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('people:login')}?next={request.path}")
    user = request.user
    positions = user.positions.active_on(timezone.localdate()).select_related("unit", "role").order_by("unit__path")
    profile = getattr(user, "citizen_profile", None)
    editable = user.kind in (User.Kind.CITIZEN, User.Kind.BUSINESS)
    form = {
        "full_name": user.full_name,
        "date_of_birth": profile.date_of_birth.isoformat() if profile and profile.date_of_birth else "",
        "address": profile.address if profile else "",
    }
    context = {"positions": positions, "profile": profile, "editable": editable, "form": form, "errors": {}}
    context["contact_form"] = {"channel": "email", "new_contact": ""}
    context["channel_choices"] = [(channel, CHANNEL_LABELS[channel]) for channel in notifications.available_channels()]
    chosen = people_selectors.notification_channels(user.pk) if editable else None
    context["chosen_channels"] = list(notifications.DEFAULT_CHANNELS if chosen is None else chosen)
    status = 200
    if request.method == "POST" and editable and request.POST.get("action") == "channels":
        context["chosen_channels"] = request.POST.getlist("channels")
        try:
            services.set_notification_channels(by=user, user=user, channels=context["chosen_channels"])
        except DomainError as exc:
            context["channel_errors"] = errors_by_field(exc)
            context["channel_error_list"] = _error_list(exc)
            status = exc.status
        else:
            messages.success(request, _("Đã lưu kênh nhận thông báo."))
            return redirect("people:account")
    elif request.method == "POST" and editable and request.POST.get("action") == "contact":
        contact_form = {name: request.POST.get(name, "") for name in ("channel", "new_contact")}
        context["contact_form"] = contact_form
        try:
            pending = services.request_contact_change(
                by=user, channel=contact_form["channel"], value=contact_form["new_contact"]
            )
        except DomainError as exc:
            context["contact_errors"] = errors_by_field(exc)
            context["contact_error_list"] = [
                ("new_contact" if field == "channel" else field, message) for field, message in _error_list(exc)
            ]
            status = exc.status
        else:
            _remember_verification(request, pending.token, reverse("people:account"))
            return redirect("people:verify")
    elif request.method == "POST" and editable:
        form = {name: request.POST.get(name, "") for name in form}
        context["form"] = form
        try:
            date_of_birth = _parse_date_of_birth(form["date_of_birth"])
            services.update_profile(
                by=user,
                user=user,
                full_name=form["full_name"],
                date_of_birth=date_of_birth,
                address=form["address"],
            )
        except DomainError as exc:
            context["errors"] = errors_by_field(exc)
            context["error"] = exc.message
            context["error_pairs"] = _error_list(exc)
            status = exc.status
        else:
            messages.success(request, _("Đã lưu thông tin tài khoản."))
            return redirect("people:account")
    return render(request, "people/account.html", context, status=status)


def _parse_date_of_birth(value: str):
    """``YYYY-MM-DD`` (what a date input sends) or empty; anything else is a field error."""
    if not value.strip():
        return None
    try:
        parsed = parse_date(value.strip())
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        parsed = None
    if parsed is None:
        raise ValidationFailed.field("date_of_birth", "Ngày sinh không hợp lệ (ngày/tháng/năm).")
    return parsed


# --- Registration and verification ------------------------------------------------------------------

_REGISTER_FIELDS = ("kind", "full_name", "identity_number", "email", "phone", "verify_by")


def _remember_verification(request, token: str, next_url: str) -> None:
    request.session[SESSION_VERIFICATION_KEY] = token
    request.session[SESSION_VERIFICATION_NEXT_KEY] = next_url


@require_http_methods(["GET", "POST"])
def register_view(request):
    """Đăng ký tài khoản: citizens and businesses; the account waits for its verification code."""
    if request.user.is_authenticated:
        return redirect("people:account")
    form = {name: request.POST.get(name, "") for name in _REGISTER_FIELDS}
    if request.method == "GET":
        form["kind"] = request.GET.get("loai", "") if request.GET.get("loai") in User.Kind.values else ""
    context = {
        "next": _safe_next(request, ""),
        "form": form,
        "accepted_terms": request.POST.get("accepted_terms") == "on",
        "errors": {},
        "error_list": [],
    }
    status = 200
    if request.method == "POST":
        try:
            check_registration_rate(request)
            pending = services.register_account(
                kind=form["kind"],
                full_name=form["full_name"],
                identity_number=form["identity_number"],
                email=form["email"],
                phone=form["phone"],
                verify_by=form["verify_by"],
                password=request.POST.get("password", ""),
                password_confirmation=request.POST.get("password_confirmation", ""),
                accepted_terms=context["accepted_terms"],
            )
        except DomainError as exc:
            context["errors"] = errors_by_field(exc)
            context["error_list"] = _error_list(exc)
            status = exc.status
        else:
            _remember_verification(request, pending.token, context["next"])
            return redirect("people:verify")
    return render(request, "people/register.html", context, status=status)


def _error_list(exc: DomainError) -> list[tuple[str, str]]:
    """(field, message) pairs for the error summary; a general error has no field."""
    if isinstance(exc, ValidationFailed):
        return [(err.field, err.message) for err in exc.errors]
    return [("", exc.message)]


@require_http_methods(["GET", "POST"])
def verify_view(request):
    """Enter the code sent at registration, or ask for a new one (``action=resend``)."""
    token = request.session.get(SESSION_VERIFICATION_KEY, "")
    verification = services.pending_verification(token, request.user)
    context = {"verification": verification, "errors": {}, "error_list": [], "code": ""}
    status = 200
    if verification is None:
        return render(request, "people/verify.html", context, status=200 if request.method == "GET" else 400)
    context["recipient"] = services.mask_recipient(verification.channel, verification.recipient)
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            services.resend_verification_code(token=token, user=request.user)
        except DomainError as exc:
            context["error_list"] = _error_list(exc)
            status = exc.status
        else:
            messages.info(request, _("Đã gửi mã xác minh mới."))
            return redirect("people:verify")
    elif request.method == "POST":
        context["code"] = request.POST.get("code", "")
        try:
            user = services.verify_contact(token=token, code=context["code"], user=request.user)
        except DomainError as exc:
            context["errors"] = errors_by_field(exc)
            context["error_list"] = _error_list(exc)
            status = exc.status
        else:
            request.session.pop(SESSION_VERIFICATION_KEY, None)
            if verification.purpose == ContactVerification.Purpose.CONTACT_CHANGE:
                request.session.pop(SESSION_VERIFICATION_NEXT_KEY, None)
                if verification.channel == ContactVerification.Channel.EMAIL:
                    messages.success(request, _("Đã cập nhật địa chỉ thư điện tử."))
                else:
                    messages.success(request, _("Đã cập nhật số điện thoại."))
                return redirect("people:account")
            next_url = request.session.get(SESSION_VERIFICATION_NEXT_KEY, "")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_2FA_KEY] = "ok"
            request.session.pop(SESSION_VERIFICATION_KEY, None)
            request.session.pop(SESSION_VERIFICATION_NEXT_KEY, None)
            services.record_login(user=user, method="registration")
            messages.success(request, _("Tài khoản đã được kích hoạt."))
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                return HttpResponseRedirect(next_url)
            return redirect("people:account")
    return render(request, "people/verify.html", context, status=status)
