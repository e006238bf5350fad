"""Operational metrics in Prometheus format at ``/metrics`` (prometheus-client).

- ``egov_http_requests_total{route,method,status}`` and ``egov_http_request_duration_seconds{route,method}``
  — by URL pattern (``api/v1/dossiers/<code>``), never by the raw path, so the series stay few;
- ``egov_db_errors_total{error}`` — database exceptions that reached a request;
- ``egov_security_events_total{kind}`` — security events recorded by this process;
- read from the database at each scrape, so right whatever process wrote them:
  ``egov_outbox_messages{status}`` (backlog: pending, sending; failures: failed),
  ``egov_outbox_oldest_pending_seconds``, ``egov_task_queue_depth`` (tasks ready to run),
  ``egov_security_events_recent{kind}`` (the last alert window).

Access: ``Authorization: Bearer <METRICS_TOKEN>``; with no ``METRICS_TOKEN`` the endpoint answers 404.
Under gunicorn with several workers set ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's
multiprocess mode) so the counters add up over the workers (docs/deploy.md).
"""

from __future__ import annotations

import hmac
import logging
import os
import time

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotAllowed
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

__all__ = ["MetricsMiddleware", "metrics_view", "count_security_event", "count_db_error"]

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


class DatabaseCollector:
    """Gauges read from the database at scrape time (the outbox, the task queue, recent events)."""

    def collect(self):
        from django.db.models import Count, Min
        from django.utils import timezone
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from egov.notifications.models import OutboxMessage, Status
        from egov.security import services as security

        now = timezone.now()
        outbox = GaugeMetricFamily("egov_outbox_messages", "Messages in the outbox by status", labels=["status"])
        found = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        for status in Status.values:
            outbox.add_metric([status], found.get(status, 0))
        yield outbox

        oldest = OutboxMessage.objects.filter(status=Status.PENDING).aggregate(at=Min("created_at"))["at"]
        yield GaugeMetricFamily(
            "egov_outbox_oldest_pending_seconds",
            "Age of the oldest message still waiting to be sent (0 when none)",
            value=(now - oldest).total_seconds() if oldest else 0,
        )
        yield GaugeMetricFamily(
            "egov_task_queue_depth",
            "Background tasks ready to run",
            value=DBTaskResult.objects.filter(status=TaskResultStatus.READY).count(),
        )
        recent = GaugeMetricFamily(
            "egov_security_events_recent",
            "Security events in the last alert window, by kind",
            labels=["kind"],
        )
        for kind, n in security.counts(since=now - security.alert_window()).items():
            recent.add_metric([kind], n)
        yield recent


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY, DB_ERRORS, SECURITY_EVENTS):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return registry


def _authorised(request) -> bool:
    expected = settings.EGOV_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


def metrics_view(request):
    if not settings.EGOV_METRICS_TOKEN:
        return HttpResponse("Not found", status=404, content_type="text/plain; charset=utf-8")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if not _authorised(request):
        from egov.security.models import EventKind
        from egov.security.services import record

        if request.META.get("HTTP_AUTHORIZATION"):
            record(EventKind.TOKEN_REFUSED, path=request.path, detail="metrics")
        response = HttpResponse("Unauthorized", status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
