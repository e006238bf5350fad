"""Tests of the calendar API: deadlines, working time, and the administrators' days off."""

from __future__ import annotations

from datetime import date, time
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.audit.models import AuditRecord
from egov.calendar import services
from egov.calendar.models import CalendarDay, WorkCalendar

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due"
ELAPSED = "/api/v1/calendar/elapsed"
DAYS = "/api/v1/calendar/days"


def _field_error(field: str, message: str) -> dict:
    return {"code": "validation_error", "message": message, "errors": [{"field": field, "message": message}]}


def _state():
    return (
        list(WorkCalendar.objects.order_by("pk").values_list("pk", "version")),
        list(CalendarDay.objects.order_by("pk").values_list("calendar_id", "date", "kind", "note", "source")),
        AuditRecord.objects.count(),
    )


def _due(client, **params) -> dict:
    response = client.get(DUE, params)
    assert response.status_code == 200, response.content
    return response.json()


# --- GET /calendar/due -----------------------------------------------------------------------------


def test_due_the_documented_example_typed_into_a_url(client, calendar):
    # "+" is not escaped, as when the address is typed by hand: it reaches Django as a space
    response = client.get(f"{DUE}?start=2026-02-13T15:00:00+07:00&amount=1&unit=working_days")

    assert response.status_code == 200
    assert response.json() == {"due_at": "2026-02-23T15:00:00+07:00"}


def test_due_the_documented_example_url_encoded(client, calendar):
    # Friday before Tết 15:00 + 1 working day: Tết runs Sat 14/2 to Sun 22/2, so Monday 23/2 15:00
    assert _due(client, start="2026-02-13T15:00:00+07:00", amount="1", unit="working_days") == {
        "due_at": "2026-02-23T15:00:00+07:00"
    }


@pytest.mark.parametrize(
    ("start", "amount", "unit", "due_at"),
    [
        # 2.5 h left on Friday, 1.5 h on Monday after Tết
        ("2026-02-13T15:00:00+07:00", "4", "working_hours", "2026-02-23T09:00:00+07:00"),
        # 08:00-11:30 is 3.5 h, the afternoon 4 h, the last half hour on Tuesday; a UTC start
        ("2026-03-02T01:00:00Z", "8", "working_hours", "2026-03-03T08:00:00+07:00"),
        # half a working day is 4 working hours, over the lunch break
        ("2026-03-02T08:00:00+07:00", "0.5", "working_days", "2026-03-02T14:00:00+07:00"),
        # received on a Saturday evening: the clock starts on Monday 07:30
        ("2026-03-07T19:00:00+07:00", "1", "working_days", "2026-03-09T17:30:00+07:00"),
        # Saturday 22/8/2026 is a make-up working day
        ("2026-08-21T15:00:00+07:00", "1", "working_days", "2026-08-22T15:00:00+07:00"),
        # Sunday 26/4/2026 is Giỗ Tổ, Monday 27/4 its day in lieu: the due date moves to Tuesday
        ("2026-04-24T10:00:00+07:00", "2", "calendar_days", "2026-04-28T10:00:00+07:00"),
        # a calendar-day deadline keeps the clock time, even at night
        ("2026-03-02T21:15:00+07:00", "3", "calendar_days", "2026-03-05T21:15:00+07:00"),
        # zero: the next working moment
        ("2026-02-14T09:00:00+07:00", "0", "working_hours", "2026-02-23T07:30:00+07:00"),
    ],
)
def test_due_examples(client, calendar, start, amount, unit, due_at):
    assert _due(client, start=start, amount=amount, unit=unit) == {"due_at": due_at}


@pytest.fixture
def commune_calendar(calendar, tree):
    """The commune keeps its own hours: 07:00-11:30 and 13:30-17:00."""
    return services.create_calendar(
        by=None,
        organisation=tree["commune"],
        name="Lịch xã",
        sessions=((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))),
    )


