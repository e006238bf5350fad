"""Logs: one JSON line per event with time, level, logger, request id and client address."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from egov.core.logging import JsonFormatter, RequestContextFilter, RequestIdMiddleware, current_request_id


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestContextFilter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def _serve(request, settings, proxies=1):
    settings.EGOV_PROXY_COUNT = proxies

    def view(request):
        logging.getLogger("egov.dossiers").warning("Không ký được biểu mẫu", extra={"dossier": "H98-1"})
        return HttpResponse("ok", status=201)

    return RequestIdMiddleware(view)(request)


def test_a_request_id_from_the_proxy_is_kept_and_every_line_of_the_request_carries_it(captured, settings):
    request = RequestFactory().post(
        "/api/v1/x", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )

    response = _serve(request, settings)

    assert response["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    lines = [json.loads(line) for line in captured]
    assert [line["logger"] for line in lines] == ["egov.dossiers", "egov.request"]
    assert {line["request_id"] for line in lines} == {"0123456789abcdef0123456789abcdef"}
    assert {line["client_ip"] for line in lines} == {"203.0.113.7"}
    warning, access = lines
    assert (warning["level"], warning["message"], warning["dossier"]) == ("WARNING", "Không ký được biểu mẫu", "H98-1")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", warning["time"])
    assert (access["message"], access["method"], access["path"], access["status"]) == (
        "POST /api/v1/x 201",
        "POST",
        "/api/v1/x",
        201,
    )
    assert access["duration_ms"] >= 0
    assert current_request_id() == "-"  # reset after the request


@pytest.mark.parametrize("given", ["", "short", "x" * 65, "id with spaces", 'inj"ection\n{"level":"ERROR"}'])
def test_a_missing_or_unusable_request_id_is_replaced_by_a_generated_one(captured, settings, given):
    response = _serve(RequestFactory().get("/", HTTP_X_REQUEST_ID=given), settings, proxies=0)

    generated = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert {json.loads(line)["request_id"] for line in captured} == {generated}
    assert {json.loads(line)["client_ip"] for line in captured} == {"127.0.0.1"}


def test_an_exception_stays_on_one_line():
    record = logging.getLogger("egov.test").makeRecord("egov.test", logging.ERROR, "f.py", 1, "boom", None, None)
    try:
        raise ValueError("dòng 1\ndòng 2")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RequestContextFilter().filter(record)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["request_id"], entry["client_ip"], entry["message"]) == ("-", "-", "boom")
    assert entry["exc"].endswith("ValueError: dòng 1\ndòng 2")


def test_rendering_libraries_are_quiet_below_warning_and_requests_are_numbered_end_to_end(client, db):
    for name in ("weasyprint", "fontTools", "fontTools.subset", "pyhanko"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name

    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-req-00000001")

    assert response["X-Request-ID"] == "nginx-req-00000001"


def test_production_and_gunicorn_log_in_the_same_format():
    from pathlib import Path

    from egov.settings import logging_config

    config = logging_config("INFO")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["formatters"]["json"] == {"()": "egov.core.logging.JsonFormatter"}
    gunicorn_conf = {}
    path = Path(__file__).resolve().parents[3] / "deploy" / "gunicorn.conf.py"
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), gunicorn_conf)
    assert gunicorn_conf["logconfig_dict"]["loggers"]["gunicorn.error"]["handlers"] == ["console"]
    assert gunicorn_conf["logconfig_dict"]["handlers"] == config["handlers"]
    assert gunicorn_conf["accesslog"] is None
