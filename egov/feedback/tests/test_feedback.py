"""Feedback (phản ánh, kiến nghị): sending with field errors, codes, due dates, answering by the
addressed agency's officers only, publication, the notification to the sender."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from egov.calendar.engine import VIETNAM_TZ
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.core.models import NumberSequence
from egov.feedback.models import Feedback, FeedbackStatus
from egov.feedback.services import answer_feedback, set_published
from egov.feedback.tests.conftest import MONDAY_9, submit
from egov.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _vn(*args) -> datetime:
    return datetime(*args, tzinfo=VIETNAM_TZ)


# --- sending --------------------------------------------------------------------------------


def test_a_feedback_gets_a_daily_code_and_a_due_date_10_working_days_later(world, clock):
    first = submit(agency=world["justice"])
    second = submit()

    assert (first.code, second.code) == ("PA-270301-0001", "PA-270301-0002")
    # Monday 1/3/2027 09:00 + 10 working days (two weekends skipped) = Monday 15/3 09:00.
    assert first.due_at == _vn(2027, 3, 15, 9, 0)
    assert (first.status, first.published, first.phone) == (FeedbackStatus.RECEIVED, False, "+84987654321")
    assert first.handling_unit == world["justice_desk"]  # the agency's one-stop desk handles it
    assert second.agency == world["province"]  # addressed to nobody: the province


def test_the_counter_restarts_each_day_and_codes_never_repeat(world, clock):
    submit()
    clock.now = _vn(2027, 3, 2, 9, 0)
    codes = [submit().code for _ in range(3)]

    assert codes == ["PA-270302-0001", "PA-270302-0002", "PA-270302-0003"]
    assert all(re.fullmatch(r"PA-\d{6}-\d{4}", c) for c in codes)
    assert Feedback.objects.values("code").distinct().count() == 4


def test_the_due_date_follows_the_province_calendar(world, clock):
    from egov.calendar.models import CalendarDay
    from egov.calendar.services import set_day

    set_day(by=None, calendar=world_calendar(), day=_vn(2027, 3, 3).date(), kind=CalendarDay.Kind.DAY_OFF, note="Nghỉ")

    assert submit().due_at == _vn(2027, 3, 16, 9, 0)  # one day off in the span: one day later


def world_calendar():
    from egov.calendar.models import WorkCalendar

    return WorkCalendar.objects.get()


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"sender_name": " ", "title": "", "content": "", "phone": "", "email": ""},
            {
                "sender_name": "Nhập họ và tên người gửi.",
                "title": "Nhập tiêu đề phản ánh, kiến nghị.",
                "content": "Nhập nội dung phản ánh, kiến nghị.",
                "contact": "Nhập số điện thoại di động hoặc thư điện tử để nhận trả lời.",
            },
        ),
        (
            {"phone": "12345", "email": "khong-hop-le"},
            {
                "phone": "Số điện thoại '12345' không phải số di động Việt Nam hợp lệ "
                "(ví dụ: 0912 345 678 hoặc +84 912 345 678).",
                "email": "Địa chỉ thư điện tử 'khong-hop-le' không hợp lệ.",
            },
        ),
        ({"related_dossier_code": "KHONG-CO"}, {"related_dossier_code": "Không tìm thấy hồ sơ có mã này."}),
    ],
)
def test_invalid_feedback_names_every_field_in_vietnamese_and_writes_nothing(world, clock, overrides, errors):
    with pytest.raises(ValidationFailed) as exc:
        submit(**overrides)

    assert {e.field: e.message for e in exc.value.errors} == errors
    assert not Feedback.objects.exists()
    assert not NumberSequence.objects.filter(scope="feedback").exists()  # not even a number taken


def test_the_api_answers_201_then_tracks_by_code(client, world, clock):
    body = {"agency": "H98.101", "sender_name": "An", "email": "an@example.vn", "title": "T", "content": "C"}

    created = client.post("/api/v1/feedback", json.dumps(body), content_type="application/json")
    tracked = client.get(f"/api/v1/feedback/{created.json()['code']}")

    assert created.status_code == 201
    assert tracked.json() | {"created_at": None, "due_at": None} == {
        "code": "PA-270301-0001",
        "agency": "Sở Tư pháp",
        "title": "T",
        "status": "received",
        "status_label": "Đã tiếp nhận",
        "created_at": None,
        "due_at": None,
        "answer": None,
        "answered_at": None,
        "answered_by": None,
    }


def test_the_api_gives_field_errors_422(client, world, clock):
    body = {"sender_name": "", "title": "T", "content": ""}

    response = client.post("/api/v1/feedback", json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["sender_name", "content", "contact"]
    assert not Feedback.objects.exists()


def test_sending_is_rate_limited(client, world, clock, settings):
    settings.EGOV_FEEDBACK_SUBMIT_RATE = "2/hour"
    body = json.dumps({"sender_name": "An", "email": "an@example.vn", "title": "T", "content": "C"})

    statuses = [client.post("/api/v1/feedback", body, content_type="application/json").status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert Feedback.objects.count() == 2


# --- answering ------------------------------------------------------------------------------


def test_an_officer_of_the_agency_answers_and_the_sender_is_notified(world, officers, clock):
    feedback = submit(agency=world["justice"])
    clock.now = _vn(2027, 3, 3, 10, 0)

    answered = answer_feedback(by=officers["desk"], feedback=feedback, answer="Đã bố trí thêm quầy.", publish=True)

    assert (answered.status, answered.answered_by, answered.answered_at, answered.published) == (
        FeedbackStatus.ANSWERED,
        officers["desk"],
        _vn(2027, 3, 3, 10, 0),
        True,
    )
    sent = {m.channel: m for m in OutboxMessage.objects.filter(kind="feedback.answered")}
    assert set(sent) == {"email", "sms"}
    assert sent["email"].recipient == "binh@example.vn"
    assert "Đã bố trí thêm quầy." in sent["email"].body
    assert sent["sms"].recipient == "+84987654321"
    assert all(m.reference == feedback.code for m in sent.values())


def test_the_agency_leader_may_answer_too(world, officers, clock):
    feedback = submit(agency=world["justice"])

    assert answer_feedback(by=officers["leader"], feedback=feedback, answer="Trả lời").status == "answered"


@pytest.mark.parametrize("who", ["other_desk", "partner", "specialist"])
def test_officers_of_another_agency_or_without_the_permission_are_refused_and_nothing_changes(
    world, officers, clock, who
):
    feedback = submit(agency=world["justice"])
    before = Feedback.objects.filter(pk=feedback.pk).values().get()

    with pytest.raises(PermissionDenied):
        answer_feedback(by=officers[who], feedback=feedback, answer="Trả lời", publish=True)

    assert Feedback.objects.filter(pk=feedback.pk).values().get() == before
    assert not OutboxMessage.objects.exists()


def test_an_empty_answer_is_a_field_error_and_a_second_answer_a_conflict(world, officers, clock):
    feedback = submit(agency=world["justice"])
    with pytest.raises(ValidationFailed) as exc:
        answer_feedback(by=officers["desk"], feedback=feedback, answer="  ")
    assert exc.value.errors[0].field == "answer"

    answer_feedback(by=officers["desk"], feedback=feedback, answer="Lần một")
    with pytest.raises(Conflict):
        answer_feedback(by=officers["desk"], feedback=feedback, answer="Lần hai")
    assert Feedback.objects.get().answer == "Lần một"


def test_publication_shows_it_publicly_and_unpublished_stays_hidden(client, world, officers, clock):
    shown = submit(agency=world["justice"], title="Công khai")
    hidden = submit(agency=world["justice"], title="Riêng tư")
    unanswered = submit(agency=world["justice"], title="Chưa trả lời")
    answer_feedback(by=officers["desk"], feedback=shown, answer="Trả lời công khai", publish=True)
    answer_feedback(by=officers["desk"], feedback=hidden, answer="Trả lời riêng")

    api = client.get("/api/v1/feedback/published").json()
    page = client.get("/phan-anh/cong-khai/").content.decode()

    assert [i["code"] for i in api["items"]] == [shown.code]
    assert "Trả lời công khai" in page
    assert "Riêng tư" not in page and unanswered.title not in page and "Trần Thị Bình" not in page

    set_published(by=officers["leader"], feedback=hidden, published=True)
    set_published(by=officers["desk"], feedback=shown, published=False)
    assert [i["code"] for i in client.get("/api/v1/feedback/published").json()["items"]] == [hidden.code]


def test_an_unanswered_feedback_cannot_be_published(world, officers, clock):
    feedback = submit(agency=world["justice"])

    with pytest.raises(Conflict):
        set_published(by=officers["desk"], feedback=feedback, published=True)
    assert Feedback.objects.get().published is False


def test_the_public_list_pages_by_keyset(client, world, officers, clock):
    items = []
    for minute in range(3):
        clock.now = MONDAY_9.replace(minute=minute)
        f = submit(agency=world["justice"])
        items.append(answer_feedback(by=officers["desk"], feedback=f, answer="Trả lời", publish=True).code)

    first = client.get("/api/v1/feedback/published?limit=2").json()
    second = client.get(f"/api/v1/feedback/published?limit=2&after={first['next']}").json()

    assert [i["code"] for i in first["items"]] == items[::-1][:2]
    assert [i["code"] for i in second["items"]] == items[:1]
    assert second["next"] is None


# --- pages ----------------------------------------------------------------------------------


def test_the_form_shows_each_error_next_to_its_field_with_a_summary(client, world, clock):
    response = client.post("/phan-anh/", {"sender_name": "", "title": "", "content": "", "phone": "", "email": ""})

    html = response.content.decode()
    assert response.status_code == 422
    assert 'class="usa-alert usa-alert--error error-summary"' in html
    assert "Phản ánh chưa được gửi. Vui lòng sửa các lỗi dưới đây." in html
    for field, message in [
        ("sender_name", "Nhập họ và tên người gửi."),
        ("title", "Nhập tiêu đề phản ánh, kiến nghị."),
        ("content", "Nhập nội dung phản ánh, kiến nghị."),
        ("contact", "Nhập số điện thoại di động hoặc thư điện tử để nhận trả lời."),
    ]:
        error = f'<p class="usa-error-message" id="{field}-error"><span class="usa-sr-only">Lỗi: </span>{message}</p>'
        assert error in html
        assert f'<li><a href="#{field}">{message}</a></li>' in html
    assert not Feedback.objects.exists()


def test_the_form_sends_and_leads_to_the_tracking_page(client, world, clock):
    response = client.post(
        "/phan-anh/",
        {
            "agency": str(world["justice"].pk),
            "sender_name": "An",
            "phone": "0912 345 678",
            "title": "Góp ý",
            "content": "Nội dung",
        },
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain == [("/phan-anh/tra-cuu/?ma=PA-270301-0001", 302)]
    assert "Mã tra cứu: PA-270301-0001" in html
    assert "Đã tiếp nhận" in html


def test_tracking_shows_the_answer_once_answered(client, world, officers, clock):
    feedback = submit(agency=world["justice"])
    assert "Trả lời của" not in client.get(f"/phan-anh/tra-cuu/?ma={feedback.code}").content.decode()

    answer_feedback(by=officers["desk"], feedback=feedback, answer="Nội dung trả lời")
    html = client.get(f"/phan-anh/tra-cuu/?ma={feedback.code.lower()}").content.decode()

    assert "Đã trả lời" in html and "Nội dung trả lời" in html
    assert client.get("/phan-anh/tra-cuu/?ma=PA-000000-0000").status_code == 404


def test_the_officer_answers_through_the_page(client, world, officers, clock):
    feedback = submit(agency=world["justice"])
    client.force_login(officers["desk"])

    empty = client.post(f"/can-bo/phan-anh/{feedback.code}/", {"answer": ""})
    done = client.post(f"/can-bo/phan-anh/{feedback.code}/", {"answer": "Đã xử lý", "publish": "on"})

    assert empty.status_code == 422
    assert (
        '<p class="usa-error-message" id="answer-error"><span class="usa-sr-only">Lỗi: </span>'
        "Nhập nội dung trả lời.</p>"
    ) in empty.content.decode()
    assert done.status_code == 302
    assert Feedback.objects.get().published is True


def test_another_agency_does_not_see_the_feedback(client, world, officers, clock):
    feedback = submit(agency=world["justice"])
    client.force_login(officers["other_desk"])

    assert feedback.code not in client.get("/can-bo/phan-anh/").content.decode()
    assert client.post(f"/can-bo/phan-anh/{feedback.code}/", {"answer": "x"}).status_code == 404
    assert Feedback.objects.get().status == "received"