@pytest.mark.parametrize(
    ("agency", "due_at"),
    [
        (None, "2026-03-02T11:30:00+07:00"),  # the province's calendar
        ("H98.301", "2026-03-02T11:00:00+07:00"),  # the commune, QĐ 20/2020 code
        ("000.00.61.H98", "2026-03-02T11:00:00+07:00"),  # the commune, QCVN 102:2016 code
        ("H98.101.02", "2026-03-02T11:30:00+07:00"),  # a division: its province's calendar
        ("002.00.01.H98", "2026-03-02T11:30:00+07:00"),
    ],
)
def test_due_uses_the_calendar_of_the_agency_given_by_either_code(client, commune_calendar, agency, due_at):
    params = {"start": "2026-03-02T07:00:00+07:00", "amount": "4", "unit": "working_hours"}
    if agency:
        params["agency"] = agency

    assert _due(client, **params) == {"due_at": due_at}


# Any text, and ISO moments of any year: naive, in Vietnam, and at the far west of the world.
_MOMENTS = st.one_of(
    st.text(max_size=30),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "+07:00"),
    st.datetimes().map(lambda d: d.isoformat() + "-12:00"),
    st.sampled_from(["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-12:00", "2026-03-02T08:00:00 07:00"]),
)
OK = {"start": "2026-03-02T08:00:00+07:00", "amount": "1", "unit": "working_days"}
DATETIME_FORMAT = "Thời điểm không hợp lệ (định dạng ISO 8601, ví dụ 2026-03-02T08:00:00+07:00)."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"start": "2026-03-02T08:00:00"},
            "start",
            "Thời điểm phải có múi giờ (ví dụ 2026-03-02T08:00:00+07:00).",
            id="naive-start",
        ),
        pytest.param({"start": "02/03/2026 08:00"}, "start", DATETIME_FORMAT, id="malformed-start"),
        pytest.param({"start": "2026-02-30T08:00:00+07:00"}, "start", DATETIME_FORMAT, id="30-february"),
        pytest.param({"start": ""}, "start", DATETIME_FORMAT, id="empty-start"),
        pytest.param(
            {"start": "0001-01-01T00:00:00+07:00"},
            "start",
            "Thời điểm phải trong khoảng năm 2000–2100.",
            id="start-year-1",
        ),
        pytest.param(
            {"start": "9999-12-31T20:00:00-07:00"},
            "start",
            "Thời điểm phải trong khoảng năm 2000–2100.",
            id="start-year-9999",
        ),
        pytest.param({"amount": "-1"}, "amount", "Phải lớn hơn hoặc bằng 0.", id="negative-amount"),
        pytest.param({"amount": "100001"}, "amount", "Phải nhỏ hơn hoặc bằng 100000.", id="huge-amount"),
        pytest.param({"amount": "một"}, "amount", "Phải là số.", id="amount-not-a-number"),
        pytest.param({"amount": "NaN"}, "amount", "Phải là một số hữu hạn.", id="amount-nan"),
        pytest.param({"amount": "Infinity"}, "amount", "Phải là một số hữu hạn.", id="amount-infinity"),
        pytest.param(
            {"unit": "weeks"},
            "unit",
            "Giá trị phải là một trong: 'working_days', 'working_hours' hoặc 'calendar_days'.",
            id="unknown-unit",
        ),
        pytest.param(
            {"unit": "calendar_days", "amount": "1.5"},
            "amount",
            "Số ngày theo lịch phải là số nguyên.",
            id="fractional-calendar-days",
        ),
        pytest.param(
            {"agency": "H00.999"},
            "agency",
            "Không tìm thấy cơ quan có mã định danh 'H00.999'.",
            id="unknown-agency",
        ),
    ],
)
def test_due_errors_are_422_in_vietnamese_naming_the_field(client, calendar, changes, field, message):
    response = client.get(DUE, {**OK, **changes})

    assert response.status_code == 422
    assert response.json() == _field_error(field, message)


def test_due_on_a_calendar_without_any_working_day_is_422(client, calendar, tree):
    # A misconfigured calendar: every day of the week is off
    services.create_calendar(by=None, organisation=tree["commune"], name="Lịch sai", weekend=range(7))

    response = client.get(DUE, {**OK, "agency": "H98.301"})

    assert response.status_code == 422
    assert response.json() == _field_error("amount", "Không tính được hạn: không có ngày làm việc trong phạm vi.")


