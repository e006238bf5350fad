"""Operational metrics counted while serving requests (prometheus-client); ``/metrics`` exports them
with the figures read from the database (``egov.security.metrics``).

- ``egov_http_requests_total{route,method,status}`` and ``egov_http_request_duration_seconds{route,method}``
  — by URL pattern (``api/v1/dossiers/<code>``), never by the raw path, so the series stay few;
- ``egov_db_errors_total{error}`` — database exceptions that reached a request;
- ``egov_security_events_total{kind}`` — security events recorded by this process;

Under gunicorn with several workers set ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's
multiprocess mode) so the counters add up over the workers (docs/deploy.md).
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError
from prometheus_client import Counter, Histogram

__all__ = ["MetricsMiddleware", "count_security_event", "count_db_error", "request_metrics"]

logger = logging.getLogger(__name__)

REQUESTS = Counter("egov_http_requests", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "egov_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DB_ERRORS = Counter("egov_db_errors", "Database errors that reached a request", ["error"])
SECURITY_EVENTS = Counter("egov_security_events", "Security events recorded", ["kind"])

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def count_security_event(kind: str) -> None:
    SECURITY_EVENTS.labels(kind=str(kind)).inc()


def count_db_error(exc: BaseException) -> None:
    if isinstance(exc, DatabaseError):
        DB_ERRORS.labels(error=type(exc).__name__).inc()


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unmatched"


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            method = request.method if request.method in _METHODS else "other"
            route = _route(request)
            REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
            LATENCY.labels(route=route, method=method).observe(time.perf_counter() - started)
        except Exception:  # metrics must never cost the answer
            logger.exception("Could not count the request")
        return response

    def process_exception(self, request, exception):
        count_db_error(exception)


def request_metrics():
    """The collectors counted here, for a registry that exports them."""
    return (REQUESTS, LATENCY, DB_ERRORS, SECURITY_EVENTS)
