"""Rule sets by reception date and the legal clock: due dates per channel and calendar, outside
working hours, the supplement window and its pause (restart or extend), apologies, payments.

The calendar is the province's: sessions 07:30–11:30 and 13:30–17:30, weekends off. 2–5 March 2027
is an ordinary week (Mon 1 – Fri 5); Mon 8 March follows.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from egov.audit.models import AuditRecord
from egov.core.errors import PermissionDenied
from egov.dossiers import services
from egov.dossiers.models import Dossier, IssuedForm, RuleSet
from egov.dossiers.statuses import Status
from egov.dossiers.tests.conftest import MONDAY_9, receive, vn


def reload(code: str) -> Dossier:
    return Dossier.objects.select_related("rule_set", "current_task").get(code=code)


# --- rule set in force on the reception date ----------------------------------------------------


@pytest.fixture
def world_since_2025(request):
    """The world, with signing keys valid from 1/1/2025 (the usual ones start today)."""
    from egov.signing import pki

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pki, "_utcnow", lambda: datetime(2025, 1, 1, tzinfo=UTC))
        return request.getfixturevalue("world")


@pytest.mark.parametrize(
    ("received_at", "rule_set", "form_set", "code"),
    [
        (vn(2025, 6, 30, 10), "nd61-2018", "tt01_2018", "000.00.01.H98-250630-0001"),
        (vn(2025, 7, 1, 9), "nd118-2025", "tt03_2025", "000.00.01.H98-250701-0001"),
    ],
    ids=["before-1-7-2025", "from-1-7-2025"],
)
def test_given_a_reception_date_then_the_rule_set_in_force_that_day_applies_for_the_dossiers_life(
    received_at, rule_set, form_set, code, world_since_2025, officers, clock
):
    world = world_since_2025
    clock.now = received_at

    dossier = receive(world, officers["desk"])
    # Three days later the rule set of the reception day still applies (e.g. to Mẫu 02).
    clock.now = vn(2025, 7, 2, 9)
    services.forward(by=officers["desk"], dossier=dossier.code)
    services.request_supplement(
        by=officers["specialist"], dossier=dossier.code, items=["Bản sao giấy tờ tùy thân"], reason="Bản sao không rõ"
    )

    dossier = reload(dossier.code)
    assert (dossier.code, dossier.rule_set.code) == (code, rule_set)
    assert list(IssuedForm.objects.filter(dossier=dossier).values_list("form_set", "code")) == [
        (form_set, "01"),
        (form_set, "02"),
    ]


# --- due dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "channel", "due_at", "first_step_due_at"),
    [
        # In person: 2 working days.
        (MONDAY_9, 1, vn(2027, 3, 3, 9), vn(2027, 3, 1, 11)),
        # By post: 3 working days (the procedure's time for channel 3).
        (MONDAY_9, 3, vn(2027, 3, 4, 9), vn(2027, 3, 1, 11)),
        # After the afternoon session: the clock starts Tuesday 07:30 → Wednesday 17:30 (session end).
        (vn(2027, 3, 1, 18), 1, vn(2027, 3, 3, 17, 30), vn(2027, 3, 2, 9, 30)),
        # During lunch: starts 13:30 → runs out at Wednesday's morning session end.
        (vn(2027, 3, 1, 12), 1, vn(2027, 3, 3, 11, 30), vn(2027, 3, 1, 15, 30)),
        # On a Saturday: starts Monday 07:30.
        (vn(2027, 3, 6, 10), 1, vn(2027, 3, 9, 17, 30), vn(2027, 3, 8, 9, 30)),
    ],
    ids=["in-person", "post", "evening", "lunch", "saturday"],
)
def test_given_a_reception_moment_and_channel_then_the_due_date_comes_from_the_calendar(
    received_at, channel, due_at, first_step_due_at, world, officers, clock
):
    clock.now = received_at

    dossier = receive(world, officers["desk"], channel=channel)

    assert (dossier.received_at, dossier.due_at, dossier.original_due_at) == (received_at, due_at, due_at)
    assert dossier.tasks.get().due_at == first_step_due_at


# --- supplement: the 3-working-day window ---------------------------------------------------------


def test_given_a_dossier_received_monday_9h_when_a_supplement_is_asked_after_thursday_9h_then_422_and_nothing_changes(
    world, officers, clock, client
):
    code = receive(world, officers["desk"]).code
    services.forward(by=officers["desk"], dossier=code)
    body = {"items": ["Bản sao giấy tờ tùy thân"], "reason": "Bản sao không rõ"}
    url = f"/api/v1/dossiers/{code}/actions/request_supplement"

    clock.now = vn(2027, 3, 4, 9, 1)  # 3 working days and 1 minute after reception
    client.force_login(officers["specialist"])  # (a session opened on Monday would have expired)
    audit_before = AuditRecord.objects.count()
    late = client.post(url, body, content_type="application/json")

    assert late.status_code == 422
    message = "Đã quá 3 ngày làm việc kể từ khi tiếp nhận: không được yêu cầu bổ sung (NĐ 61/2018 Đ19)."
    assert late.json() == {
        "code": "deadline_rule_violation",
        "message": message,
        "errors": [{"field": "action", "message": message}],
    }
    dossier = reload(code)
    assert (dossier.status, dossier.version, dossier.paused_at) == (Status.PROCESSING, 2, None)
    assert AuditRecord.objects.count() == audit_before
    assert not dossier.supplement_requests.exists()

    clock.now = vn(2027, 3, 4, 9, 0)  # exactly 3 working days: still allowed
    in_time = client.post(url, body, content_type="application/json")

    assert in_time.status_code == 200
    assert in_time.json()["status"] == Status.WAITING_SUPPLEMENT


# --- supplement: the pause, then restart or extend ------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "due_after_supplement", "step_due_after_supplement"),
    [
        # NĐ 61/2018 Đ19: the legal time (2 working days) restarts from zero at Thu 14:00 → Mon 14:00;
        # the appraisal step (4 h) restarts too → Fri 08:00.
        ("restart", vn(2027, 3, 8, 14), vn(2027, 3, 5, 8)),
        # Extend: the old due date (Wed 09:00) plus the paused working time (26 h) → Mon 11:00; the
        # step's due date (Mon 15:00) plus 26 h → Thu 17:00.
        ("extend", vn(2027, 3, 8, 11), vn(2027, 3, 4, 17)),
    ],
)
def test_given_a_supplement_request_when_the_applicant_supplements_then_the_clock_restarts_or_extends(
    policy, due_after_supplement, step_due_after_supplement, world, officers, clock
):
    RuleSet.objects.filter(code="nd118-2025").update(supplement_policy=policy)
    code = receive(world, officers["desk"]).code  # Mon 09:00, due Wed 09:00
    services.forward(by=officers["desk"], dossier=code)
    clock.now = vn(2027, 3, 1, 10)
    services.request_supplement(
        by=officers["specialist"],
        dossier=code,
        items=["Bản sao giấy tờ tùy thân", "Giấy tờ chứng minh quyền sở hữu tài sản"],
        reason="Thiếu",
    )

    # While waiting, the clock is paused and the due date is not moved yet.
    clock.now = vn(2027, 3, 3, 12)  # past the old due date
    waiting = reload(code)
    assert (waiting.status, waiting.paused_at, waiting.due_at) == (
        Status.WAITING_SUPPLEMENT,
        vn(2027, 3, 1, 10),
        vn(2027, 3, 3, 9),
    )

    # The applicant brings the papers to the one-stop desk on Thursday 14:00.
    clock.now = vn(2027, 3, 4, 14)
    services.receive_supplement(by=officers["desk"], dossier=code)

    dossier = reload(code)
    assert (dossier.status, dossier.paused_at, dossier.due_at) == (Status.PROCESSING, None, due_after_supplement)
    # Paused: Mon 10:00–17:30 (5.5 h) + Tue + Wed (16 h) + Thu 07:30–14:00 (4.5 h) = 26 working hours.
    assert dossier.paused_seconds == 26 * 3600
    assert dossier.original_due_at == vn(2027, 3, 3, 9)
    request = dossier.supplement_requests.get()
    assert (request.old_due_at, request.fulfilled_at, request.new_due_at) == (
        vn(2027, 3, 3, 9),
        vn(2027, 3, 4, 14),
        due_after_supplement,
    )
    assert dossier.current_task.due_at == step_due_after_supplement


# --- apology and new date (Mẫu 04) ---------------------------------------------------------------


def test_apology_only_once_at_least_a_working_day_before_due_with_a_later_date(world, officers, clock, client):
    code = receive(world, officers["desk"]).code  # due Wed 3/3 09:00
    services.forward(by=officers["desk"], dossier=code)
    url = f"/api/v1/dossiers/{code}/actions/apologize"
    new_date = "2027-03-05T16:00:00+07:00"

    clock.now = vn(2027, 3, 2, 9, 1)  # 7 h 59 min of working time before the due date
    client.force_login(officers["leader"])
    too_late = client.post(url, {"reason": "Chờ ý kiến", "new_due_at": new_date}, content_type="application/json")
    clock.now = vn(2027, 3, 2, 9, 0)  # exactly one working day before
    not_later = client.post(
        url, {"reason": "Chờ ý kiến", "new_due_at": "2027-03-03T09:00:00+07:00"}, content_type="application/json"
    )
    assert IssuedForm.objects.filter(dossier__code=code, code="04").count() == 0
    accepted = client.post(
        url, {"reason": "Chờ ý kiến Sở Tài chính", "new_due_at": new_date}, content_type="application/json"
    )
    again = client.post(
        url, {"reason": "Vẫn chờ", "new_due_at": "2027-03-12T16:00:00+07:00"}, content_type="application/json"
    )

    assert (too_late.status_code, too_late.json()["code"], too_late.json()["errors"]) == (
        422,
        "deadline_rule_violation",
        [
            {
                "field": "action",
                "message": "Phải xin lỗi và hẹn lại chậm nhất 1 ngày làm việc trước hạn trả kết quả.",
            }
        ],
    )
    assert (not_later.status_code, not_later.json()["errors"]) == (
        422,
        [{"field": "new_due_at", "message": "Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại."}],
    )
    assert accepted.status_code == 200
    assert (again.status_code, again.json()["code"], again.json()["message"]) == (
        422,
        "deadline_rule_violation",
        "Chỉ được hẹn lại ngày trả kết quả một lần.",
    )
    dossier = reload(code)
    assert (dossier.due_at, dossier.original_due_at, dossier.rescheduled) == (
        vn(2027, 3, 5, 16),
        vn(2027, 3, 3, 9),
        True,
    )
    apology = IssuedForm.objects.get(dossier=dossier, code="04")
    assert (apology.form_set, apology.signed) == ("tt03_2025", True)


def test_an_apology_is_signed_with_the_handling_agencys_key(world, officers, clock):
    from egov.signing.services import validate_pdf

    code = receive(world, officers["desk"]).code
    services.apologize(by=officers["leader"], dossier=code, reason="Chờ ý kiến", new_due_at=vn(2027, 3, 5, 16))

    [report] = validate_pdf(IssuedForm.objects.get(dossier__code=code, code="04").pdf.read())
    assert (report.ok, report.signer_identifier, report.signer_common_name) == (True, "H98.101", "Sở Tư pháp")


# --- fees: the clock pauses while waiting for payment ----------------------------------------------


def test_given_a_payment_request_when_the_fee_is_recorded_a_working_day_later_then_the_due_date_moves_a_day(
    world, officers, clock
):
    code = receive(world, officers["desk"]).code  # due Wed 09:00
    services.forward(by=officers["desk"], dossier=code)
    clock.now = vn(2027, 3, 1, 10)
    services.request_payment(by=officers["specialist"], dossier=code, amount=75000)
    waiting = reload(code)
    assert (waiting.status, waiting.paused_at, waiting.fee_amount) == (
        Status.WAITING_PAYMENT,
        vn(2027, 3, 1, 10),
        75000,
    )

    clock.now = vn(2027, 3, 2, 10)  # one working day later, at the one-stop desk
    services.record_payment(by=officers["desk"], dossier=code)

    dossier = reload(code)
    assert (dossier.status, dossier.paused_at, dossier.fee_paid_at, dossier.due_at, dossier.paused_seconds) == (
        Status.PROCESSING,
        None,
        vn(2027, 3, 2, 10),
        vn(2027, 3, 4, 9),
        8 * 3600,
    )


def test_the_one_stop_desk_asks_for_a_supplement_while_it_holds_the_dossier_and_a_mere_viewer_cannot(
    world, officers, make_officer, clock
):
    evaluator = make_officer("evaluator", world["justice"], username="danhgia")
    code = receive(world, officers["desk"]).code  # at the desk, step 1
    clock.now = vn(2027, 3, 1, 10)
    payload = {"items": ["Bản sao giấy tờ tùy thân"], "reason": "Bản sao mờ"}

    with pytest.raises(PermissionDenied) as refused:
        services.request_supplement(by=evaluator, dossier=code, **payload)
    services.request_supplement(by=officers["desk"], dossier=code, **payload)

    assert refused.value.message == "Yêu cầu bổ sung hồ sơ do Bộ phận Một cửa Sở Tư pháp thực hiện."
    dossier = reload(code)
    assert (dossier.status, dossier.paused_at, dossier.version) == (Status.WAITING_SUPPLEMENT, vn(2027, 3, 1, 10), 2)
    assert list(dossier.forms.values_list("code", flat=True)) == ["01", "02"]