def test_due_lists_every_missing_parameter(client, calendar):
    response = client.get(DUE)

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Dữ liệu không hợp lệ.",
        "errors": [
            {"field": "start", "message": "Thiếu trường bắt buộc."},
            {"field": "amount", "message": "Thiếu trường bắt buộc."},
            {"field": "unit", "message": "Thiếu trường bắt buộc."},
        ],
    }


def test_due_for_an_agency_outside_any_calendar_is_not_found(client, calendar):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation

    create_organisation(by=None, parent=None, name="UBND tỉnh Chưa Có Lịch", kind=Kind.PROVINCE, code="H96")

    response = client.get(DUE, {**OK, "agency": "H96"})

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Chưa cấu hình lịch làm việc cho UBND tỉnh Chưa Có Lịch.",
    }


def test_due_without_any_calendar_is_not_found(client, tree):
    response = client.get(DUE, OK)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Chưa cấu hình lịch làm việc."}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=_MOMENTS,
    amount=st.one_of(st.text(max_size=12), st.decimals(allow_nan=True, allow_infinity=True).map(str)),
    unit=st.sampled_from(["working_days", "working_hours", "calendar_days", "days", ""]),
)
def test_due_never_answers_500(client, calendar, start, amount, unit):
    response = client.get(DUE, {"start": start, "amount": amount, "unit": unit})

    # 400: text the platform cannot store (a NUL character), refused by egov.core's BadInputMiddleware
    # before the API sees it, with its Vietnamese message.
    assert response.status_code in (200, 400, 422), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "bad_request"


# --- GET /calendar/elapsed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours", "seconds"),
    [
        # Friday afternoon before Tết to the same time after it: 2.5 h + 5.5 h
        ("2026-02-13T15:00:00+07:00", "2026-02-23T15:00:00+07:00", 8.0, 28800),
        # a morning: only 07:30-11:30 counts
        ("2026-03-02T07:00:00+07:00", "2026-03-02T12:00:00+07:00", 4.0, 14400),
        # a whole week: five days of 8 h
        ("2026-03-02T00:00:00+07:00", "2026-03-09T00:00:00+07:00", 40.0, 144000),
        # a quarter of an hour, given in UTC
        ("2026-03-02T01:00:00Z", "2026-03-02T01:15:00Z", 0.25, 900),
        # the same moment twice
        ("2026-03-02T09:00:00+07:00", "2026-03-02T09:00:00+07:00", 0.0, 0),
    ],
)
def test_elapsed_examples(client, calendar, start, end, hours, seconds):
    response = client.get(ELAPSED, {"start": start, "end": end})

    assert response.status_code == 200
    assert response.json() == {"working_hours": hours, "working_seconds": seconds}


def test_elapsed_accepts_an_offset_typed_into_a_url(client, calendar):
    response = client.get(f"{ELAPSED}?start=2026-03-02T07:00:00+07:00&end=2026-03-02T12:00:00+07:00")

    assert (response.status_code, response.json()) == (200, {"working_hours": 4.0, "working_seconds": 14400})


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        pytest.param(
            "2026-03-02T09:00:00+07:00",
            "2026-03-02T08:59:59+07:00",
            "end",
            "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
            id="end-before-start",
        ),
        pytest.param(
            "2026-03-02T09:00:00+07:00",
            "2026-03-03T09:00:00",
            "end",
            "Thời điểm phải có múi giờ (ví dụ 2026-03-02T08:00:00+07:00).",
            id="naive-end",
        ),
        pytest.param(
            "2000-01-01T00:00:00+07:00",
            "2025-01-01T00:00:00+07:00",
            "end",
            "Khoảng thời gian tối đa 20 năm.",
            id="over-20-years",
        ),
        pytest.param(
            "0001-01-01T00:00:00+07:00",
            "0001-01-01T05:00:00+07:00",
            "start",
            "Thời điểm phải trong khoảng năm 2000–2100.",
            id="year-1",
        ),
        pytest.param("2026-03-02T09:00:00+07:00", "hôm sau", "end", DATETIME_FORMAT, id="malformed-end"),
    ],
)
def test_elapsed_errors_are_422_naming_the_field(client, calendar, start, end, field, message):
    response = client.get(ELAPSED, {"start": start, "end": end})

    assert response.status_code == 422
    assert response.json() == _field_error(field, message)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=_MOMENTS, end=_MOMENTS)
