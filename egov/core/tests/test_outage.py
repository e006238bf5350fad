"""A database outage answers 503 with Retry-After (a page, or the API's JSON error), logs one line per
request and heals without a restart; an unexpected error answers a styled Vietnamese 500 page, or
the API's JSON error, never a traceback (issue #9, defects 6 and 13)."""

from __future__ import annotations

import logging

import pytest
from django.db import InterfaceError, OperationalError, connection

pytestmark = pytest.mark.django_db

OUTAGE_MESSAGE = "Hệ thống đang tạm thời không truy cập được cơ sở dữ liệu. Vui lòng thử lại sau ít phút."


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


@pytest.fixture
def database_down(monkeypatch):
    """Every new cursor fails the way psycopg fails when PostgreSQL is stopped; ``up()`` ends it."""

    class Outage:
        kind = OperationalError

        def up(self):
            monkeypatch.undo()

    outage = Outage()

    def refuse(*args, **kwargs):
        raise outage.kind('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    monkeypatch.setattr(connection, "cursor", refuse)
    return outage


@pytest.mark.parametrize("kind", [OperationalError, InterfaceError])
@pytest.mark.parametrize("url", ["/", "/thu-tuc/", "/tra-cuu/?ma=ABC", "/healthz"])
def test_pages_answer_503_with_a_vietnamese_page_while_the_database_is_down(client, database_down, url, kind):
    database_down.kind = kind

    response = client.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert '<h1 class="usa-alert__heading">Hệ thống tạm thời gián đoạn</h1>' in page
    assert OUTAGE_MESSAGE in page and "Traceback" not in page


@pytest.mark.parametrize("url", ["/api/v1/procedures", "/api/v1/lookup/ABC-123"])
def test_the_api_answers_503_with_the_shared_error_shape(client, database_down, url):
    response = client.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"code": "service_unavailable", "message": OUTAGE_MESSAGE}


def test_a_signed_in_users_request_fails_in_middleware_and_still_answers_503(client, admin_user, monkeypatch, caplog):
    # The session and the user are read by middleware, before any view: handler500 answers.
    client.force_login(admin_user)

    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "cursor", refuse)
    with caplog.at_level(logging.INFO):
        response = client.get("/tai-khoan/")

    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert OUTAGE_MESSAGE in response.content.decode()
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.getMessage()) for r in records] == [
        (
            "django.request",
            "Service Unavailable: /tai-khoan/ (OperationalError: server closed the connection unexpectedly)",
        )
    ]
    assert records[0].exc_info is None


def test_each_request_in_the_outage_logs_one_line_without_a_traceback(client, database_down, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/thu-tuc/")
        client.get("/api/v1/procedures")

    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.getMessage()) for r in records] == [
        ("django.request", "Service Unavailable: /thu-tuc/"),
        ("django.request", "Service Unavailable: /api/v1/procedures"),
    ]
    assert all(r.exc_info is None for r in records)


def test_the_service_recovers_without_a_restart(client, database_down):
    assert client.get("/thu-tuc/").status_code == 503

    database_down.up()

    assert client.get("/thu-tuc/").status_code == 200
    assert client.get("/api/v1/procedures").status_code == 200


def test_an_unexpected_error_answers_a_styled_vietnamese_500_page_and_json_for_the_api(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("egov.catalogue.selectors.search", broken)

    page = client.get("/thu-tuc/")
    api = client.get("/api/v1/procedures")

    assert page.status_code == 500
    text = page.content.decode()
    assert '<html lang="vi">' in text and '<h1 class="usa-alert__heading">Lỗi hệ thống</h1>' in text
    assert "uswds.min.css" in text
    assert "secret detail" not in text and "Traceback" not in text
    assert api.status_code == 500
    assert api.json() == {"code": "server_error", "message": "Lỗi hệ thống. Vui lòng thử lại sau."}


def test_the_500_page_renders_without_the_database(rf, database_down):
    from egov.core.error_pages import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Đã xảy ra lỗi hệ thống; yêu cầu của Ông/Bà chưa được thực hiện." in response.content.decode()
