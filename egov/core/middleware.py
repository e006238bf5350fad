"""Request middleware: the client address for the audit trail, the UI language, refusing input no
view could store, and answering a database outage with 503."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.exceptions import BadRequest, ObjectDoesNotExist, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from egov.core import context, error_pages


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


# --- bad input and outages --------------------------------------------------------------------

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A JSON string escape for NUL or for a UTF-16 surrogate, not itself escaped (``\\u0000`` is text).
_JSON_SUSPECT = re.compile(rb"(?<!\\)(?:\\\\)*\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _unstorable(text: str) -> bool:
    """NUL (PostgreSQL refuses it in text) or a lone surrogate (not encodable as UTF-8)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_has_unstorable(value) -> bool:
    if isinstance(value, str):
        return _unstorable(value)
    if isinstance(value, dict):
        return any(_unstorable(k) or _json_has_unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_unstorable(v) for v in value)
    return False


class BadInputMiddleware:
    """Refuses, with 400 and a Vietnamese message, what no view could store or even parse: a NUL
    byte in the path, the query, a header, a form value or a JSON string (PostgreSQL cannot store
    it), and malformed form bodies (a multipart body without a boundary, too many fields...).

    One check for every page and API operation, so no view has to remember it. It runs before the
    session and authentication middleware, which read cookies into database queries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem is not None:
            return error_pages.bad_request_response(request, problem)
        return self.get_response(request)

    def _problem(self, request) -> str | None:
        nul = _("Dữ liệu gửi lên chứa ký tự không hợp lệ (ký tự NUL) ở {where}; hãy xoá ký tự đó rồi thử lại.")
        if _unstorable(request.path_info):
            return nul.format(where=_("địa chỉ trang"))
        for key, value in request.META.items():
            if (key.startswith("HTTP_") or key == "QUERY_STRING") and isinstance(value, str) and _unstorable(value):
                return nul.format(where=_("tiêu đề yêu cầu") if key.startswith("HTTP_") else _("tham số truy vấn"))
        for key, values in request.GET.lists():
            if _unstorable(key) or any(_unstorable(v) for v in values):
                return nul.format(where=_("tham số '{name}'").format(name=_printable(key)))
        if request.method != "POST":
            return None
        content_type = request.content_type or ""
        if content_type in _FORM_TYPES:
            try:
                form = request.POST
                request.FILES  # noqa: B018  (parsed together with POST; a broken body fails here)
            except (MultiPartParserError, SuspiciousOperation, BadRequest, LookupError, ValueError):
                return _("Nội dung biểu mẫu gửi lên không đọc được (sai định dạng multipart hoặc quá nhiều trường).")
            for key, values in form.lists():
                if _unstorable(key) or any(_unstorable(v) for v in values):
                    return nul.format(where=_("trường '{name}'").format(name=_printable(key)))
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                body = request.body
            except SuspiciousOperation:
                return _("Nội dung yêu cầu quá lớn.")
            if _JSON_SUSPECT.search(body):
                try:
                    data = json.loads(body)
                except ValueError:
                    return None  # the API's own parser answers 400 for broken JSON
                if _json_has_unstorable(data):
                    return nul.format(where=_("nội dung JSON"))
        return None


def _printable(name: str) -> str:
    return "".join(ch for ch in name if ch.isprintable())[:60]


class DatabaseOutageMiddleware:
    """A view that finds the database down answers 503 with ``Retry-After`` (a page, or the API's
    JSON error), logged as one line by Django, not a traceback per request. Errors raised by other
    middleware reach ``handler500`` (``egov.core.error_pages.server_error``), which does the same.

    A view that let ``ObjectDoesNotExist`` escape (a third-party admin view given an unknown id)
    answers 404: the thing asked for does not exist, which is not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, error_pages.DATABASE_UNAVAILABLE):
            # Answered here, so MetricsMiddleware.process_exception (outside this one) never sees it.
            from egov.core.metrics import count_db_error

            count_db_error(exception)
            return error_pages.service_unavailable(request)
        if isinstance(exception, ObjectDoesNotExist):
            return page_not_found(request, Http404(str(exception)))
        return None
