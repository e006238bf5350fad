"""The committed OpenAPI document is current, and the API serves its schema and docs."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


def _generated() -> str:
    # The same command and flags as `make openapi`.
    out = StringIO()
    call_command("export_openapi_schema", api="egov.api.api", indent=2, sort_keys=True, stdout=out)
    return out.getvalue()


def test_the_committed_openapi_document_is_current():
    committed = COMMITTED.read_text(encoding="utf-8")

    assert json.loads(_generated()) == json.loads(committed), (
        "docs/api/openapi.json is out of date: run `make openapi` and commit the result."
    )
    assert _generated() == committed, "docs/api/openapi.json is not formatted as `make openapi` writes it."


def test_the_api_serves_its_schema(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"] == {
        "title": "API Hệ thống thông tin giải quyết thủ tục hành chính",
        "version": "1.0.0",
        "description": (
            "API của nền tảng chính quyền điện tử cấp tỉnh. Lấy mã truy cập bằng `POST /api/v1/auth/token` "
            "rồi gửi trong tiêu đề `Authorization: Bearer <mã>`."
        ),
    }
    assert schema == json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_the_api_serves_its_docs_page(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/v1/openapi.json" in response.content
