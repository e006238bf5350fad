"""Keeps a signed-in officer who still owes a second factor on the second-factor page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from egov.access.authentication import SESSION_2FA_KEY

_ALLOWED_PREFIXES = ("/static/", "/i18n/", "/dang-xuat/", "/dang-nhap/")


class TotpEnrollmentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            state = request.session.get(SESSION_2FA_KEY)
            if state is None:
                # Signed in some other way (e.g. OpenID Connect): decide once per session.
                from egov.people.services import totp_required

                verified = getattr(user, "is_verified", lambda: False)()
                state = "pending" if totp_required(user) and not verified else "ok"
                request.session[SESSION_2FA_KEY] = state
            if state == "pending" and not request.path.startswith(_ALLOWED_PREFIXES):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "second_factor_required", "message": "Cần hoàn tất xác thực hai lớp."}, status=401
                    )
                return redirect(f"{reverse('people:second_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
