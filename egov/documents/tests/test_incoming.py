"""Incoming documents: arrivals in the platform (signatures checked on acceptance), paper scans with
OCR, arrival numbers, returns, the leader's direction, progress, completion with the answer, reminders,
and work files."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from egov.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from egov.documents import services
from egov.documents.models import Assignment, IncomingDocument, IncomingStatus, TraceEvent, WorkFile
from egov.documents.tests.conftest import draft, signed, small_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrival(world, token):
    """The Justice decision, issued to Finance and the commune: Finance's copy."""
    document = services.issue(by=world["clerk"], document=signed(world))
    return IncomingDocument.objects.get(outgoing=document, agency=world["finance"])


def _paper(world, **overrides):
    data = {
        "by": world["fin_clerk"],
        "agency": world["finance"],
        "file_name": "cong-van.pdf",
        "file_content": small_pdf("Công văn số 12/BTC-NSNN về dự toán ngân sách"),
        "sender_name": "Bộ Tài chính",
        "subject": "Về dự toán ngân sách năm sau",
        "symbol": "12/BTC-NSNN",
        "document_date": date(2026, 11, 20),
    }
    data.update(overrides)
    return services.register_paper_incoming(**data)


def test_the_clerk_accepts_an_arrival_its_signatures_are_checked_and_it_gets_the_first_arrival_number(world, arrival):
    services.accept_incoming(by=world["fin_clerk"], incoming=arrival)

    arrival.refresh_from_db()
    assert (arrival.status, arrival.arrival_number, arrival.register, arrival.year) == (
        IncomingStatus.ACCEPTED,
        1,
        "incoming",
        timezone.localdate().year,
    )
    assert arrival.signatures_ok is True
    assert [(s["intact"], s["valid"], s["trusted"]) for s in arrival.signatures] == [(True, True, True)] * 2
    assert list(arrival.trace.values_list("action", flat=True)) == ["received", "accepted"]


def test_a_misaddressed_arrival_is_returned_without_a_number(world, arrival):
    with pytest.raises(ValidationFailed) as caught:
        services.return_incoming(by=world["fin_clerk"], incoming=arrival, reason="khac")
    assert caught.value.errors[0].field == "reason"

    services.return_incoming(
        by=world["fin_clerk"], incoming=arrival, reason="misaddressed", note="Không thuộc thẩm quyền"
    )

    arrival.refresh_from_db()
    assert (arrival.status, arrival.arrival_number, arrival.return_reason) == ("returned", None, "misaddressed")
    with pytest.raises(InvalidTransition):
        services.accept_incoming(by=world["fin_clerk"], incoming=arrival)


def test_a_paper_document_is_registered_from_its_scan_searchable_and_numbered(world):
    first = _paper(world)
    second = _paper(world, symbol="13/BTC-NSNN")

    assert (first.status, first.arrival_number, second.arrival_number) == (IncomingStatus.ACCEPTED, 1, 2)
    assert first.source == "paper"
    assert first.ocr_status in ("done", "unavailable")
    if first.ocr_status == "done":
        assert "ngân sách" in first.text


def test_a_paper_registration_refuses_a_file_that_is_not_a_scan(world):
    with pytest.raises(ValidationFailed) as caught:
        _paper(world, file_name="x.pdf", file_content=b"not a pdf at all")
    assert caught.value.errors[0].field == "file"
    assert IncomingDocument.objects.count() == 0


def test_secret_arrivals_have_their_own_series(world):
    _paper(world)
    secret = _paper(world, secrecy="mat")
    assert (secret.register, secret.arrival_number) == ("incoming_secret", 1)


def test_the_leader_assigns_lead_cooperating_and_informed_units_and_the_lead_completes_with_the_answer(
    world, arrival, make_officer
):
    treasury = _division(world, "Phòng Ngân sách", "H98.102.03")
    services.accept_incoming(by=world["fin_clerk"], incoming=arrival)
    deadline = timezone.localdate() + timedelta(days=5)
    with pytest.raises(PermissionDenied):
        services.assign(by=world["fin_head"], incoming=arrival, lead=world["finance_div"])
    with pytest.raises(ValidationFailed) as caught:
        services.assign(by=world["fin_leader"], incoming=arrival, lead=world["justice_div"])
    assert caught.value.errors[0].field == "lead"

    services.assign(
        by=world["fin_leader"],
        incoming=arrival,
        lead=world["finance_div"],
        cooperating=[treasury],
        deadline=deadline,
        instruction="Nghiên cứu, tham mưu trả lời.",
    )
    lead = Assignment.objects.get(incoming=arrival, role="lead")
    services.assign_to_specialist(by=world["fin_head"], assignment=lead, specialist=world["fin_specialist"])
    services.add_progress(by=world["fin_specialist"], incoming=arrival, note="Đang dự thảo công văn trả lời.")
    answer = draft(
        world,
        by=world["fin_specialist"],
        drafting_unit=world["finance_div"],
        type_code="cong-van",
        subject="V/v góp ý Quy chế công tác văn thư",
        body="Sở Tài chính thống nhất với dự thảo.",
        signer=world["fin_leader"],
        recipients=[world["justice"]],
        in_reply_to=arrival,
    )
    with pytest.raises(PermissionDenied):
        services.complete(by=world["fin_other_specialist"], incoming=arrival, answer=answer)
    services.complete(by=world["fin_specialist"], incoming=arrival, answer=answer)

    arrival.refresh_from_db()
    assert (arrival.status, arrival.answer, arrival.handling_due) == (IncomingStatus.COMPLETED, answer, deadline)
    assert list(arrival.trace.values_list("action", flat=True)) == [
        "received",
        "accepted",
        "assigned",
        "to_specialist",
        "progress",
        "completed",
    ]
    assert set(Assignment.objects.filter(incoming=arrival).values_list("role", "unit__code")) == {
        ("lead", "H98.102.02"),
        ("cooperate", "H98.102.03"),
    }
    assert not Assignment.objects.filter(incoming=arrival, done_at=None).exists()