def test_elapsed_never_answers_500(client, calendar, start, end):
    response = client.get(ELAPSED, {"start": start, "end": end})

    # 400: text the platform cannot store (a NUL character), refused by egov.core's BadInputMiddleware
    # before the API sees it, with its Vietnamese message.
    assert response.status_code in (200, 400, 422), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "bad_request"


# --- GET /calendar/days ----------------------------------------------------------------------------


def test_days_lists_the_days_off_and_make_up_days_of_a_year(client, calendar):
    response = client.get(DAYS, {"year": 2026})

    assert response.status_code == 200
    body = response.json()
    assert [(d["date"], d["kind"]) for d in body] == [
        ("2026-01-01", "day_off"),
        ("2026-02-16", "day_off"),
        ("2026-02-17", "day_off"),
        ("2026-02-18", "day_off"),
        ("2026-02-19", "day_off"),
        ("2026-02-20", "day_off"),
        ("2026-04-26", "day_off"),
        ("2026-04-27", "day_off"),
        ("2026-04-30", "day_off"),
        ("2026-05-01", "day_off"),
        ("2026-08-22", "working_day"),
        ("2026-08-31", "day_off"),
        ("2026-09-01", "day_off"),
        ("2026-09-02", "day_off"),
        ("2026-11-24", "day_off"),
    ]
    assert body[0] == {"date": "2026-01-01", "kind": "day_off", "note": "Tết Dương lịch", "source": "statutory"}
    assert body[10] == {"date": "2026-08-22", "kind": "working_day", "note": "Ngày làm bù", "source": "statutory"}


def test_days_of_another_province(client, calendar, other_province):
    assert client.get(DAYS, {"year": 2026, "agency": "H97"}).json() == []


@pytest.mark.parametrize(
    ("year", "message"),
    [("1999", "Phải lớn hơn hoặc bằng 2000."), ("2101", "Phải nhỏ hơn hoặc bằng 2100."), ("năm", "Phải là số nguyên.")],
)
def test_days_refuses_a_bad_year(client, calendar, year, message):
    response = client.get(DAYS, {"year": year})

    assert (response.status_code, response.json()) == (422, _field_error("year", message))


# --- POST /calendar/days ---------------------------------------------------------------------------


def _post_day(client, body: dict, headers: dict | None = None):
    return client.post(DAYS, body, content_type="application/json", **(headers or {}))


def test_an_administrator_adds_a_day_off_and_the_due_date_follows(client, calendar, admin_user, bearer):
    headers = bearer(admin_user)
    params = {"start": "2026-03-02T08:00:00+07:00", "amount": "1", "unit": "working_days"}
    assert _due(client, **params) == {"due_at": "2026-03-03T08:00:00+07:00"}

    response = _post_day(client, {"date": "2026-03-03", "kind": "day_off", "note": "Nghỉ đột xuất"}, headers)

    assert response.status_code == 201
    assert response.json() == {"date": "2026-03-03", "kind": "day_off", "note": "Nghỉ đột xuất", "source": "manual"}
    assert _due(client, **params) == {"due_at": "2026-03-04T08:00:00+07:00"}
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.actor, rec.channel, rec.ip_address) == ("calendar.set_day", admin_user, "api", "127.0.0.1")


