"""Tests of the calendar services (every change authorised, validated, audited, version-bumped)
and of the selectors that find the calendar of an organisation."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from egov.audit.models import AuditRecord
from egov.calendar import selectors, services
from egov.calendar.engine import Unit
from egov.calendar.models import CalendarDay, WorkCalendar, WorkSession
from egov.core.errors import NotFound, PermissionDenied, ValidationFailed

VN = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.django_db


def _at(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def _due(calendar: WorkCalendar, start: datetime, amount, unit: Unit = Unit.WORKING_DAYS) -> datetime:
    return selectors.compute_due(calendar, start=start, amount=amount, unit=unit)


def _fresh(calendar: WorkCalendar) -> WorkCalendar:
    """The calendar as another request would read it (not the instance a service refreshed)."""
    return WorkCalendar.objects.get(pk=calendar.pk)


def _state():
    """Everything a calendar service may write, to prove that a refused call wrote nothing."""
    return (
        list(WorkCalendar.objects.order_by("pk").values_list("pk", "name", "weekend", "version")),
        list(WorkSession.objects.order_by("pk").values_list("calendar_id", "start", "end")),
        list(CalendarDay.objects.order_by("pk").values_list("calendar_id", "date", "kind", "note", "source")),
        AuditRecord.objects.count(),
    )


def _last_audit() -> AuditRecord:
    return AuditRecord.objects.order_by("-seq").first()


# --- create_calendar -------------------------------------------------------------------------------


def test_create_calendar_stores_sessions_and_weekend_and_audits(tree, admin_user):
    # Given an administrator of the province
    # When they create a calendar for a department with a province-specific day
    calendar = services.create_calendar(
        by=admin_user,
        organisation=tree["justice"],
        name="Lịch Sở Tư pháp",
        sessions=((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))),
        weekend=(6, 5, 6),
    )

    # Then the calendar, its sessions and an audit record are written
    assert (calendar.name, calendar.weekend, calendar.version, calendar.timezone) == (
        "Lịch Sở Tư pháp",
        [5, 6],
        1,
        "Asia/Ho_Chi_Minh",
    )
    assert list(calendar.sessions.values_list("start", "end")) == [
        (time(7, 0), time(11, 30)),
        (time(13, 30), time(17, 0)),
    ]
    assert CalendarDay.objects.filter(calendar=calendar).count() == 0
    rec = _last_audit()
    assert (rec.action, rec.actor, rec.target_type, rec.target_id) == (
        "calendar.create",
        admin_user,
        "calendar.workcalendar",
        str(calendar.pk),
    )
    assert rec.before is None
    assert rec.after == {
        "name": "Lịch Sở Tư pháp",
        "sessions": [["07:00:00", "11:30:00"], ["13:30:00", "17:00:00"]],
        "weekend": [5, 6],
    }


def test_create_calendar_with_seed_years_adds_the_statutory_days(tree):
    calendar = services.create_calendar(by=None, organisation=tree["commune"], name="Lịch xã", seed_years=[2026])

    assert CalendarDay.objects.filter(calendar=calendar).count() == 15
    assert _fresh(calendar).version == 2  # created, then bumped once by the seeding
    assert list(
        AuditRecord.objects.filter(target_type="calendar.workcalendar", target_id=str(calendar.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["calendar.create", "calendar.seed_statutory_days"]


@pytest.mark.parametrize(
    "sessions",
    [
        pytest.param((), id="none"),
        pytest.param(((time(11, 30), time(7, 30)),), id="end-before-start"),
        pytest.param(((time(7, 30), time(11, 30)), (time(11, 0), time(17, 0))), id="overlapping"),
        pytest.param(((time(13, 30), time(17, 30)), (time(7, 30), time(11, 30))), id="unsorted"),
        pytest.param((("07:30", "11:30"),), id="text-not-time"),
    ],
)
def test_create_calendar_refuses_bad_sessions_and_writes_nothing(tree, sessions):
    before = _state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_calendar(by=None, organisation=tree["justice"], name="Lịch", sessions=sessions)

    assert [e.field for e in caught.value.errors] == ["sessions"]
    assert _state() == before


def test_create_calendar_refuses_a_weekday_outside_0_to_6(tree):
    before = _state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_calendar(by=None, organisation=tree["justice"], name="Lịch", weekend=(5, 7))

    assert [e.as_dict() for e in caught.value.errors] == [
        {"field": "weekend", "message": "Ngày nghỉ hằng tuần phải từ 0 (thứ Hai) đến 6 (Chủ nhật)."}
    ]
    assert _state() == before


def test_a_second_calendar_for_the_same_organisation_is_refused(calendar, tree):
    before = _state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_calendar(by=None, organisation=tree["province"], name="Lịch thứ hai")

    assert [e.as_dict() for e in caught.value.errors] == [
        {"field": "organisation", "message": "UBND tỉnh Thử Nghiệm đã có lịch làm việc."}
    ]
    assert _state() == before


def test_a_specialist_cannot_create_a_calendar(tree, make_officer):
    specialist = make_officer("specialist", tree["province"])
    before = _state()

    with pytest.raises(PermissionDenied):
        services.create_calendar(by=specialist, organisation=tree["justice"], name="Lịch")

    assert _state() == before


# --- seed_statutory_days ---------------------------------------------------------------------------


def test_seeding_marks_tet_2026_off_and_22_august_2026_a_make_up_working_day(calendar):
    days = {
        d.date: (d.kind, d.source, d.note)
        for d in CalendarDay.objects.filter(calendar=calendar, date__range=(date(2026, 2, 14), date(2026, 2, 22)))
    }
    assert days == {
        date(2026, 2, 16): ("day_off", "statutory", "Giao thừa Tết Nguyên Đán"),
        date(2026, 2, 17): ("day_off", "statutory", "Tết Nguyên Đán"),
        date(2026, 2, 18): ("day_off", "statutory", "Mùng hai Tết Nguyên Đán"),
        date(2026, 2, 19): ("day_off", "statutory", "Mùng ba Tết Nguyên Đán"),
        date(2026, 2, 20): ("day_off", "statutory", "Mùng bốn Tết Nguyên Đán"),
    }
    make_up = CalendarDay.objects.get(calendar=calendar, date=date(2026, 8, 22))
    assert (make_up.kind, make_up.source, make_up.note) == ("working_day", "statutory", "Ngày làm bù")
    # 2025: 13 days off + 26/4 worked; 2026: 14 + 22/8; 2027: 15 days off.
    assert [CalendarDay.objects.filter(calendar=calendar, date__year=y).count() for y in (2025, 2026, 2027)] == [
        14,
        15,
        15,
    ]


def test_seeding_again_adds_nothing_and_writes_no_audit_record(calendar):
    before = _state()

    added = services.seed_statutory_days(by=None, calendar=calendar, years=[2025, 2026, 2027])

    assert added == 0
    assert _state() == before


def test_seeding_leaves_a_day_set_by_an_administrator_alone(calendar, admin_user):
    # Given an administrator decided that Monday 3/1/2028 (the statutory make-up day off for 1/1) is worked
    services.set_day(by=admin_user, calendar=calendar, day=date(2028, 1, 3), kind="working_day", note="Quyết định tỉnh")
    version = _fresh(calendar).version

    # When 2028 is seeded
    added = services.seed_statutory_days(by=admin_user, calendar=calendar, years=[2028])

    # Then the 15 other statutory days are added and the manual day is kept
    assert added == 15
    kept = CalendarDay.objects.get(calendar=calendar, date=date(2028, 1, 3))
    assert (kept.kind, kept.note, kept.source) == ("working_day", "Quyết định tỉnh", "manual")
    assert CalendarDay.objects.filter(calendar=calendar, date__year=2028, source="statutory").count() == 15
    assert _fresh(calendar).version == version + 1
    rec = _last_audit()
    assert (rec.action, rec.actor, rec.before) == ("calendar.seed_statutory_days", admin_user, None)
    assert rec.after["years"] == [2028]
    assert rec.after["added"][:3] == [["2028-01-01", "day_off"], ["2028-01-24", "day_off"], ["2028-01-25", "day_off"]]
    assert len(rec.after["added"]) == 15


@pytest.mark.parametrize("years", [[1990], [2026, 2101], []], ids=["1990", "2101", "none"])
def test_seeding_refuses_years_out_of_range(calendar, years):
    before = _state()

    with pytest.raises(ValidationFailed) as caught:
        services.seed_statutory_days(by=None, calendar=calendar, years=years)

    assert [e.as_dict() for e in caught.value.errors] == [
        {"field": "years", "message": "Năm phải trong khoảng 2000–2100."}
    ]
    assert _state() == before


# --- set_day / remove_day --------------------------------------------------------------------------


def test_adding_a_day_off_moves_the_due_date_and_is_audited(calendar, admin_user):
    # Given a due date computed (and cached) before the change: Mon 2/3/2026 08:00 + 1 working day
    start = _at(2026, 3, 2, 8)
    assert _due(calendar, start, 1) == _at(2026, 3, 3, 8)
    version = calendar.version

    # When Tuesday 3/3 becomes a day off
    row = services.set_day(by=admin_user, calendar=calendar, day=date(2026, 3, 3), kind="day_off", note="Nghỉ đột xuất")

    # Then the calendar version is bumped, so a fresh read computes Wednesday
    assert (row.kind, row.note, row.source) == ("day_off", "Nghỉ đột xuất", "manual")
    assert _fresh(calendar).version == version + 1
    assert _due(_fresh(calendar), start, 1) == _at(2026, 3, 4, 8)
    rec = _last_audit()
    assert (rec.action, rec.actor, rec.target_id) == ("calendar.set_day", admin_user, str(calendar.pk))
    assert rec.before is None
    assert rec.after == {"date": "2026-03-03", "kind": "day_off", "note": "Nghỉ đột xuất", "source": "manual"}


def test_turning_a_statutory_day_off_into_a_working_day_records_before_and_after(calendar, admin_user):
    # Fri 13/2/2026 15:00 + 1 working day runs over Tết to Mon 23/2
    start = _at(2026, 2, 13, 15)
    assert _due(calendar, start, 1) == _at(2026, 2, 23, 15)

    services.set_day(by=admin_user, calendar=calendar, day=date(2026, 2, 20), kind="working_day", note="Làm bù")

    assert _due(_fresh(calendar), start, 1) == _at(2026, 2, 20, 15)
    assert CalendarDay.objects.filter(calendar=calendar, date=date(2026, 2, 20)).count() == 1
    rec = _last_audit()
    assert rec.before == {
        "date": "2026-02-20",
        "kind": "day_off",
        "note": "Mùng bốn Tết Nguyên Đán",
        "source": "statutory",
    }
    assert rec.after == {"date": "2026-02-20", "kind": "working_day", "note": "Làm bù", "source": "manual"}


def test_removing_a_make_up_working_day_moves_the_due_date_and_is_audited(calendar, admin_user):
    # Fri 21/8/2026 15:00 + 1 working day lands on the make-up Saturday 22/8
    start = _at(2026, 8, 21, 15)
    assert _due(calendar, start, 1) == _at(2026, 8, 22, 15)
    version = calendar.version

    services.remove_day(by=admin_user, calendar=calendar, day=date(2026, 8, 22))

    assert not CalendarDay.objects.filter(calendar=calendar, date=date(2026, 8, 22)).exists()
    assert _fresh(calendar).version == version + 1
    assert _due(_fresh(calendar), start, 1) == _at(2026, 8, 24, 15)
    rec = _last_audit()
    assert (rec.action, rec.actor, rec.after) == ("calendar.remove_day", admin_user, None)
    assert rec.before == {"date": "2026-08-22", "kind": "working_day", "note": "Ngày làm bù", "source": "statutory"}


def test_removing_a_day_that_is_not_listed_is_not_found_and_writes_nothing(calendar, admin_user):
    before = _state()

    with pytest.raises(NotFound) as caught:
        services.remove_day(by=admin_user, calendar=calendar, day=date(2026, 3, 3))

    assert caught.value.message == "Ngày 03/03/2026 không có trong danh sách ngày nghỉ / làm bù."
    assert _state() == before


@pytest.mark.parametrize(
    ("day", "kind", "note", "fields"),
    [
        pytest.param(date(1990, 1, 2), "day_off", "", ["date"], id="year-1990"),
        pytest.param(date(2101, 1, 3), "day_off", "", ["date"], id="year-2101"),
        pytest.param(date(2026, 3, 3), "x", "", ["kind"], id="kind-x"),
        pytest.param(date(2026, 3, 3), "statutory", "", ["kind"], id="kind-is-a-source"),
        pytest.param(date(2026, 3, 3), "day_off", "a" * 201, ["note"], id="note-201"),
        pytest.param(date(1990, 1, 2), "x", "a" * 201, ["kind", "date", "note"], id="all-three"),
    ],
)
def test_set_day_refuses_bad_input_naming_the_field_and_writes_nothing(calendar, admin_user, day, kind, note, fields):
    before = _state()

    with pytest.raises(ValidationFailed) as caught:
        services.set_day(by=admin_user, calendar=calendar, day=day, kind=kind, note=note)

    assert [e.field for e in caught.value.errors] == fields
    assert _state() == before


def test_set_day_messages_are_vietnamese(calendar, admin_user):
    with pytest.raises(ValidationFailed) as caught:
        services.set_day(by=admin_user, calendar=calendar, day=date(1990, 1, 2), kind="x", note="a" * 201)

    assert [e.as_dict() for e in caught.value.errors] == [
        {"field": "kind", "message": "Loại ngày phải là 'day_off' hoặc 'working_day'."},
        {"field": "date", "message": "Ngày phải trong khoảng năm 2000–2100."},
        {"field": "note", "message": "Ghi chú tối đa 200 ký tự."},
    ]
    assert caught.value.message == "Dữ liệu không hợp lệ."


def test_a_note_of_exactly_200_characters_is_accepted(calendar, admin_user):
    row = services.set_day(by=admin_user, calendar=calendar, day=date(2026, 3, 3), kind="day_off", note="ê" * 200)

    assert CalendarDay.objects.get(pk=row.pk).note == "ê" * 200


@pytest.mark.parametrize("role", ["specialist", "unit_head", "agency_leader", "evaluator"])
def test_only_a_calendar_manager_may_change_days(calendar, tree, make_officer, role):
    officer = make_officer(role, tree["province"])
    before = _state()

    with pytest.raises(PermissionDenied) as caught:
        services.set_day(by=officer, calendar=calendar, day=date(2026, 3, 3), kind="day_off")
    with pytest.raises(PermissionDenied):
        services.remove_day(by=officer, calendar=calendar, day=date(2026, 2, 16))

    assert caught.value.message == "Bạn không có quyền: quản lý lịch làm việc, ngày nghỉ, ngày làm bù."
    assert _state() == before


def test_an_administrator_of_a_department_cannot_change_the_province_calendar(calendar, tree, make_officer):
    department_admin = make_officer("administrator", tree["justice"])
    before = _state()

    with pytest.raises(PermissionDenied):
        services.set_day(by=department_admin, calendar=calendar, day=date(2026, 3, 3), kind="day_off")

    assert _state() == before


# --- set_sessions ----------------------------------------------------------------------------------


def test_set_sessions_changes_the_due_time_and_is_audited(calendar, admin_user):
    # Mon 2/3/2026 07:00 + 4 working hours: the day starts at 07:30, so 11:30
    start = _at(2026, 3, 2, 7)
    assert _due(calendar, start, 4, Unit.WORKING_HOURS) == _at(2026, 3, 2, 11, 30)
    version = calendar.version

    services.set_sessions(
        by=admin_user, calendar=calendar, sessions=[(time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))]
    )

    assert _fresh(calendar).version == version + 1
    assert list(calendar.sessions.values_list("start", "end")) == [
        (time(7, 0), time(11, 30)),
        (time(13, 30), time(17, 0)),
    ]
    assert _due(_fresh(calendar), start, 4, Unit.WORKING_HOURS) == _at(2026, 3, 2, 11)
    rec = _last_audit()
    assert (rec.action, rec.actor) == ("calendar.set_sessions", admin_user)
    assert rec.before == {"sessions": [["07:30:00", "11:30:00"], ["13:30:00", "17:30:00"]]}
    assert rec.after == {"sessions": [["07:00:00", "11:30:00"], ["13:30:00", "17:00:00"]]}


def test_set_sessions_refuses_overlapping_sessions_and_writes_nothing(calendar, admin_user):
    before = _state()

    with pytest.raises(ValidationFailed) as caught:
        services.set_sessions(
            by=admin_user, calendar=calendar, sessions=[(time(7, 30), time(12, 0)), (time(11, 0), time(17, 0))]
        )

    assert [e.field for e in caught.value.errors] == ["sessions"]
    assert _state() == before


@pytest.mark.parametrize(
    ("sessions", "messages"),
    [
        pytest.param((), ["Cần ít nhất một buổi làm việc."], id="none"),
        pytest.param(
            ((time(11, 30), time(7, 30)),),
            ["Buổi 11:30–07:30: giờ kết thúc phải sau giờ bắt đầu."],
            id="end-before-start",
        ),
        pytest.param(
            ((time(7, 30), time(7, 30)),),
            ["Buổi 07:30–07:30: giờ kết thúc phải sau giờ bắt đầu."],
            id="empty-session",
        ),
        pytest.param(
            ((time(7, 30), time(12, 0)), (time(11, 0), time(17, 0))),
            ["Buổi 07:30–12:00 và buổi 11:00–17:00 chồng lên nhau."],
            id="overlapping",
        ),
        pytest.param(
            ((time(13, 30), time(17, 30)), (time(7, 30), time(11, 30))),
            ["Các buổi phải theo thứ tự trong ngày: buổi 07:30–11:30 phải đứng trước buổi 13:30–17:30."],
            id="unsorted",
        ),
        pytest.param(
            ((time(7, 30, 15), time(11, 30)), (time(11, 0), time(17, 0))),
            ["Buổi 07:30:15–11:30 và buổi 11:00–17:00 chồng lên nhau."],
            id="seconds-are-shown",
        ),
        pytest.param(
            (("07:30", "11:30"), (time(13, 30), time(17, 30))),
            ["Buổi thứ 1: cần giờ bắt đầu và giờ kết thúc (dạng HH:MM)."],
            id="text-not-time",
        ),
        pytest.param(
            ((time(7, 30, tzinfo=VN), time(11, 30, tzinfo=VN)),),
            ["Buổi thứ 1: giờ không kèm múi giờ (lịch đã có múi giờ của nó)."],
            id="with-a-zone",
        ),
        pytest.param(
            ((time(7, 30),), (time(11, 30), time(7, 30))),
            [
                "Buổi thứ 1: cần giờ bắt đầu và giờ kết thúc (dạng HH:MM).",
                "Buổi 11:30–07:30: giờ kết thúc phải sau giờ bắt đầu.",
            ],
            id="every-bad-session-is-named",
        ),
    ],
)
def test_set_sessions_explains_in_vietnamese_and_writes_nothing(calendar, admin_user, sessions, messages):
    before = _state()

    with pytest.raises(ValidationFailed) as caught:
        services.set_sessions(by=admin_user, calendar=calendar, sessions=sessions)

    assert [(e.field, e.message) for e in caught.value.errors] == [("sessions", m) for m in messages]
    assert _state() == before


def test_touching_sessions_are_allowed(calendar, admin_user):
    # 07:30-11:30 then 11:30-15:30: no break, no overlap
    services.set_sessions(
        by=admin_user, calendar=calendar, sessions=[(time(7, 30), time(11, 30)), (time(11, 30), time(15, 30))]
    )
    assert list(calendar.sessions.values_list("start", "end")) == [
        (time(7, 30), time(11, 30)),
        (time(11, 30), time(15, 30)),
    ]


@pytest.mark.parametrize("role", ["evaluator", "specialist", "agency_leader"])
def test_set_sessions_is_refused_without_calendar_manage_and_writes_nothing(calendar, tree, make_officer, role):
    officer = make_officer(role, tree["province"])
    before = _state()

    with pytest.raises(PermissionDenied):
        services.set_sessions(by=officer, calendar=calendar, sessions=[(time(7, 0), time(11, 0))])

    assert _state() == before


# --- selectors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["justice", "justice_div", "justice_desk", "commune", "province"])
def test_an_organisation_without_its_own_calendar_uses_the_province_calendar(calendar, tree, unit):
    assert selectors.calendar_for(tree[unit]).pk == calendar.pk


def test_the_nearest_calendar_up_the_tree_wins(calendar, tree):
    commune_calendar = services.create_calendar(by=None, organisation=tree["commune"], name="Lịch xã")

    assert selectors.calendar_for(tree["commune"]).pk == commune_calendar.pk
    assert selectors.calendar_for(tree["justice"]).pk == calendar.pk
    assert selectors.default_calendar().pk == calendar.pk


def test_an_organisation_outside_any_calendar_is_not_found(calendar):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation

    elsewhere = create_organisation(by=None, parent=None, name="UBND tỉnh Chưa Có Lịch", kind=Kind.PROVINCE, code="H96")
    department = create_organisation(by=None, parent=elsewhere, name="Sở Y tế", kind=Kind.DEPARTMENT, code="H96.101")

    for org in (elsewhere, department):
        with pytest.raises(NotFound) as caught:
            selectors.calendar_for(org)
        assert caught.value.message == f"Chưa cấu hình lịch làm việc cho {org.name}."


def test_without_any_calendar_there_is_no_default(tree):
    with pytest.raises(NotFound) as caught:
        selectors.default_calendar()

    assert caught.value.message == "Chưa cấu hình lịch làm việc."
