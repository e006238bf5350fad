"""Numbering (``egov.core.numbering``): each series counts from 1 without gaps or repeats, series are
independent, a rolled-back transaction gives its number back, and concurrent takers on PostgreSQL
(real threads, real transactions) get distinct consecutive numbers."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.conf import settings
from django.db import connections, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from egov.core import numbering
from egov.core.models import NumberSequence

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_a_series_counts_from_one_and_each_scope_and_period_is_its_own():
    taken = [numbering.allocate(scope="dossier:7", period="2027-03-01") for _ in range(3)]
    other_day = numbering.allocate(scope="dossier:7", period="2027-03-02")
    other_scope = numbering.allocate(scope="dossier:8", period="2027-03-01")

    assert (taken, other_day, other_scope) == ([1, 2, 3], 1, 1)
    assert sorted(NumberSequence.objects.values_list("scope", "period", "last")) == [
        ("dossier:7", "2027-03-01", 3),
        ("dossier:7", "2027-03-02", 1),
        ("dossier:8", "2027-03-01", 1),
    ]
    assert numbering.current(scope="dossier:7", period="2027-03-01") == 3
    assert numbering.current(scope="feedback", period="2027-03-01") == 0


def test_periods_are_the_day_and_the_year():
    assert (numbering.daily(date(2027, 3, 1)), numbering.yearly(date(2027, 3, 1))) == ("2027-03-01", "2027")


def test_a_rolled_back_transaction_gives_its_number_back():
    numbering.allocate(scope="feedback", period="2027")
    with transaction.atomic():
        assert numbering.allocate(scope="feedback", period="2027") == 2
        transaction.set_rollback(True)

    assert numbering.allocate(scope="feedback", period="2027") == 2


def test_a_scope_and_a_period_are_required():
    with pytest.raises(ValueError):
        numbering.allocate(scope="", period="2027")
    with pytest.raises(ValueError):
        numbering.allocate(scope="feedback", period="")


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(takes=st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["2026", "2027"])), max_size=20))
def test_property_every_series_is_one_two_three_in_the_order_taken(takes):
    with transaction.atomic():
        numbers = [numbering.allocate(scope=scope, period=period) for scope, period in takes]
        transaction.set_rollback(True)

    seen: dict[tuple[str, str], int] = {}
    for key, number in zip(takes, numbers, strict=True):
        seen[key] = seen.get(key, 0) + 1
        assert number == seen[key]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite runs one write transaction at a time (DATABASE_URL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sixteen_threads_taking_numbers_at_once_get_one_to_sixty_four_each_once():
    count, each = 16, 4
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            taken = []
            for _ in range(each):
                with transaction.atomic():  # one transaction per number, as a reception takes it
                    taken.append(numbering.allocate(scope="dossier:1", period="2027-03-01"))
            results[i] = taken
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(n for taken in results for n in taken) == list(range(1, count * each + 1))
    assert numbering.current(scope="dossier:1", period="2027-03-01") == count * each
