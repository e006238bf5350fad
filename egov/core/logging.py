"""Logs: one JSON object per line, with the request it belongs to.

Every line has ``time`` (UTC, ISO 8601 with milliseconds and ``Z``: one time zone for every process),
``level``, ``logger``, ``message``, ``request_id`` and ``client_ip`` (``-`` outside a request), plus the
``extra`` fields a caller gave, and ``exc`` (the traceback, in the same line) when there is one.
:class:`RequestIdMiddleware` takes the request id from the proxy's ``X-Request-ID`` (nginx:
``$request_id``) or makes one, returns it in the response's ``X-Request-ID`` and logs one line per
request (``egov.request``: method, path, status, duration). Gunicorn uses the same formatter
(deploy/gunicorn.conf.py), so the journal has one format.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

__all__ = ["JsonFormatter", "RequestContextFilter", "RequestIdMiddleware", "current_request_id"]

_request_id: ContextVar[str] = ContextVar("egov_request_id", default="-")
_client_ip: ContextVar[str] = ContextVar("egov_client_ip", default="-")
# What a proxy may send as a request id: nginx's $request_id (32 hex digits), a UUID, and the like.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is written out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}

request_logger = logging.getLogger("egov.request")


def current_request_id() -> str:
    """The id of the request being served, ``-`` outside a request."""
    return _request_id.get()


class RequestContextFilter(logging.Filter):
    """Puts the current request's id and client address on every record (attach it to handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        if not hasattr(record, "client_ip"):
            record.client_ip = _client_ip.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", _request_id.get()),
            "client_ip": getattr(record, "client_ip", _client_ip.get()),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every line logged while serving a request carries its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from egov.core.middleware import client_ip

        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        tokens = (_request_id.set(request_id), _client_ip.set(client_ip(request) or "-"))
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _request_id.reset(tokens[0])
            _client_ip.reset(tokens[1])
