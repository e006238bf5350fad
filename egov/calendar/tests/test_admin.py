"""Tests of the back-office screens of the calendar: every change goes through the services."""

from __future__ import annotations

from datetime import date

import pytest

from egov.audit.models import AuditRecord
from egov.calendar.models import CalendarDay, WorkCalendar

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/calendar/calendarday/add/"
LIST_URL = "/admin/calendar/calendarday/"


def _state():
    return (
        list(WorkCalendar.objects.order_by("pk").values_list("pk", "version")),
        list(CalendarDay.objects.order_by("pk").values_list("calendar_id", "date", "kind", "note", "source")),
        AuditRecord.objects.count(),
    )


def _version(calendar) -> int:
    return WorkCalendar.objects.get(pk=calendar.pk).version


def test_an_administrator_adds_a_day_off_through_the_service(client, calendar, admin_user):
    # Given an administrator of the province signed in to the back office
    client.force_login(admin_user)
    version, audits = _version(calendar), AuditRecord.objects.count()

    # When they add Tuesday 3/3/2026 as a day off
    response = client.post(
        ADD_URL, {"calendar": calendar.pk, "date": "2026-03-03", "kind": "day_off", "note": "Nghỉ đột xuất"}
    )

    # Then the day is stored as a manual day, with one audit record and one version bump
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    row = CalendarDay.objects.get(calendar=calendar, date=date(2026, 3, 3))
    assert (row.kind, row.note, row.source) == ("day_off", "Nghỉ đột xuất", "manual")
    assert _version(calendar) == version + 1  # the validating dry run left no trace
    assert AuditRecord.objects.count() == audits + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.actor, rec.channel, rec.before) == ("calendar.set_day", admin_user, "web", None)
    assert rec.after == {"date": "2026-03-03", "kind": "day_off", "note": "Nghỉ đột xuất", "source": "manual"}


def test_an_administrator_changes_a_statutory_day_through_the_service(client, calendar, admin_user):
    client.force_login(admin_user)
    row = CalendarDay.objects.get(calendar=calendar, date=date(2026, 2, 20))
    version = _version(calendar)

    response = client.post(f"{LIST_URL}{row.pk}/change/", {"kind": "working_day", "note": "Làm bù"})

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.date, row.kind, row.note, row.source) == (date(2026, 2, 20), "working_day", "Làm bù", "manual")
    assert _version(calendar) == version + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "calendar.set_day"
    assert rec.before == {
        "date": "2026-02-20",
        "kind": "day_off",
        "note": "Mùng bốn Tết Nguyên Đán",
        "source": "statutory",
    }


def test_an_administrator_deletes_a_day_through_the_service(client, calendar, admin_user):
    client.force_login(admin_user)
    row = CalendarDay.objects.get(calendar=calendar, date=date(2026, 8, 22))
    version = _version(calendar)

    response = client.post(f"{LIST_URL}{row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=row.pk).exists()
    assert _version(calendar) == version + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.after) == ("calendar.remove_day", None)
    assert rec.before == {"date": "2026-08-22", "kind": "working_day", "note": "Ngày làm bù", "source": "statutory"}


def test_a_day_the_service_refuses_is_shown_on_the_form_and_nothing_is_written(client, calendar, admin_user):
    client.force_login(admin_user)
    before = _state()

    response = client.post(ADD_URL, {"calendar": calendar.pk, "date": "1990-03-03", "kind": "day_off", "note": ""})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"date": ["Ngày phải trong khoảng năm 2000–2100."]}
    assert [str(m) for m in response.context["messages"]] == []
    assert _state() == before


def test_an_administrator_is_offered_only_the_calendars_they_manage(client, calendar, tree, admin_user, other_province):
    client.force_login(admin_user)
    other = WorkCalendar.objects.get(organisation=other_province)
    before = _state()

    form_page = client.get(ADD_URL)
    response = client.post(ADD_URL, {"calendar": other.pk, "date": "2026-03-03", "kind": "day_off", "note": ""})

    assert list(form_page.context["adminform"].form.fields["calendar"].queryset) == [calendar]
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["calendar"]
    assert _state() == before


def test_a_specialist_cannot_reach_the_calendar_admin(client, calendar, tree, make_officer):
    # Specialists are not back-office staff: the admin sends them to sign in
    client.force_login(make_officer("specialist", tree["province"]))
    before = _state()

    page = client.get(ADD_URL)
    response = client.post(ADD_URL, {"calendar": calendar.pk, "date": "2026-03-03", "kind": "day_off", "note": ""})

    assert (page.status_code, page["Location"]) == (302, f"/admin/login/?next={ADD_URL}")
    assert response.status_code == 302
    assert _state() == before


def test_staff_without_calendar_manage_cannot_add(client, calendar, tree, make_officer):
    # An evaluator is back-office staff but may not manage the calendar
    client.force_login(make_officer("evaluator", tree["province"]))
    before = _state()

    listing = client.get(LIST_URL)
    page = client.get(ADD_URL)
    response = client.post(ADD_URL, {"calendar": calendar.pk, "date": "2026-03-03", "kind": "day_off", "note": ""})

    assert listing.status_code == 200  # they may look
    assert (page.status_code, response.status_code) == (403, 403)
    assert _state() == before


