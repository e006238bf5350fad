"""Two officers acting on the same step at once: exactly one wins, the other gets 409 — through the
version the page or client last saw, through the claim, and (PostgreSQL) with real concurrent
transactions. Also concurrent reception: distinct, consecutive dossier numbers."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections

from egov.core.errors import Conflict
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierTask
from egov.dossiers.statuses import Status
from egov.dossiers.tests.conftest import receive

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="SQLite runs one write transaction at a time: real concurrency needs PostgreSQL (DATABASE_URL)",
)


@pytest.fixture
def second_specialist(world, make_officer):
    return make_officer("specialist", world["justice_div"], username="chuyenvien2")


@pytest.fixture
def at_division(world, officers, clock):
    """A dossier on its appraisal step (the Justice division)."""
    code = receive(world, officers["desk"]).code
    services.forward(by=officers["desk"], dossier=code)
    return code


def test_given_two_officers_who_saw_the_same_version_when_both_forward_then_the_second_gets_409(
    officers, second_specialist, at_division, client
):
    url = f"/api/v1/dossiers/{at_division}/actions/forward"
    client.force_login(officers["specialist"])
    seen = client.get(f"/api/v1/dossiers/{at_division}").json()["version"]

    first = client.post(url, {"version": seen, "note": "Đủ"}, content_type="application/json")
    client.force_login(second_specialist)
    second = client.post(url, {"version": seen, "note": "Cũng đủ"}, content_type="application/json")

    assert (seen, first.status_code, first.json()["version"]) == (2, 200, 3)
    assert second.status_code == 409
    assert second.json() == {
        "code": "conflict",
        "message": "Hồ sơ vừa được người khác cập nhật; hãy tải lại.",
        "current_status": Status.PROCESSING,
        "current_version": 3,
    }
    dossier = Dossier.objects.get(code=at_division)
    assert (dossier.version, dossier.current_task.order) == (3, 3)  # forwarded once: the liên thông step
    assert list(DossierTask.objects.filter(dossier=dossier, order=2).values_list("note", flat=True)) == ["Đủ"]


def test_given_one_officer_claimed_the_step_when_another_claims_or_forwards_then_409(
    officers, second_specialist, at_division, client
):
    client.force_login(officers["specialist"])
    claimed = client.post(f"/api/v1/dossiers/{at_division}/actions/claim", {}, content_type="application/json")
    client.force_login(second_specialist)
    claim = client.post(f"/api/v1/dossiers/{at_division}/actions/claim", {}, content_type="application/json")
    forward = client.post(f"/api/v1/dossiers/{at_division}/actions/forward", {}, content_type="application/json")

    assert (claimed.status_code, claimed.json()["current_assignee"]) == (200, "chuyenvien")
    assert (claim.status_code, claim.json()) == (
        409,
        {"code": "conflict", "message": "Hồ sơ đã có người nhận xử lý.", "current_assignee": "chuyenvien"},
    )
    assert (forward.status_code, forward.json()["code"], forward.json()["current_assignee"]) == (
        409,
        "conflict",
        "chuyenvien",
    )
    dossier = Dossier.objects.get(code=at_division)
    assert (dossier.version, dossier.current_assignee_id, dossier.current_task.order) == (
        3,
        officers["specialist"].pk,
        2,
    )


# --- real concurrency (PostgreSQL) ------------------------------------------------------------------


def run_at_once(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released together; each result or exception, by index."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_receptions_at_once_get_distinct_consecutive_numbers(world, officers, clock):
    results = run_at_once(8, lambda i: receive(world, officers["desk"], name=f"Người nộp {i}").code)

    assert sorted(results, key=str) == [f"000.00.01.H98-270301-{n:04d}" for n in range(1, 9)]
    assert Dossier.objects.count() == 8


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_forwarding_the_same_step_at_once_exactly_one_succeeds(world, officers, second_specialist, clock):
    code = receive(world, officers["desk"]).code
    services.forward(by=officers["desk"], dossier=code)
    seen = Dossier.objects.get(code=code).version
    who = [officers["specialist"], second_specialist]

    results = run_at_once(2, lambda i: services.forward(by=who[i], dossier=code, version=seen).version)

    assert sorted(type(r).__name__ for r in results) == ["Conflict", "int"]
    assert [r for r in results if isinstance(r, int)] == [seen + 1]
    dossier = Dossier.objects.get(code=code)
    assert (dossier.version, dossier.current_task.order) == (seen + 1, 3)
    assert dossier.events.filter(action="forward").count() == 2  # the desk's, and one of the two


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_claiming_the_same_step_at_once_exactly_one_gets_it(world, officers, second_specialist, clock):
    code = receive(world, officers["desk"]).code
    services.forward(by=officers["desk"], dossier=code)
    who = [officers["specialist"], second_specialist]

    results = run_at_once(2, lambda i: services.claim(by=who[i], dossier=code).current_assignee_id)

    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1 and [type(r) for r in results if isinstance(r, Exception)] == [Conflict]
    assert Dossier.objects.get(code=code).current_assignee_id == winners[0]
