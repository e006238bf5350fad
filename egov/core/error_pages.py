"""Answers for requests that went wrong before or outside a view's own error handling: bad input
(400), an unavailable database (503) and an unexpected error (500).

They must not fail themselves: the page is rendered without the request's context processors (which
read the database) and JSON under ``/api/`` has the API's shared shape (``egov.core.api_errors``):
``{"code": ..., "message": ...}``. Never a traceback to the client.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

__all__ = [
    "DATABASE_UNAVAILABLE",
    "RETRY_AFTER_SECONDS",
    "bad_request",
    "error_response",
    "is_api",
    "server_error",
    "service_unavailable",
]

logger = logging.getLogger(__name__)

# What the database driver raises when the server is down, restarting or unreachable. Django closes
# such a connection at the end of the request, so the next request reconnects by itself.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def error_response(request, *, status: int, code: str, title: str, message: str) -> HttpResponse:
    if is_api(request):
        response = JsonResponse(
            {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    else:
        try:
            html = render_to_string("error.html", {"status": status, "title": title, "message": message})
        except Exception:  # the error page must answer even if templates or static files are broken
            logger.warning("Error page template failed; answering in plain text", exc_info=False)
            return HttpResponse(f"{title}\n\n{message}\n", status=status, content_type="text/plain; charset=utf-8")
        response = HttpResponse(html, status=status)
    return response


def bad_request_response(request, message: str | None = None) -> HttpResponse:
    return error_response(
        request,
        status=400,
        code="bad_request",
        title=_("Yêu cầu không hợp lệ"),
        message=message or _("Yêu cầu không đọc được. Hãy kiểm tra dữ liệu đã nhập rồi thử lại."),
    )


def service_unavailable(request) -> HttpResponse:
    response = error_response(
        request,
        status=503,
        code="service_unavailable",
        title=_("Hệ thống tạm thời gián đoạn"),
        message=_("Hệ thống đang tạm thời không truy cập được cơ sở dữ liệu. Vui lòng thử lại sau ít phút."),
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request, exception=None) -> HttpResponse:
    """``handler400``: Django's own refusals (a malformed multipart body, too many fields...)."""
    return bad_request_response(request)


def server_error(request) -> HttpResponse:
    """``handler500``: an outage of the database becomes 503, anything else a plain 500."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    return error_response(
        request,
        status=500,
        code="server_error",
        title=_("Lỗi hệ thống"),
        message=_("Đã xảy ra lỗi hệ thống; yêu cầu của Ông/Bà chưa được thực hiện. Vui lòng thử lại sau."),
    )


class OutageLogFilter(logging.Filter):
    """On ``django.request``: a request that failed because the database is down is logged as one
    line naming the error, without the traceback Django attaches (the same lines, once per
    request, for as long as the outage lasts, would bury everything else)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, DATABASE_UNAVAILABLE):
            # The session middleware retries its failed read on the way out and fails again: the
            # request has been logged once already.
            request = getattr(record, "request", None)
            if getattr(request, "_egov_outage_logged", False):
                return False
            if request is not None:
                request._egov_outage_logged = True
            first_line = (str(exc).strip().splitlines() or [""])[0]
            record.msg = f"{record.msg} ({type(exc).__name__}: %s)"
            record.args = (*(record.args or ()), first_line)
            record.exc_info = None
            record.exc_text = None
        return True
