"""The trail is append-only: in the ORM, and in the database itself through migration 0003's triggers."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, ProgrammingError, connection, models, transaction

from egov.audit import services as audit
from egov.audit.models import AppendOnlyError, AuditRecord
from egov.audit.tests.conftest import raw_update, triggers_disabled

# What the trigger's refusal surfaces as: SQLite's RAISE(ABORT) is a constraint error; PostgreSQL's
# RAISE EXCEPTION (SQLSTATE P0001) is mapped by psycopg to ProgrammingError. Both are DatabaseErrors.
REFUSAL = {"sqlite": IntegrityError, "postgresql": ProgrammingError}
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps DELETE possible: Django's test flush empties tables with it"
)


def stored(chain) -> list[tuple]:
    return list(AuditRecord.objects.order_by("seq").values_list("seq", "action", "after", "hash"))


def test_given_a_stored_record_when_saving_it_again_then_append_only_error_and_nothing_changes(chain):
    before = stored(chain)
    rec = AuditRecord.objects.get(seq=3)
    rec.after = {"n": 99}

    with pytest.raises(AppendOnlyError, match="append-only"):
        rec.save()
    with pytest.raises(AppendOnlyError):
        rec.save(update_fields=["after"])

    assert stored(chain) == before


def test_given_a_stored_record_when_deleting_it_then_append_only_error_and_it_stays(chain):
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.get(seq=3).delete()
    assert AuditRecord.objects.filter(seq=3).count() == 1


@pytest.mark.parametrize(
    "operation",
    [
        lambda: AuditRecord.objects.filter(seq=3).update(action="test.forged"),
        lambda: AuditRecord.objects.all().update(after=None),
        lambda: AuditRecord.objects.filter(seq=3).delete(),
        lambda: AuditRecord.objects.all().delete(),
        lambda: AuditRecord.objects.bulk_update([AuditRecord.objects.get(seq=3)], ["action"]),
    ],
    ids=["update-one", "update-all", "delete-one", "delete-all", "bulk-update"],
)
def test_given_stored_records_when_changing_them_through_a_queryset_then_append_only_error(chain, operation):
    before = stored(chain)
    # In a savepoint: bulk_update raises inside its own atomic(savepoint=False) block.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        operation()
    assert stored(chain) == before


def test_given_a_stored_record_when_updating_it_with_raw_sql_then_the_database_refuses(chain):
    before = stored(chain)

    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        raw_update("UPDATE audit_auditrecord SET action = %s WHERE seq = %s", ["test.forged", 3])

    assert type(caught.value) is REFUSAL[connection.vendor]
    assert "audit records are append-only" in str(caught.value)
    assert stored(chain) == before


def test_given_the_orm_override_bypassed_when_updating_then_the_database_still_refuses(chain):
    with pytest.raises(REFUSAL[connection.vendor]), transaction.atomic():
        models.QuerySet.update(AuditRecord.objects.filter(seq=3), action="test.forged")
    assert AuditRecord.objects.get(seq=3).action == "test.step"


@on_postgresql
def test_given_a_stored_record_when_deleting_it_with_raw_sql_on_postgresql_then_the_database_refuses(chain):
    before = stored(chain)

    with pytest.raises(ProgrammingError, match="audit records are append-only"), transaction.atomic():
        raw_update("DELETE FROM audit_auditrecord WHERE seq = %s", [3])

    assert stored(chain) == before


def test_given_the_triggers_lifted_and_restored_when_updating_again_then_the_database_refuses_again(chain):
    with triggers_disabled(), transaction.atomic():
        raw_update("UPDATE audit_auditrecord SET action = %s WHERE seq = %s", ["test.forged", 3])
    assert AuditRecord.objects.get(seq=3).action == "test.forged"

    with pytest.raises(REFUSAL[connection.vendor]), transaction.atomic():
        raw_update("UPDATE audit_auditrecord SET action = %s WHERE seq = %s", ["test.again", 3])
    assert AuditRecord.objects.get(seq=3).action == "test.forged"


def test_given_a_new_record_then_it_is_still_appended_after_the_refusals(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw_update("UPDATE audit_auditrecord SET action = %s", ["test.forged"])

    rec = audit.record(actor=None, action="test.next")

    assert rec.seq == 6
    assert audit.verify_chain().ok


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_auditchainhead",
        "UPDATE audit_auditchainhead SET last_seq = last_seq - 1",
        "UPDATE audit_auditchainhead SET last_seq = last_seq + 2",
    ],
)
def test_given_the_chain_head_when_rewinding_or_deleting_it_on_postgresql_then_the_database_refuses(chain, statement):
    from egov.audit.models import AuditChainHead

    before = list(AuditChainHead.objects.values_list("last_seq", "last_hash"))
    with pytest.raises(ProgrammingError, match="audit chain head"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert list(AuditChainHead.objects.values_list("last_seq", "last_hash")) == before == [(5, chain[-1].hash)]
