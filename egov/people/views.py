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
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from egov.core.errors import DomainError, ValidationFailed
from egov.people import services
from egov.people.authentication import SESSION_2FA_KEY, check_credentials, lockout_message


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _field_errors(exc: DomainError) -> dict[str, list[str]]:
    if isinstance(exc, ValidationFailed):
        result: dict[str, list[str]] = {}
        for err in exc.errors:
            result.setdefault(err.field, []).append(err.message)
        return result
    return {}


@require_http_methods(["GET", "POST"])
def login_view(request):
    context = {"next": _safe_next(request, ""), "username": "", "errors": {}, "error": None}
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
        except DomainError as exc:
            context["error"] = exc.message
            context["errors"] = _field_errors(exc)
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
            return HttpResponseRedirect(_safe_next(request, reverse("core:home")))
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
            return HttpResponseRedirect(_safe_next(request, reverse("core:home")))
    if not has_device:
        device = services.start_totp_enrollment(user=user)
        context["otpauth_uri"] = device.config_url
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "people/second_factor.html", context, status=400 if context["error"] else 200)


@require_http_methods(["POST"])
def logout_view(request):
    logout(request)
    messages.info(request, "Bạn đã đăng xuất.")
    return redirect("core:home")


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes lock-out answer (AXES_LOCKOUT_CALLABLE)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"code": "throttled", "message": lockout_message()}, status=429)
    return render(request, "people/login.html", {"error": lockout_message(), "errors": {}}, status=429)


def my_account(request) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('people:login')}?next={request.path}")
    positions = (
        request.user.positions.active_on(timezone.localdate()).select_related("unit", "role").order_by("unit__path")
    )
    profile = getattr(request.user, "citizen_profile", None)
    return render(request, "people/account.html", {"positions": positions, "profile": profile})