def test_an_administrator_adds_a_make_up_working_day_and_the_due_date_follows(client, calendar, admin_user, bearer):
    headers = bearer(admin_user)
    params = {"start": "2026-03-06T15:00:00+07:00", "amount": "1", "unit": "working_days"}
    assert _due(client, **params) == {"due_at": "2026-03-09T15:00:00+07:00"}

    response = _post_day(client, {"date": "2026-03-07", "kind": "working_day"}, headers)

    assert response.status_code == 201
    assert response.json() == {"date": "2026-03-07", "kind": "working_day", "note": "", "source": "manual"}
    assert _due(client, **params) == {"due_at": "2026-03-07T15:00:00+07:00"}


def test_a_signed_in_administrator_may_use_the_web_session(calendar, admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    browser.get("/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value

    refused = _post_day(browser, {"date": "2026-03-03", "kind": "day_off"})
    accepted = _post_day(browser, {"date": "2026-03-03", "kind": "day_off"}, {"HTTP_X_CSRFTOKEN": token})

    assert (refused.status_code, refused.json()) == (
        403,
        {"code": "http_error", "message": "Thiếu hoặc sai mã CSRF: tải lại trang rồi thử lại."},
    )
    assert accepted.status_code == 201


NOT_AUTHENTICATED = {"code": "not_authenticated", "message": "Cần đăng nhập hoặc mã truy cập (Bearer token) hợp lệ."}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-credentials"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer khong-hop-le"}, id="unknown-token"),
        pytest.param({"HTTP_AUTHORIZATION": "Basic cXVhbnRyaTpNay10aHUtbmdoaWVtLTIwMjY="}, id="basic-auth"),
    ],
)
def test_without_valid_credentials_changes_are_401_and_nothing_changes(calendar, admin_user, headers):
    # A real client: CSRF is enforced, as for curl or another system calling the API
    api_client = Client(enforce_csrf_checks=True)
    before = _state()

    added = _post_day(api_client, {"date": "2026-03-03", "kind": "day_off"}, headers)
    removed = api_client.delete(f"{DAYS}/2026-02-16", **headers)

    assert (added.status_code, added.json()) == (401, NOT_AUTHENTICATED)
    assert (removed.status_code, removed.json()) == (401, NOT_AUTHENTICATED)
    assert _state() == before


FORBIDDEN = {
    "code": "permission_denied",
    "message": "Bạn không có quyền: quản lý lịch làm việc, ngày nghỉ, ngày làm bù.",
}


@pytest.mark.parametrize(
    "role", ["specialist", "receiving_officer", "unit_head", "agency_leader", "clerk", "evaluator"]
)
def test_officers_without_calendar_manage_are_refused(client, calendar, tree, make_officer, bearer, role):
    headers = bearer(make_officer(role, tree["province"]))
    before = _state()

    added = _post_day(client, {"date": "2026-03-03", "kind": "day_off"}, headers)
    removed = client.delete(f"{DAYS}/2026-02-16", **headers)

    assert (added.status_code, added.json()) == (403, FORBIDDEN)
    assert (removed.status_code, removed.json()) == (403, FORBIDDEN)
    assert _state() == before


@pytest.mark.parametrize("agency", [None, "H98", "000.00.00.H98", "H98.301"])
def test_an_administrator_of_another_province_is_refused(
    client, calendar, make_officer, other_province, bearer, agency
):
    # Given an administrator positioned in the other province's subtree
    headers = bearer(make_officer("administrator", other_province))
    body = {"date": "2026-03-03", "kind": "day_off"}
    if agency:
        body["agency"] = agency
    query = f"?{urlencode({'agency': agency})}" if agency else ""
    before = _state()

    # When they change the calendar of the first province (the default one, or by its codes)
    added = _post_day(client, body, headers)
    removed = client.delete(f"{DAYS}/2026-02-16{query}", **headers)

    # Then both are refused and nothing changed
    assert (added.status_code, added.json()) == (403, FORBIDDEN)
    assert (removed.status_code, removed.json()) == (403, FORBIDDEN)
    assert _state() == before


