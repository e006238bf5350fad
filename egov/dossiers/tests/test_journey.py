"""The main journey through the services: reception → steps across two agencies → result → return."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from egov.audit.services import verify_chain
from egov.calendar.engine import VIETNAM_TZ
from egov.dossiers import services
from egov.dossiers.models import Dossier, IssuedForm
from egov.dossiers.statuses import Status
from egov.dossiers.tests.conftest import MONDAY_9, applicant, components_all


@pytest.fixture
def at_monday(monkeypatch):
    clock = {"now": MONDAY_9}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    return clock


def test_given_a_complete_dossier_when_received_then_code_due_date_first_task_and_signed_receipt(
    world, officers, at_monday, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        dossier = services.receive_dossier(
            by=officers["desk"],
            procedure=world["procedure"],
            agency=world["justice"],
            channel=1,
            applicant=applicant(),
            components=components_all(world["procedure"]),
        )

    assert dossier.code == "000.00.01.H98-270301-0001"
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == MONDAY_9
    # 2 working days from Monday 09:00 → Wednesday 09:00
    assert dossier.due_at == datetime(2027, 3, 3, 9, 0, tzinfo=VIETNAM_TZ)
    task = dossier.tasks.get()
    assert (task.name, task.unit_id, task.due_at) == (
        "Tiếp nhận, chuyển hồ sơ",
        world["justice_desk"].pk,
        datetime(2027, 3, 1, 11, 0, tzinfo=VIETNAM_TZ),
    )
    receipt = IssuedForm.objects.get(dossier=dossier)
    assert (receipt.code, receipt.signed) == ("01", True)
    assert receipt.pdf.read().startswith(b"%PDF")
    assert dossier.fee_amount == 50000


def test_given_a_received_dossier_when_it_travels_through_both_agencies_then_it_is_returned_on_time(
    world, officers, at_monday
):
    dossier = services.receive_dossier(
        by=officers["desk"],
        procedure=world["procedure"],
        agency=world["justice"],
        channel=1,
        applicant=applicant(),
        components=components_all(world["procedure"]),
    )
    code = dossier.code
    steps = [
        ("desk", "Tiếp nhận"),
        ("specialist", "Thẩm định xong"),
        ("partner", "Đồng ý"),
        ("leader", "Đã ký"),
    ]
    for who, note in steps:
        at_monday["now"] = at_monday["now"].replace(hour=at_monday["now"].hour + 1)
        services.claim(by=officers[who], dossier=code)
        services.forward(by=officers[who], dossier=code, note=note)
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.PROCESSING
    assert dossier.current_unit_id == world["justice_desk"].pk  # the last step: return at the desk

    services.forward(by=officers["desk"], dossier=code)
    services.record_payment(by=officers["desk"], dossier=code)
    services.return_result(by=officers["desk"], dossier=code, method="counter")

    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RETURNED
    assert [t.agency_id for t in dossier.tasks.order_by("started_at", "pk")] == [
        world["justice"].pk,
        world["justice"].pk,
        world["finance"].pk,
        world["justice"].pk,
        world["justice"].pk,
    ]
    assert all(t.finished_at is not None for t in dossier.tasks.all())
    assert list(dossier.events.values_list("action", flat=True)) == [
        "receive",
        "claim",
        "forward",
        "claim",
        "forward",
        "claim",
        "forward",
        "claim",
        "forward",
        "forward",
        "record_payment",
        "return_result",
    ]
    assert verify_chain().ok


def test_given_two_officers_when_both_claim_then_exactly_one_wins(world, officers, make_officer, at_monday):
    from egov.core.errors import Conflict

    dossier = services.receive_dossier(
        by=officers["desk"],
        procedure=world["procedure"],
        agency=world["justice"],
        channel=1,
        applicant=applicant(),
        components=components_all(world["procedure"]),
    )
    services.forward(by=officers["desk"], dossier=dossier.code)
    second = make_officer("specialist", world["justice_div"], username="chuyenvien2")

    services.claim(by=officers["specialist"], dossier=dossier.code)
    with pytest.raises(Conflict):
        services.claim(by=second, dossier=dossier.code)
    assert Dossier.objects.get(pk=dossier.pk).current_assignee_id == officers["specialist"].pk


def test_online_notification_is_queued_after_commit(world, officers, at_monday, django_capture_on_commit_callbacks):
    from egov.notifications.models import OutboxMessage

    with django_capture_on_commit_callbacks(execute=False):
        dossier = services.receive_dossier(
            by=officers["desk"],
            procedure=world["procedure"],
            agency=world["justice"],
            channel=1,
            applicant=applicant(),
            components=components_all(world["procedure"]),
        )
    messages = OutboxMessage.objects.filter(reference=dossier.code).order_by("channel")
    assert [(m.kind, m.channel) for m in messages] == [("dossier.received", "email"), ("dossier.received", "sms")]
    assert mail.outbox == []
