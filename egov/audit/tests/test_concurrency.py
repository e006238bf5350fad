"""Two requests appending at the same moment still make one contiguous chain (PostgreSQL only:
SQLite serialises writers on the whole database, so there is no race to test there)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from egov.audit import services as audit
from egov.audit.models import AuditChainHead, AuditRecord
from egov.audit.services import GENESIS_HASH, ChainReport, verify_chain

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers: SQLite locks the whole database"
    ),
    # Committed for real, so other connections see it; the flush afterwards then empties only the
    # audit tables, not what data migrations loaded (the default roles) for the tests that follow.
    pytest.mark.django_db(transaction=True, available_apps=["egov.audit"]),
]

HOLD_SECONDS = 0.2


def append_from_threads(n: int) -> list[int]:
    """Start ``n`` threads together; each appends one record and holds its transaction a moment so
    the others must wait on the chain head. Returns the seqs they got, in thread order."""
    barrier = threading.Barrier(n)
    seqs: list[int | None] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=5)
            with transaction.atomic():
                seqs[i] = audit.record(actor=None, action=f"test.thread.{i}").seq
                time.sleep(HOLD_SECONDS)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    return seqs


def test_given_an_empty_trail_when_two_threads_record_at_once_then_they_get_seq_1_and_2():
    # Both race to create the chain head row as well as to append.
    assert not AuditChainHead.objects.exists()

    seqs = append_from_threads(2)

    assert sorted(seqs) == [1, 2]
    first, second = AuditRecord.objects.order_by("seq")
    assert (first.prev_hash, second.prev_hash) == (GENESIS_HASH, first.hash)
    assert verify_chain() == ChainReport(ok=True, checked=2)
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)


def test_given_an_existing_chain_when_two_threads_record_at_once_then_they_continue_it_without_a_gap():
    audit.record(actor=None, action="test.first")

    seqs = append_from_threads(2)

    assert sorted(seqs) == [2, 3]
    assert list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    assert verify_chain() == ChainReport(ok=True, checked=3)
