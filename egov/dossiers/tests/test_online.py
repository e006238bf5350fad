"""Online submission (``services.submit_online``): status 1 without a clock until a receiving officer
accepts it; a supplement asked before acceptance brings it back to status 1; the applicant may
withdraw it themselves."""

from __future__ import annotations

import pytest

from egov.core.errors import PermissionDenied, ValidationFailed
from egov.dossiers import services
from egov.dossiers.models import Dossier, IssuedForm
from egov.dossiers.statuses import Channel, Status
from egov.dossiers.tests.conftest import MONDAY_9, applicant, components_all, vn
from egov.notifications.models import OutboxMessage


@pytest.fixture
def citizen(db):
    from egov.people.services import register_citizen

    return register_citizen(
        username="nguyenvanan", full_name="Nguyễn Văn An", password="Mk-thu-nghiem-2026", identity_number="037090001234"
    )


def submit(world, by, **overrides):
    return services.submit_online(
        by=by,
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(**overrides),
        components=components_all(world["procedure"]),
    )


def test_given_an_online_submission_then_status_1_without_a_clock_at_the_one_stop_unit(world, citizen, clock):
    dossier = Dossier.objects.get(pk=submit(world, citizen).pk)

    assert (dossier.code, dossier.status, dossier.channel) == ("000.00.01.H98-270301-0001", Status.NEW, Channel.ONLINE)
    assert (dossier.submitted_at, dossier.received_at, dossier.clock_started_at, dossier.due_at) == (
        MONDAY_9,
        None,
        None,
        None,
    )
    assert (dossier.current_unit_id, dossier.applicant_user_id) == (world["justice_desk"].pk, citizen.pk)
    assert (dossier.tasks.count(), dossier.forms.count(), OutboxMessage.objects.count()) == (0, 0, 0)
    assert list(dossier.events.values_list("action", "to_status")) == [("submit", Status.NEW)]


def test_an_online_submission_needs_an_email_or_a_phone(world, citizen, clock):
    with pytest.raises(ValidationFailed) as refused:
        submit(world, citizen, email="", phone="")

    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("applicant.email", "Hồ sơ trực tuyến cần thư điện tử hoặc số điện thoại để nhận thông báo.")
    ]
    assert Dossier.objects.count() == 0


def test_given_an_online_dossier_when_accepted_then_status_2_with_due_date_first_step_and_receipt(
    world, officers, citizen, clock
):
    code = submit(world, citizen).code
    clock.now = vn(2027, 3, 1, 10)

    services.accept(by=officers["desk"], dossier=code)

    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.received_at, dossier.due_at, dossier.received_by_id) == (
        Status.RECEIVED,
        vn(2027, 3, 1, 10),
        vn(2027, 3, 3, 10),  # online: 2 working days
        officers["desk"].pk,
    )
    assert dossier.tasks.get().name == "Tiếp nhận, chuyển hồ sơ"
    assert list(dossier.forms.values_list("code", flat=True)) == ["01"]
    assert list(OutboxMessage.objects.order_by("pk").values_list("kind", "channel")) == [
        ("dossier.received", "email"),
        ("dossier.received", "sms"),
    ]


def test_given_an_online_dossier_when_a_supplement_is_asked_and_given_then_it_is_back_to_status_1(
    world, officers, citizen, clock
):
    code = submit(world, citizen).code

    services.request_supplement(
        by=officers["desk"], dossier=code, items=["Bản sao giấy tờ tùy thân (bản rõ nét)"], reason="Bản quét bị mờ"
    )
    waiting = Dossier.objects.get(code=code)
    assert (waiting.status, waiting.paused_at, waiting.due_at) == (Status.WAITING_SUPPLEMENT, MONDAY_9, None)
    assert list(IssuedForm.objects.filter(dossier=waiting).values_list("code", flat=True)) == ["02"]

    clock.now = vn(2027, 3, 2, 8)
    services.receive_supplement(by=officers["desk"], dossier=code)

    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.paused_at, dossier.received_at, dossier.due_at) == (Status.NEW, None, None, None)
    assert dossier.supplement_requests.get().fulfilled_at == vn(2027, 3, 2, 8)
    services.accept(by=officers["desk"], dossier=code)
    assert Dossier.objects.get(code=code).due_at == vn(2027, 3, 4, 8)


@pytest.mark.parametrize("status", [Status.NEW, Status.RECEIVED])
def test_the_applicant_may_withdraw_their_own_dossier_and_nobody_else_outside_the_agency(
    status, world, officers, citizen, clock
):
    from egov.people.services import register_citizen

    code = submit(world, citizen).code
    if status == Status.RECEIVED:
        services.accept(by=officers["desk"], dossier=code)
    stranger = register_citizen(
        username="tranthibinh", full_name="Trần Thị Bình", password="Mk-thu-nghiem-2026", identity_number="037190005678"
    )

    with pytest.raises(PermissionDenied):
        services.withdraw(by=stranger, dossier=code, reason="Không cần nữa")
    services.withdraw(by=citizen, dossier=code, reason="Không còn nhu cầu")

    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.closed_reason, dossier.finished_at) == (
        Status.WITHDRAWN,
        "Không còn nhu cầu",
        MONDAY_9,
    )
    assert list(dossier.events.values_list("action", "actor_id"))[-1] == ("withdraw", citizen.pk)
