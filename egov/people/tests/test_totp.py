"""TOTP second factor: officers with a device give a code; required roles enrol before going anywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.audit.models import AuditRecord
from egov.people import services
from egov.people.models import Position
from egov.people.tests.conftest import PASSWORD

LOGIN = "/dang-nhap/"
SECOND_FACTOR = "/dang-nhap/xac-thuc/"
WRONG_CODE = "Mã xác thực hai lớp không đúng hoặc đã hết hạn."


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def officer_with_device(specialist, confirmed_device):
    return specialist, confirmed_device(specialist)


@pytest.fixture
def admin_must_enrol(settings, admin_user):
    settings.EGOV_TOTP_REQUIRED_ROLES = ["administrator"]
    return admin_user


# --- officers with a confirmed device ---------------------------------------------------------------------


def test_valid_code_at_login_signs_in_fully(officer_with_device, totp_code):
    officer, device = officer_with_device
    client = Client()

    response = client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD, "otp_token": totp_code(device)})

    assert (response.status_code, response["Location"]) == (302, "/can-bo/")  # officers land on their worklist
    assert signed_in_user_id(client) == str(officer.pk)
    assert client.session["egov_2fa"] == "ok"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditRecord.objects.get(action="auth.login").after == {"method": "password+totp"}
    assert client.get("/tai-khoan/").status_code == 200


def test_wrong_code_at_login_does_not_sign_in(officer_with_device):
    client = Client()

    response = client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD, "otp_token": "000000x"})

    assert response.status_code == 422
    html = response.content.decode()
    error = f'<p class="usa-error-message" id="otp_token-error"><span class="usa-sr-only">Lỗi: </span>{WRONG_CODE}</p>'
    assert error in html
    assert signed_in_user_id(client) is None
    assert not AuditRecord.objects.filter(action="auth.login").exists()


def test_a_code_cannot_be_used_twice(officer_with_device, totp_code):
    _officer, device = officer_with_device
    code = totp_code(device)
    assert Client().post(LOGIN, {"username": "chuyenvien", "password": PASSWORD, "otp_token": code}).status_code == 302

    replay = Client()
    response = replay.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD, "otp_token": code})

    assert response.status_code == 422
    assert signed_in_user_id(replay) is None


def test_without_a_code_the_officer_is_held_at_the_second_factor_page(officer_with_device, totp_code):
    officer, device = officer_with_device
    client = Client()

    # when the officer gives only the password
    response = client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD, "next": "/tai-khoan/?tab=1&xem=2"})

    # then they are sent to the code page, and are not fully signed in
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/xac-thuc/?next=%2Ftai-khoan%2F%3Ftab%3D1%26xem%3D2"
    assert client.session["egov_2fa"] == "pending"
    assert DEVICE_ID_SESSION_KEY not in client.session
    page = client.get("/tai-khoan/?tab=3")
    assert (page.status_code, page["Location"]) == (302, "/dang-nhap/xac-thuc/?next=%2Ftai-khoan%2F%3Ftab%3D3")
    assert client.get("/admin/").status_code == 302
    api = client.get("/api/v1/auth/me")
    assert (api.status_code, api.json()) == (
        401,
        {"code": "second_factor_required", "message": "Cần hoàn tất xác thực hai lớp."},
    )

    # when they open the code page: no enrolment, a code field
    code_page = client.get(response["Location"])
    assert code_page.status_code == 200
    html = code_page.content.decode()
    assert "Nhập mã 6 chữ số trong ứng dụng xác thực của bạn." in html
    assert "<svg" not in html
    assert TOTPDevice.objects.filter(user=officer).count() == 1

    # when they enter a valid code, they go where they were going
    done = client.post(SECOND_FACTOR, {"otp_token": totp_code(device), "next": "/tai-khoan/?tab=1&xem=2"})
    assert (done.status_code, done["Location"]) == (302, "/tai-khoan/?tab=1&xem=2")
    assert client.session["egov_2fa"] == "ok"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/tai-khoan/").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200


def test_wrong_code_on_the_second_factor_page_keeps_the_officer_held(officer_with_device):
    client = Client()
    client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})

    response = client.post(SECOND_FACTOR, {"otp_token": "123"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="usa-alert usa-alert--error error-summary" role="alert"' in html
    assert f'<p class="usa-alert__text">{WRONG_CODE}</p>' in html
    assert client.session["egov_2fa"] == "pending"
    assert client.get("/tai-khoan/").status_code == 302


def test_second_factor_page_sends_anonymous_visitors_to_sign_in(db):
    response = Client().get(SECOND_FACTOR)
    assert (response.status_code, response["Location"]) == (302, LOGIN)


# --- roles that must use a second factor --------------------------------------------------------------------


def test_administrator_without_device_must_enrol_before_anything_else(admin_must_enrol, totp_code):
    admin = admin_must_enrol
    client = Client()

    # when the administrator signs in with the password
    response = client.post(LOGIN, {"username": "quantri", "password": PASSWORD})

    # then they are sent to enrol, and every other page sends them back there
    assert (response.status_code, response["Location"]) == (302, "/dang-nhap/xac-thuc/?next=")
    for path in ("/", "/tai-khoan/", "/admin/"):
        page = client.get(path)
        assert page.status_code == 302, path
        assert page["Location"].startswith("/dang-nhap/xac-thuc/?next="), path
    api = client.get("/api/v1/auth/me")
    assert (api.status_code, api.json()["code"]) == (401, "second_factor_required")

    # when they open the enrolment page: a QR code of a new, unconfirmed device
    page = client.get(SECOND_FACTOR)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=admin)
    assert device.confirmed is False
    assert f'<code class="otpauth">{device.config_url.replace("&", "&amp;")}</code>' in html
    assert device.config_url.startswith("otpauth://totp/C%E1%BB%95ng%20DVC%20S%C6%A1n%20Nam%3Aquantri?secret=")
    client.get(SECOND_FACTOR)
    assert TOTPDevice.objects.filter(user=admin).count() == 1  # the pending device is reused

    # when they enter the code their app shows
    done = client.post(SECOND_FACTOR, {"otp_token": totp_code(device)})

    # then the device is confirmed, enrolment is audited, and they are through
    assert (done.status_code, done["Location"]) == (302, "/can-bo/")
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditRecord.objects.filter(action="auth.enroll_totp", actor=admin).count() == 1
    assert client.session["egov_2fa"] == "ok"
    assert client.get("/tai-khoan/").status_code == 200
    assert client.get("/api/v1/auth/me").json()["username"] == "quantri"


def test_wrong_enrolment_code_leaves_the_device_unconfirmed(admin_must_enrol):
    client = Client()
    client.post(LOGIN, {"username": "quantri", "password": PASSWORD})
    client.get(SECOND_FACTOR)

    response = client.post(SECOND_FACTOR, {"otp_token": "000000"})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="usa-alert__text">Mã xác thực không đúng hoặc đã hết hạn.</p>' in html
    assert "<svg" in html  # the QR code is shown again
    assert list(TOTPDevice.objects.values_list("confirmed", flat=True)) == [False]
    assert client.session["egov_2fa"] == "pending"


def test_other_roles_are_not_asked_for_a_second_factor(admin_must_enrol, specialist):
    client = Client()
    response = client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/can-bo/")
    assert client.session["egov_2fa"] == "ok"


def test_a_session_opened_another_way_is_checked_once(admin_must_enrol):
    # given an administrator signed in without the login page (as OpenID Connect would)
    client = Client()
    client.force_login(admin_must_enrol)

    response = client.get("/tai-khoan/")

    assert (response.status_code, response["Location"]) == (302, "/dang-nhap/xac-thuc/?next=%2Ftai-khoan%2F")
    assert client.session["egov_2fa"] == "pending"


# --- who needs a second factor ----------------------------------------------------------------------------


def test_totp_required(settings, tree, make_officer, citizen, confirmed_device):
    settings.EGOV_TOTP_REQUIRED_ROLES = []
    specialist = make_officer("specialist", tree["justice"])
    admin = make_officer("administrator", tree["province"])
    superuser = make_officer("clerk", tree["finance"], is_superuser=True)
    assert [services.totp_required(u) for u in (specialist, admin, superuser, citizen)] == [False] * 4

    TOTPDevice.objects.create(user=specialist, name="chưa xác nhận", confirmed=False)
    assert services.totp_required(specialist) is False
    confirmed_device(specialist)
    confirmed_device(citizen)  # citizens are never asked, even with a device
    assert [services.totp_required(u) for u in (specialist, citizen)] == [True, False]

    settings.EGOV_TOTP_REQUIRED_ROLES = ["administrator"]
    assert [services.totp_required(u) for u in (admin, superuser, citizen)] == [True, True, False]

    # an ended administrator position no longer requires it
    yesterday = timezone.localdate() - timedelta(days=1)
    services.end_position(by=None, position=Position.objects.get(user=admin), on=yesterday)
    assert services.totp_required(admin) is False