# --- working sessions on the calendar's change page ------------------------------------------------


def _calendar_url(calendar) -> str:
    return f"/admin/calendar/workcalendar/{calendar.pk}/change/"


def _sessions(calendar) -> list[tuple]:
    from egov.calendar.models import WorkSession

    return list(WorkSession.objects.filter(calendar=calendar).order_by("start").values_list("start", "end"))


def _sessions_state():
    from egov.calendar.models import WorkSession

    return (_state(), list(WorkSession.objects.order_by("pk").values_list("calendar_id", "start", "end")))


def test_the_change_page_shows_the_sessions_as_text(client, calendar, admin_user):
    client.force_login(admin_user)

    page = client.get(_calendar_url(calendar))
    listing = client.get("/admin/calendar/workcalendar/")

    assert page.status_code == 200
    form = page.context["adminform"].form
    assert list(form.fields) == ["working_sessions"]
    assert form["working_sessions"].value() == "07:30-11:30, 13:30-17:30"
    assert "07:30-11:30, 13:30-17:30" in listing.content.decode()  # a column of the list too


def test_an_administrator_changes_the_sessions_through_the_service(client, calendar, admin_user):
    from datetime import time

    client.force_login(admin_user)
    version, audits = _version(calendar), AuditRecord.objects.count()

    response = client.post(_calendar_url(calendar), {"working_sessions": "07:00-11:30; 13:30 – 17:00"})

    assert response.status_code == 302
    assert _sessions(calendar) == [(time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))]
    assert _version(calendar) == version + 1  # the validating dry run left no trace
    assert AuditRecord.objects.count() == audits + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.actor, rec.channel) == ("calendar.set_sessions", admin_user, "web")
    assert rec.after == {"sessions": [["07:00:00", "11:30:00"], ["13:30:00", "17:00:00"]]}


def test_saving_the_same_sessions_writes_nothing(client, calendar, admin_user):
    client.force_login(admin_user)
    before = _sessions_state()

    response = client.post(_calendar_url(calendar), {"working_sessions": " 7:30-11:30 , 13:30-17:30 "})

    assert response.status_code == 302
    assert _sessions_state() == before


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        pytest.param(
            "7h30-11h30",
            ["Không đọc được “7h30-11h30”: mỗi buổi ghi dạng 07:30-11:30."],
            id="unreadable",
        ),
        pytest.param("25:00-26:00", ["“25:00-26:00” không phải giờ trong ngày (00:00 đến 23:59)."], id="not-a-time"),
        pytest.param(
            "07:30-12:00, 11:00-17:00",
            ["Buổi 07:30–12:00 và buổi 11:00–17:00 chồng lên nhau."],
            id="overlapping",
        ),
        pytest.param("11:30-07:30", ["Buổi 11:30–07:30: giờ kết thúc phải sau giờ bắt đầu."], id="end-before-start"),
        pytest.param(
            "13:30-17:30, 07:30-11:30",
            ["Các buổi phải theo thứ tự trong ngày: buổi 07:30–11:30 phải đứng trước buổi 13:30–17:30."],
            id="unsorted",
        ),
        pytest.param("", ["Cần ít nhất một buổi làm việc."], id="empty"),
    ],
)
def test_sessions_the_service_refuses_are_shown_on_the_field_and_nothing_is_written(
    client, calendar, admin_user, text, errors
):
    client.force_login(admin_user)
    before = _sessions_state()

    response = client.post(_calendar_url(calendar), {"working_sessions": text})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"working_sessions": errors}
    assert [str(m) for m in response.context["messages"]] == []
    assert _sessions_state() == before


def test_an_evaluator_sees_the_sessions_but_cannot_change_them(client, calendar, tree, make_officer):
    client.force_login(make_officer("evaluator", tree["province"]))
    before = _sessions_state()

    page = client.get(_calendar_url(calendar))
    response = client.post(_calendar_url(calendar), {"working_sessions": "07:00-11:00"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert "07:30-11:30, 13:30-17:30" in page.content.decode()
    assert response.status_code == 403
    assert _sessions_state() == before


def test_an_administrator_of_another_province_cannot_change_these_sessions(
    client, calendar, make_officer, other_province
):
    from datetime import time

    client.force_login(make_officer("administrator", other_province))
    own = WorkCalendar.objects.get(organisation=other_province)

    refused = client.post(_calendar_url(calendar), {"working_sessions": "07:00-11:00"})
    allowed = client.post(_calendar_url(own), {"working_sessions": "07:00-11:00"})

    assert (refused.status_code, refused["Location"]) == (302, "/admin/")  # not in their list: "does not exist"
    assert _sessions(calendar) == [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 30))]
    assert allowed.status_code == 302
    assert _sessions(own) == [(time(7, 0), time(11, 0))]


def test_calendars_are_not_added_in_the_back_office(client, calendar, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/calendar/workcalendar/add/").status_code == 403


def test_the_calendar_list_shows_only_the_calendars_an_officer_may_open(
    client, calendar, tree, make_officer, other_province
):
    client.force_login(make_officer("administrator", other_province))

    listing = client.get("/admin/calendar/workcalendar/")

    assert [c.organisation.code for c in listing.context["cl"].result_list] == ["H97"]
