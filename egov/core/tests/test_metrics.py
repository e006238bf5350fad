"""/metrics: Prometheus text behind METRICS_TOKEN, with request, outbox, queue and security figures."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from egov.notifications import services as notifications
from egov.security import services as security
from egov.security.models import EventKind, SecurityEvent

TOKEN = "ma-giam-sat-0123456789"


@pytest.fixture
def metrics_token(settings):
    settings.EGOV_METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_without_a_configured_token_the_endpoint_does_not_exist(client, db, settings):
    settings.EGOV_METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_no_or_a_wrong_token_is_refused_and_a_wrong_one_recorded(client, db, metrics_token):
    assert client.get("/metrics").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer sai")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert list(SecurityEvent.objects.values_list("kind", "path", "detail")) == [
        ("token_refused", "/metrics", "metrics")
    ]


def test_requests_are_counted_by_route_method_and_status(client, db, metrics_token):
    key = (
        "egov_http_requests_total",
        (("method", "GET"), ("route", "api/v1/organisations/<code>"), ("status", "404")),
    )
    before = scrape(client).get(key, 0)

    assert client.get("/api/v1/organisations/H00.000").status_code == 404
    assert client.get("/api/v1/organisations/H00.001").status_code == 404

    after = scrape(client)
    assert after[key] == before + 2
    latency = (
        "egov_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "api/v1/organisations/<code>")),
    )
    assert after[latency] >= 2


def test_outbox_queue_and_security_figures_come_from_the_database(client, db, metrics_token, settings):
    from egov.notifications.tasks import deliver_message

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EGOV_SECURITY_ALERT_THRESHOLDS = {"forbidden": 0}
    deliver_message.enqueue(1)
    deliver_message.enqueue(2)
    for n in range(3):
        notifications.enqueue(kind="test", channel="email", recipient=f"a{n}@example.vn", subject="S", body="B")
    security.record(EventKind.FORBIDDEN)
    security.record(EventKind.FORBIDDEN)
    security.record(EventKind.LOCKOUT)

    figures = scrape(client)

    assert figures[("egov_outbox_messages", (("status", "pending"),))] == 3
    assert figures[("egov_outbox_messages", (("status", "failed"),))] == 0
    assert figures[("egov_outbox_oldest_pending_seconds", ())] >= 0
    assert figures[("egov_task_queue_depth", ())] == 2
    assert figures[("egov_security_events_recent", (("kind", "forbidden"),))] == 2
    assert figures[("egov_security_events_recent", (("kind", "lockout"),))] == 1
    assert figures[("egov_security_events_recent", (("kind", "login_failed"),))] == 0


def test_a_database_error_reaching_the_api_is_counted(client, db, metrics_token, monkeypatch):
    from django.db import OperationalError

    from egov.catalogue import api as catalogue_api

    key = ("egov_db_errors_total", (("error", "OperationalError"),))
    before = scrape(client).get(key, 0)

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(catalogue_api.selectors, "procedure_detail", down)
    response = client.get("/api/v1/procedures/1.000001")

    assert response.status_code in (500, 503)
    assert scrape(client)[key] == before + 1
