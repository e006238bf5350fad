"""Who may do what, through the API: each role × own agency / other agency × each action, asserting
both the answer (allowed or 403) and that a refusal changed nothing. Then the public lookup: no
personal data, and rate limited as API and page."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils.dateparse import parse_datetime

from egov.audit.models import AuditRecord
from egov.core.models import NumberSequence
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierEvent, DossierTask, IssuedForm
from egov.dossiers.tests.conftest import MONDAY_9, receive, vn
from egov.notifications.models import OutboxMessage

ROLES = ("receiving_officer", "specialist", "unit_head", "agency_leader", "clerk", "evaluator")

# Where each role sits: the Department of Justice handles the dossier, Finance is the other agency.
PLACES = {
    "own": {
        "receiving_officer": "justice_desk",
        "specialist": "justice_div",
        "unit_head": "justice_div",
        "agency_leader": "justice",
        "clerk": "justice",
        "evaluator": "justice",
    },
    "other": {
        "receiving_officer": "finance_desk",
        "specialist": "finance_div",
        "unit_head": "finance_div",
        "agency_leader": "finance",
        "clerk": "finance",
        "evaluator": "finance",
    },
}

# Who is allowed, per action. Nobody from the other agency is allowed anything.
#   receive, refuse: the dossier is at the desk (status 2, step 1) — the one-stop unit's officer.
#   forward, apologize, stop: the dossier is at the division (status 4, step 2 "Thẩm định hồ sơ").
ALLOWED = {
    "receive": {("own", "receiving_officer")},
    "refuse": {("own", "receiving_officer")},
    "forward": {("own", "specialist"), ("own", "unit_head"), ("own", "agency_leader")},
    "apologize": {("own", "unit_head"), ("own", "agency_leader")},
    "stop": {("own", "unit_head"), ("own", "agency_leader")},
}

BODIES = {
    "refuse": {"reason": "Không thuộc thẩm quyền giải quyết"},
    "forward": {"note": "Đủ điều kiện"},
    "apologize": {"reason": "Chờ ý kiến Sở Tài chính", "new_due_at": "2027-03-10T16:00:00+07:00"},
    "stop": {"reason": "Người yêu cầu không đến ký"},
}


@pytest.fixture
def staff(world, make_officer):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation

    world["finance_desk"] = create_organisation(
        by=None,
        parent=world["finance"],
        name="Bộ phận Một cửa Sở Tài chính",
        kind=Kind.ONE_STOP,
        code="H98.102.01",
        legacy_code="001.00.02.H98",
    )
    return {
        (where, role): make_officer(role, world[unit], username=f"{role}.{where}")
        for where, units in PLACES.items()
        for role, unit in units.items()
    }


def everything(code: str | None = None) -> dict:
    """What a refused request must leave as it was."""
    row = (
        Dossier.objects.filter(code=code)
        .values("status", "version", "due_at", "current_unit_id", "current_assignee_id", "rescheduled", "closed_reason")
        .first()
    )
    return {
        "dossier": row,
        "dossiers": Dossier.objects.count(),
        "numbers_taken": NumberSequence.objects.aggregate(n=Sum("last"))["n"] or 0,
        "tasks": DossierTask.objects.count(),
        "events": DossierEvent.objects.count(),
        "forms": IssuedForm.objects.count(),
        "audit": AuditRecord.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }


def reception_body(world) -> dict:
    return {
        "procedure": world["procedure"].code,
        "agency": "H98.101",
        "channel": 1,
        "applicant": {"name": "Trần Thị Bình", "identity": "037090009999", "phone": "0987654321"},
        "components": [{"component_id": c.pk} for c in world["procedure"].components.order_by("order", "pk")],
    }


@pytest.mark.parametrize("action", list(ALLOWED))
def test_permission_matrix(action, world, officers, staff, clock, client):
    code = None
    if action != "receive":
        code = receive(world, officers["desk"]).code
        if action in ("forward", "apologize", "stop"):
            services.forward(by=officers["desk"], dossier=code)  # now at the division
    expected, outcomes = {}, {}
    for (where, role), officer in staff.items():
        client.force_login(officer)
        before = everything(code)
        with transaction.atomic():
            if action == "receive":
                response = client.post("/api/v1/dossiers", reception_body(world), content_type="application/json")
            else:
                response = client.post(
                    f"/api/v1/dossiers/{code}/actions/{action}", BODIES[action], content_type="application/json"
                )
            after = everything(code)
            transaction.set_rollback(True)
        allowed = (where, role) in ALLOWED[action]
        expected[where, role] = (201 if action == "receive" else 200) if allowed else (403, "permission_denied", True)
        if allowed:
            outcomes[where, role] = response.status_code
        else:
            outcomes[where, role] = (response.status_code, response.json().get("code"), after == before)
    assert outcomes == expected


def test_a_refused_officer_gets_a_vietnamese_reason(world, officers, staff, clock, client):
    code = receive(world, officers["desk"]).code
    client.force_login(staff["other", "receiving_officer"])

    response = client.post(f"/api/v1/dossiers/{code}/actions/refuse", BODIES["refuse"], content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "Bạn không có quyền: tiếp nhận, trả kết quả hồ sơ.",
    }


# --- public lookup -------------------------------------------------------------------------------

PERSONAL = ("Nguyễn Văn An", "037090001234", "0912345678", "an@example.vn", "Thôn Đông")


def test_given_a_dossier_when_looked_up_by_anyone_then_no_personal_data(world, officers, clock, client):
    code = receive(world, officers["desk"]).code
    services.forward(by=officers["desk"], dossier=code, note="Đủ")

    api = client.get(f"/api/v1/lookup/{code}")
    page = client.get(f"/tra-cuu/{code}/")

    assert api.status_code == 200
    body = api.json()
    assert sorted(body) == [
        "code",
        "current_step",
        "due_at",
        "handling_agency",
        "procedure",
        "received_at",
        "receiving_agency",
        "status",
        "status_label",
        "steps_done",
        "timeliness",
        "timeliness_label",
    ]
    assert (body["code"], body["status"], parse_datetime(body["due_at"])) == (code, 4, vn(2027, 3, 3, 9))
    [step] = body["steps_done"]
    assert (step["name"], step["agency"], parse_datetime(step["finished_at"]), step["timeliness"]) == (
        "Tiếp nhận, chuyển hồ sơ",
        "Sở Tư pháp",
        MONDAY_9,
        "dung_han",  # finished on the step's due day (DOMAIN §5)
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert code in text and "Đang xử lý" in text
    for value in PERSONAL:
        assert value not in api.content.decode()
        assert value not in text


@pytest.fixture
def three_per_minute(settings):
    settings.EGOV_LOOKUP_RATE = "3/min"


def test_given_three_lookups_a_minute_when_the_api_is_asked_a_fourth_time_then_429_in_vietnamese(
    world, officers, clock, client, three_per_minute
):
    code = receive(world, officers["desk"]).code

    statuses = [client.get(f"/api/v1/lookup/{code}").status_code for _ in range(3)]
    fourth = client.get(f"/api/v1/lookup/{code}")

    assert statuses == [200, 200, 200]
    assert fourth.status_code == 429
    assert fourth.json() == {"code": "throttled", "message": "Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút."}
    # Another address has its own allowance.
    assert client.get(f"/api/v1/lookup/{code}", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_given_three_lookups_a_minute_when_the_page_is_asked_a_fourth_time_then_429_in_vietnamese(
    world, officers, clock, client, three_per_minute
):
    code = receive(world, officers["desk"]).code

    statuses = [client.get(f"/tra-cuu/?ma={code}").status_code for _ in range(3)]
    fourth = client.get(f"/tra-cuu/?ma={code}")

    assert statuses == [200, 200, 200]
    assert fourth.status_code == 429
    assert "Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút." in fourth.content.decode()
    assert code not in fourth.content.decode().split("</form>")[-1]  # no result shown
