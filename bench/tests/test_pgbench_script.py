"""The pgbench ceiling (bench/pgbench/*.sql) writes raw SQL into the app's tables; a migration that adds
a NOT NULL column without a database default, or renames one, breaks it only when `make bench-smoke`
runs. This test reads every INSERT in those scripts and checks its column list against the models."""

import re
from pathlib import Path

from django.apps import apps
from django.db.models import NOT_PROVIDED

SCRIPTS = sorted((Path(__file__).resolve().parent.parent / "pgbench").glob("*.sql"))
INSERT = re.compile(r"INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE)


def _inserts():
    for script in SCRIPTS:
        for table, columns in INSERT.findall(script.read_text(encoding="utf-8")):
            yield script.name, table, {c.strip().strip('"') for c in columns.split(",")}


def _models_by_table():
    return {model._meta.db_table: model for model in apps.get_models()}


def test_scripts_exist_and_insert_into_app_tables():
    found = list(_inserts())
    assert SCRIPTS and found
    tables = _models_by_table()
    app_tables = [table for _, table, _ in found if table in tables]
    assert "dossiers_dossier" in app_tables and "notifications_outboxmessage" in app_tables


def test_every_insert_names_real_columns_and_every_required_one():
    tables = _models_by_table()
    problems = []
    for script, table, columns in _inserts():
        model = tables.get(table)
        if model is None:  # the benchmark's own tables (bench_route, pgbench_audit_*)
            assert table.startswith(("bench_", "pgbench_")), f"{script}: unknown table {table}"
            continue
        fields = {f.column: f for f in model._meta.concrete_fields}
        for column in columns - set(fields):
            problems.append(f"{script}: {table}.{column} does not exist")
        for column, field in fields.items():
            required = not field.null and field.db_default is NOT_PROVIDED and not field.primary_key
            if required and column not in columns:
                problems.append(f"{script}: {table}.{column} is NOT NULL without a database default")
    assert problems == []


def test_the_benchmark_uploads_a_file_the_platform_accepts():
    """Scenario (a) measures submissions, not refusals: its PDF passes the citizen's upload check."""
    from bench.run import BENCH_PDF
    from egov.core.uploads import CheckedUpload, check_upload, pdf_problem

    assert pdf_problem(BENCH_PDF) is None
    checked = check_upload(field="components", name="to-khai.pdf", content=BENCH_PDF)
    assert isinstance(checked, CheckedUpload) and checked.content_type == "application/pdf"
