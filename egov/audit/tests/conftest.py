"""Fixtures for the audit tests: a short chain, and a way past the append-only triggers to tamper
with it the way an intruder with database access would."""

from __future__ import annotations

import importlib
from contextlib import contextmanager

import pytest
from django.db import connection

from egov.audit import services as audit

# The trigger SQL exactly as migration 0003 installs it.
_triggers = importlib.import_module("egov.audit.migrations.0003_append_only_triggers")


@contextmanager
def triggers_disabled():
    """Lift the append-only triggers for the block (inside the test transaction), then restore them."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
        elif vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_record_no_update")
        else:  # pragma: no cover
            raise NotImplementedError(vendor)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER USER")
            else:
                cursor.execute(_triggers.SQLITE_UP)


def raw_update(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain(db):
    """Five records by the platform, ``after = {"n": 1..5}``; returns them in seq order."""
    return [audit.record(actor=None, action="test.step", after={"n": n}, target_repr=f"bước {n}") for n in range(1, 6)]