def test_an_administrator_of_another_province_manages_their_own_calendar(
    client, calendar, make_officer, other_province, bearer
):
    headers = bearer(make_officer("administrator", other_province))

    response = _post_day(client, {"date": "2026-03-03", "kind": "day_off", "agency": "H97"}, headers)

    assert response.status_code == 201
    assert list(CalendarDay.objects.filter(calendar__organisation=other_province).values_list("date", "kind")) == [
        (date(2026, 3, 3), "day_off")
    ]
    assert not CalendarDay.objects.filter(calendar=calendar, date=date(2026, 3, 3)).exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            {"date": "03/03/2026", "kind": "day_off"},
            [("date", "Ngày không hợp lệ (định dạng YYYY-MM-DD).")],
            id="date-format",
        ),
        pytest.param(
            {"date": "2026-02-30", "kind": "day_off"},
            [("date", "Ngày không hợp lệ (định dạng YYYY-MM-DD).")],
            id="30-february",
        ),
        pytest.param(
            {"date": "1990-03-03", "kind": "day_off"},
            [("date", "Ngày phải trong khoảng năm 2000–2100.")],
            id="year-1990",
        ),
        pytest.param(
            {"date": "2026-03-03", "kind": "holiday"},
            [("kind", "Giá trị phải là một trong: 'day_off' hoặc 'working_day'.")],
            id="kind",
        ),
        pytest.param(
            {"date": "2026-03-03", "kind": "day_off", "note": "a" * 201},
            [("note", "Quá dài (tối đa 200 ký tự).")],
            id="note-too-long",
        ),
        pytest.param(
            {"note": "x"},
            [("date", "Thiếu trường bắt buộc."), ("kind", "Thiếu trường bắt buộc.")],
            id="missing",
        ),
        pytest.param(
            {"date": "2026-03-03", "kind": "day_off", "agency": "H00.999"},
            [("agency", "Không tìm thấy cơ quan có mã định danh 'H00.999'.")],
            id="unknown-agency",
        ),
    ],
)
def test_bad_days_are_422_naming_the_field_and_nothing_changes(client, calendar, admin_user, bearer, body, errors):
    headers = bearer(admin_user)
    before = _state()

    response = _post_day(client, body, headers)

    assert response.status_code == 422
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == errors
    assert _state() == before


def test_a_body_that_is_not_json_is_refused_in_vietnamese(client, calendar, admin_user, bearer):
    headers = bearer(admin_user)
    before = _state()

    response = client.post(DAYS, "{ngày: 3/3}", content_type="application/json", **headers)

    assert (response.status_code, response.json()) == (
        400,
        {"code": "http_error", "message": "Không đọc được nội dung yêu cầu (JSON không hợp lệ)."},
    )
    assert _state() == before


# --- DELETE /calendar/days/{date} ------------------------------------------------------------------


def test_delete_a_day_then_again(client, calendar, admin_user, bearer):
    headers = bearer(admin_user)
    params = {"start": "2026-08-21T15:00:00+07:00", "amount": "1", "unit": "working_days"}
    assert _due(client, **params) == {"due_at": "2026-08-22T15:00:00+07:00"}

    first = client.delete(f"{DAYS}/2026-08-22", **headers)
    after_first = _state()
    second = client.delete(f"{DAYS}/2026-08-22", **headers)

    assert (first.status_code, first.content) == (204, b"")
    assert not CalendarDay.objects.filter(date=date(2026, 8, 22)).exists()
    assert _due(client, **params) == {"due_at": "2026-08-24T15:00:00+07:00"}
    assert (second.status_code, second.json()) == (
        404,
        {"code": "not_found", "message": "Ngày 22/08/2026 không có trong danh sách ngày nghỉ / làm bù."},
    )
    assert _state() == after_first


