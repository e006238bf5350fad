"""Tests of the platform-wide pages: the health check."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_with_one_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_healthz_fails_when_the_database_does_not_answer(client, monkeypatch):
    # Given a database that refuses connections
    from django.db import connection
    from django.db.utils import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    client.raise_request_exception = False

    # Then the load balancer sees a failure, not "ok"
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b'"status": "ok"' not in response.content
