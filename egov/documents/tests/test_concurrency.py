"""Eight clerks issuing at once on PostgreSQL: numbers 1..8, each once, no gap (NĐ 30/2020: a number is
never reused or skipped). SQLite runs one writer at a time, so the test needs PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections

from egov.documents import services
from egov.documents.models import IncomingDocument, OutgoingDocument
from egov.documents.tests.conftest import signed

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="SQLite runs one write transaction at a time: real concurrency needs PostgreSQL"
)


def run_at_once(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    return results


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_clerks_issuing_at_once_get_numbers_one_to_eight(world, token, make_officer):
    clerks = [world["clerk"]] + [make_officer("clerk", world["justice"], username=f"vt{i}.tp") for i in range(7)]
    documents = [signed(world, subject=f"Văn bản số {i}") for i in range(8)]

    results = run_at_once(8, lambda i: services.issue(by=clerks[i], document=documents[i]).number)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == list(range(1, 9))
    symbols = sorted(OutgoingDocument.objects.values_list("symbol", flat=True))
    assert symbols == [f"{n:02d}/QĐ-STP" for n in range(1, 9)]
    assert IncomingDocument.objects.count() == 16  # each to Finance and the commune, at once