def test_delete_refuses_a_malformed_date(client, calendar, admin_user, bearer):
    response = client.delete(f"{DAYS}/2026-13-01", **bearer(admin_user))

    assert (response.status_code, response.json()) == (
        422,
        _field_error("day", "Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
    )


# --- query counts ----------------------------------------------------------------------------------


def test_due_queries_are_bounded_and_fewer_with_a_warm_cache(client, calendar, django_assert_num_queries):
    # Cold: the calendar, its sessions, its days. Warm: the calendar only (the spec is cached).
    with django_assert_num_queries(3):
        assert client.get(DUE, OK).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(DUE, OK).status_code == 200


def test_due_for_an_agency_adds_the_organisation_lookup(client, calendar, django_assert_num_queries):
    # Organisation by code, then the nearest calendar; the spec is already cached
    client.get(DUE, OK)
    with django_assert_num_queries(2):
        assert client.get(DUE, {**OK, "agency": "H98.301"}).status_code == 200
    with django_assert_num_queries(3):  # a legacy code is tried after the new-style code
        assert client.get(DUE, {**OK, "agency": "000.00.61.H98"}).status_code == 200


# --- GET / PUT /calendar/sessions ------------------------------------------------------------------

SESSIONS = "/api/v1/calendar/sessions"
DEFAULT_SESSIONS = [{"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:30"}]
COMMUNE_HOURS = [{"start": "07:00", "end": "11:30"}, {"start": "13:30", "end": "17:00"}]


def _put_sessions(client, body: dict, headers: dict | None = None):
    return client.put(SESSIONS, body, content_type="application/json", **(headers or {}))


def _sessions_state():
    from egov.calendar.models import WorkSession

    return (_state(), list(WorkSession.objects.order_by("pk").values_list("calendar_id", "start", "end")))


def test_sessions_are_public(client, calendar):
    response = client.get(SESSIONS)

    assert response.status_code == 200
    assert response.json() == {"agency": "H98", "calendar": "Lịch thử nghiệm", "sessions": DEFAULT_SESSIONS}


def test_an_administrator_sets_the_sessions_and_deadlines_follow(client, calendar, admin_user, bearer):
    headers = bearer(admin_user)
    params = {"start": "2026-03-02T07:00:00+07:00", "amount": "4", "unit": "working_hours"}
    assert _due(client, **params) == {"due_at": "2026-03-02T11:30:00+07:00"}
    version = WorkCalendar.objects.get(pk=calendar.pk).version

    response = _put_sessions(client, {"sessions": COMMUNE_HOURS}, headers)

    assert response.status_code == 200, response.content
    assert response.json() == {"agency": "H98", "calendar": "Lịch thử nghiệm", "sessions": COMMUNE_HOURS}
    assert client.get(SESSIONS).json()["sessions"] == COMMUNE_HOURS
    assert WorkCalendar.objects.get(pk=calendar.pk).version == version + 1
    assert _due(client, **params) == {"due_at": "2026-03-02T11:00:00+07:00"}  # the cached spec was rebuilt
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.actor, rec.channel) == ("calendar.set_sessions", admin_user, "api")
    assert rec.before == {"sessions": [["07:30:00", "11:30:00"], ["13:30:00", "17:30:00"]]}
    assert rec.after == {"sessions": [["07:00:00", "11:30:00"], ["13:30:00", "17:00:00"]]}


def test_sessions_of_a_commune_with_its_own_calendar(client, commune_calendar, admin_user, bearer):
    headers = bearer(admin_user)

    response = _put_sessions(
        client, {"agency": "000.00.61.H98", "sessions": [{"start": "07:00", "end": "11:00"}]}, headers
    )

    assert response.status_code == 200
    assert response.json()["agency"] == "H98.301"
    assert client.get(SESSIONS, {"agency": "H98.301"}).json()["sessions"] == [{"start": "07:00", "end": "11:00"}]
    assert client.get(SESSIONS).json()["sessions"] == DEFAULT_SESSIONS  # the province keeps its hours