def _division(world, name, code):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation

    return create_organisation(by=None, parent=world["finance"], name=name, kind=Kind.DIVISION, code=code)


def test_completion_refuses_an_answer_that_does_not_reply_to_the_document(world, arrival):
    services.accept_incoming(by=world["fin_clerk"], incoming=arrival)
    services.assign(by=world["fin_leader"], incoming=arrival, lead=world["finance_div"])
    unrelated = draft(
        world,
        by=world["fin_specialist"],
        drafting_unit=world["finance_div"],
        signer=world["fin_leader"],
        recipients=[],
    )

    with pytest.raises(ValidationFailed) as caught:
        services.complete(by=world["fin_head"], incoming=arrival, answer=unrelated)
    assert caught.value.errors[0].field == "answer"


def test_due_soon_and_overdue_assignments_are_reminded_once_a_day_through_the_outbox(world, arrival):
    from egov.notifications.models import OutboxMessage

    services.accept_incoming(by=world["fin_clerk"], incoming=arrival)
    today = timezone.localdate()
    services.assign(
        by=world["fin_leader"], incoming=arrival, lead=world["finance_div"], deadline=today + timedelta(days=2)
    )
    lead = Assignment.objects.get(incoming=arrival, role="lead")
    services.assign_to_specialist(by=world["fin_head"], assignment=lead, specialist=world["fin_specialist"])

    soon = services.remind_due_assignments(today=today)
    again = services.remind_due_assignments(today=today)
    late = services.remind_due_assignments(today=today + timedelta(days=3))

    assert (soon, again, late) == (
        {"due_soon": 1, "overdue": 0},
        {"due_soon": 1, "overdue": 0},
        {"due_soon": 0, "overdue": 1},
    )
    messages = list(OutboxMessage.objects.order_by("pk").values_list("kind", "recipient"))
    assert messages == [("document.due_soon", "cv.tc@egov.test"), ("document.overdue", "cv.tc@egov.test")]


def test_recalling_the_original_marks_the_arrival_recalled_in_its_trace(world, arrival):
    services.recall(by=world["clerk"], document=arrival.outgoing, reason="Ban hành sai thẩm quyền")

    arrival.refresh_from_db()
    assert arrival.status == IncomingStatus.RECALLED
    assert arrival.trace.last().action == TraceEvent.Action.RECALLED


def test_work_files_take_issued_and_registered_documents_and_close(world, arrival):
    services.accept_incoming(by=world["fin_clerk"], incoming=arrival)
    entry = services.add_file_list_entry(
        by=world["fin_clerk"], unit=world["finance_div"], year=2026, code="01.ĐKKD", title="Hồ sơ góp ý văn bản"
    )
    work_file = services.open_work_file(by=world["fin_specialist"], entry=entry)
    with pytest.raises(ValidationFailed):
        services.close_file(by=world["fin_specialist"], work_file=work_file)

    services.file_document(by=world["fin_clerk"], work_file=work_file, incoming=arrival)
    services.close_file(by=world["fin_specialist"], work_file=work_file)

    work_file.refresh_from_db()
    assert (work_file.status, work_file.items.count()) == (WorkFile.Status.CLOSED, 1)
    with pytest.raises(InvalidTransition):
        services.file_document(by=world["fin_clerk"], work_file=work_file, incoming=arrival)


def test_the_reminder_command_reports_what_it_queued(world, arrival):
    from io import StringIO

    from django.core.management import call_command

    services.accept_incoming(by=world["fin_clerk"], incoming=arrival)
    today = timezone.localdate()
    services.assign(by=world["fin_leader"], incoming=arrival, lead=world["finance_div"], deadline=today)
    lead = Assignment.objects.get(incoming=arrival, role="lead")
    services.assign_to_specialist(by=world["fin_head"], assignment=lead, specialist=world["fin_specialist"])
    out = StringIO()

    call_command("remind_document_deadlines", "--today", (today + timedelta(days=1)).isoformat(), stdout=out)

    assert out.getvalue().strip() == "Sắp đến hạn: 0; quá hạn: 1"


def test_giving_an_assignment_to_no_specialist_is_refused_on_the_specialist_field(world, arrival):
    services.accept_incoming(by=world["fin_clerk"], incoming=arrival)
    services.assign(by=world["fin_leader"], incoming=arrival, lead=world["finance_div"])
    lead = Assignment.objects.get(incoming=arrival, role="lead")

    with pytest.raises(ValidationFailed) as caught:
        services.assign_to_specialist(by=world["fin_head"], assignment=lead, specialist=None)

    assert caught.value.errors[0].field == "specialist"
    lead.refresh_from_db()
    assert lead.assignee is None
