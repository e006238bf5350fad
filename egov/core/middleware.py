"""Request middleware: the client address for the audit trail, and the UI language."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from egov.core import context


def client_ip(request) -> str | None:
    """The client address; ``X-Forwarded-For`` is trusted only for ``PROXY_COUNT`` proxies."""
    proxies = getattr(settings, "EGOV_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def lockout_client_ip(request) -> str:
    """The address django-axes counts failed logins against (AXES_CLIENT_IP_CALLABLE)."""
    return client_ip(request) or ""


def _origin(request) -> str:
    """``scheme://host`` of the request, or "" when its Host is not one ALLOWED_HOSTS lets through
    (the page itself then fails with 400; nothing should print a forged host meanwhile)."""
    from django.core.exceptions import DisallowedHost

    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return ""


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.bind(
            context.RequestContext(
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                channel=channel,
                origin=_origin(request),
            )
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


class LanguageMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language (cookie set by /i18n/setlang/).

    Django's own middleware follows the browser's Accept-Language; a public administration
    speaks Vietnamese by default, whatever the browser says.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