HH_MM = "Giờ phải có dạng HH:MM, ví dụ 07:30."


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            {"sessions": [{"start": "07:30", "end": "12:00"}, {"start": "11:00", "end": "17:00"}]},
            [("sessions", "Buổi 07:30–12:00 và buổi 11:00–17:00 chồng lên nhau.")],
            id="overlapping",
        ),
        pytest.param(
            {"sessions": [{"start": "11:30", "end": "07:30"}]},
            [("sessions", "Buổi 11:30–07:30: giờ kết thúc phải sau giờ bắt đầu.")],
            id="end-before-start",
        ),
        pytest.param(
            {"sessions": [{"start": "13:30", "end": "17:30"}, {"start": "07:30", "end": "11:30"}]},
            [
                (
                    "sessions",
                    "Các buổi phải theo thứ tự trong ngày: buổi 07:30–11:30 phải đứng trước buổi 13:30–17:30.",
                )
            ],
            id="unsorted",
        ),
        pytest.param({"sessions": []}, [("sessions", "Cần ít nhất một buổi làm việc.")], id="empty"),
        pytest.param({}, [("sessions", "Thiếu trường bắt buộc.")], id="missing"),
        pytest.param(
            {"sessions": [{"start": "7h30", "end": "24:00"}]},
            [("sessions.0.start", HH_MM), ("sessions.0.end", HH_MM)],
            id="not-hh-mm",
        ),
        pytest.param(
            {"sessions": [{"start": "07:30:00+07:00", "end": "11:30:05"}]},
            [("sessions.0.start", HH_MM), ("sessions.0.end", HH_MM)],
            id="offset-and-seconds",
        ),
        pytest.param(
            {"sessions": [{"start": "07:30", "end": "11:30"}, {"start": 1330}]},
            [("sessions.1.start", HH_MM), ("sessions.1.end", "Thiếu trường bắt buộc.")],
            id="second-session",
        ),
        pytest.param({"sessions": "07:30-11:30"}, [("sessions", "Phải là một danh sách.")], id="text"),
        pytest.param(
            {"agency": "H00.999", "sessions": DEFAULT_SESSIONS},
            [("agency", "Không tìm thấy cơ quan có mã định danh 'H00.999'.")],
            id="unknown-agency",
        ),
    ],
)
def test_bad_sessions_are_422_naming_the_field_and_nothing_changes(client, calendar, admin_user, bearer, body, errors):
    headers = bearer(admin_user)
    before = _sessions_state()

    response = _put_sessions(client, body, headers)

    assert response.status_code == 422
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == errors
    assert _sessions_state() == before


@pytest.mark.parametrize(
    "role", ["specialist", "receiving_officer", "unit_head", "agency_leader", "clerk", "evaluator"]
)
def test_officers_without_calendar_manage_cannot_set_sessions(client, calendar, tree, make_officer, bearer, role):
    headers = bearer(make_officer(role, tree["province"]))
    before = _sessions_state()

    response = _put_sessions(client, {"sessions": COMMUNE_HOURS}, headers)

    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert _sessions_state() == before


def test_an_administrator_of_another_province_cannot_set_these_sessions(
    client, calendar, make_officer, other_province, bearer
):
    headers = bearer(make_officer("administrator", other_province))
    before = _sessions_state()

    default = _put_sessions(client, {"sessions": COMMUNE_HOURS}, headers)
    by_code = _put_sessions(client, {"agency": "H98", "sessions": COMMUNE_HOURS}, headers)
    refused = _sessions_state()
    own = _put_sessions(client, {"agency": "H97", "sessions": COMMUNE_HOURS}, headers)

    assert (default.status_code, default.json()) == (403, FORBIDDEN)
    assert (by_code.status_code, by_code.json()) == (403, FORBIDDEN)
    assert refused == before
    assert own.status_code == 200
    assert client.get(SESSIONS).json()["sessions"] == DEFAULT_SESSIONS


@pytest.mark.parametrize(
    "headers",
    [pytest.param({}, id="no-credentials"), pytest.param({"HTTP_AUTHORIZATION": "Bearer sai"}, id="unknown-token")],
)
def test_setting_sessions_without_credentials_is_401(calendar, headers):
    api_client = Client(enforce_csrf_checks=True)
    before = _sessions_state()

    response = _put_sessions(api_client, {"sessions": COMMUNE_HOURS}, headers)

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert _sessions_state() == before


def test_reading_sessions_takes_two_queries(client, calendar, django_assert_num_queries):
    # The default calendar with its organisation, then its sessions
    with django_assert_num_queries(2):
        assert client.get(SESSIONS).status_code == 200
