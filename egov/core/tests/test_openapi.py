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


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_declares_its_errors_with_the_shared_shape():
    schema = json.loads(_generated())
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}

    for label, operation in _operations(schema):
        responses = operation["responses"]
        assert "503" in responses, label
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), label
        if any(p["in"] == "path" for p in operation["parameters"]):
            assert "404" in responses, label
        if operation["parameters"] or "requestBody" in operation:
            assert {"400", "422"} <= set(responses), label
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == error_ref, (label, status)
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["code", "message"]


def test_operations_that_can_conflict_or_throttle_declare_it():
    operations = dict(_operations(json.loads(_generated())))

    assert {"401", "429"} <= set(operations["POST /api/v1/auth/token"]["responses"])
    assert "429" in operations["GET /api/v1/lookup/{code}"]["responses"]
    assert "409" in operations["POST /api/v1/dossiers/{code}/actions/{action}"]["responses"]
    assert "409" in operations["POST /api/v1/portal/submissions"]["responses"]
    assert "409" not in operations["GET /api/v1/procedures/{code}"]["responses"]


def test_schema_names_are_unique_and_a_collision_is_refused():
    from ninja import Router, Schema

    from egov.core.openapi import EgovNinjaAPI, SchemaNameCollision

    def build(module_a, module_b):
        first = type("ThingOut", (Schema,), {"__annotations__": {"a": int}, "__module__": module_a})
        second = type("ThingOut", (Schema,), {"__annotations__": {"b": str}, "__module__": module_b})
        api = EgovNinjaAPI(urls_namespace=f"collision-{module_a}-{module_b}")
        router = Router()
        router.get("/first", response=first)(lambda request: None)
        router.get("/second", response=list[second])(lambda request: None)
        api.add_router("/", router)
        return api.get_openapi_schema(path_prefix="")

    try:
        build("x", "y")
    except SchemaNameCollision as exc:
        assert "'ThingOut'" in str(exc)
    else:
        raise AssertionError("two shapes under one name were accepted")
    # The project's own document names every shape once: the procedure's components and a dossier's
    # components used to share "ComponentOut".
    schemas = json.loads(_generated())["components"]["schemas"]
    assert {"ProcedureComponentOut", "DossierComponentOut", "ProcedureResultOut", "DossierResultOut"} <= set(schemas)
    assert "ComponentOut" not in schemas
