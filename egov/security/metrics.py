"""``/metrics``: Prometheus text of the request counters (``egov.core.metrics``) and of figures read
from the database at each scrape, so right whatever process wrote them:
``egov_outbox_messages{status}`` (backlog: pending, sending; failures: failed),
``egov_outbox_oldest_pending_seconds``, ``egov_task_queue_depth`` (tasks ready to run),
``egov_security_events_recent{kind}`` (the last alert window).

Access: ``Authorization: Bearer <METRICS_TOKEN>``; with no ``METRICS_TOKEN`` the endpoint answers 404.
A wrong token is a refused-token security event. With ``PROMETHEUS_MULTIPROC_DIR`` set (several
gunicorn workers) the counters are summed over the workers by prometheus-client's multiprocess mode.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from egov.core.metrics import request_metrics
from egov.notifications.models import OutboxMessage, Status
from egov.security import services as security
from egov.security.models import EventKind

__all__ = ["metrics_view"]


class DatabaseCollector:
    """Gauges read from the database at scrape time (the outbox, the task queue, recent events)."""

    def collect(self):

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
        for collector in request_metrics():
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
        if request.META.get("HTTP_AUTHORIZATION"):
            security.record(EventKind.TOKEN_REFUSED, path=request.path, detail="metrics")
        response = HttpResponse("Unauthorized", status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
