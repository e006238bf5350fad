"""The transition table (``statuses.TRANSITIONS``) through ``POST /api/v1/dossiers/{code}/actions/{action}``:
every (action, status) pair. A pair the table does not allow answers 409 ``invalid_transition`` with
the current status and changes nothing; a pair it allows succeeds and lands in the table's target."""

from __future__ import annotations

import pytest
from django.db import transaction

from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import TRANSITIONS, Status
from egov.dossiers.tests.conftest import applicant, components_all, receive

# One body that satisfies every action's own checks, so only the table decides.
PAYLOAD = {
    "note": "Ý kiến xử lý",
    "reason": "Lý do thử nghiệm",
    "items": ["Bản sao giấy tờ tùy thân (bản rõ nét)"],
    "new_due_at": "2027-03-10T16:00:00+07:00",
    "assignee": "chuyenvien",
    "amount": 50000,
    "method": "counter",
}


@pytest.fixture
def root(world, make_officer):
    """A superuser, so that the policy allows everything and only the table decides."""
    user = make_officer("administrator", world["province"], username="sieuquantri")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def _online(world) -> str:
    return services.submit_online(
        by=None,
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(),
        components=components_all(world["procedure"]),
    ).code


def dossier_in(status: Status, world, by) -> str:
    """The code of a dossier brought to ``status`` through the services."""

    def act(code, action, **payload):
        services.ACTIONS[action](by=by, dossier=code, **payload)
        return code

    if status == Status.NEW:
        return _online(world)
    if status == Status.WITHDRAWN:
        return act(_online(world), "withdraw", reason="Người nộp rút hồ sơ")
    code = receive(world, by).code
    if status == Status.RECEIVED:
        return code
    if status == Status.REFUSED:
        return act(code, "refuse", reason="Không thuộc thẩm quyền")
    if status == Status.WAITING_SUPPLEMENT:
        return act(code, "request_supplement", items=["Bản sao CCCD"], reason="Bản sao mờ")
    if status == Status.STOPPED:
        return act(code, "stop", reason="Người yêu cầu không đến ký")
    act(code, "forward")
    if status == Status.PROCESSING:
        return code
    if status == Status.WAITING_PAYMENT:
        return act(code, "request_payment", amount=50000)
    for _ in range(4):  # the remaining steps; the last forward finishes the processing
        act(code, "forward")
    if status == Status.DONE:
        return code
    act(code, "record_payment")
    return act(code, "return_result", method="counter")


def resulting_status(action: str, status: Status) -> Status:
    target = TRANSITIONS[action].target
    if target is not None:
        return target
    if action == "supplement":
        return Status.PROCESSING  # the dossier had been received: processing resumes
    if action == "record_payment" and status == Status.WAITING_PAYMENT:
        return Status.PROCESSING
    return status


# What an allowed action needs besides the table (run inside the same rolled-back savepoint).
PREPARE = {
    # The result is handed over only once the fee is paid.
    ("return_result", Status.DONE): lambda code, by: services.record_payment(by=by, dossier=code),
}


def test_every_transition_has_an_action_and_every_action_a_transition():
    assert sorted(TRANSITIONS) == sorted(services.ACTIONS)


@pytest.mark.parametrize("status", list(Status), ids=lambda s: f"{s.value}-{s.name.lower()}")
def test_given_a_dossier_in_each_status_when_each_action_is_posted_then_the_table_decides(
    status, world, officers, root, clock, client
):
    code = dossier_in(status, world, root)
    assert Dossier.objects.get(code=code).status == status
    client.force_login(root)

    outcomes, expected = {}, {}
    for action, transition in TRANSITIONS.items():
        with transaction.atomic():
            before = Dossier.objects.get(code=code)
            events_before = before.events.count()
            if status in transition.sources and (action, status) in PREPARE:
                PREPARE[action, status](code, root)
            response = client.post(
                f"/api/v1/dossiers/{code}/actions/{action}", PAYLOAD, content_type="application/json"
            )
            body = response.json()
            after = Dossier.objects.get(code=code)
            events_after = after.events.count()
            transaction.set_rollback(True)  # every pair starts from the same dossier
        if status in transition.sources:
            expected[action] = (200, resulting_status(action, status))
            outcomes[action] = (response.status_code, body.get("status", body))
        else:
            expected[action] = (409, "invalid_transition", int(status), action, before.version, events_before)
            outcomes[action] = (
                response.status_code,
                body.get("code"),
                body.get("current_status"),
                body.get("action"),
                after.version,
                events_after,
            )
    assert outcomes == expected


def test_given_a_received_dossier_when_accepted_again_then_409_in_vietnamese_with_the_current_status(
    world, officers, clock, client
):
    code = receive(world, officers["desk"]).code
    client.force_login(officers["desk"])

    response = client.post(f"/api/v1/dossiers/{code}/actions/accept", {}, content_type="application/json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_transition",
        "message": "Không thể 'tiếp nhận' khi hồ sơ đang ở trạng thái 'Được tiếp nhận'.",
        "current_status": 2,
        "current_status_label": "Được tiếp nhận",
        "action": "accept",
    }


def test_given_an_unknown_action_when_posted_then_422_naming_the_action(world, officers, clock, client):
    code = receive(world, officers["desk"]).code
    client.force_login(officers["desk"])

    response = client.post(f"/api/v1/dossiers/{code}/actions/xoa", {}, content_type="application/json")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["action"]
    assert Dossier.objects.get(code=code).version == 1
