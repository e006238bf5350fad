"""Web sign-in (/dang-nhap/): success, errors next to fields, throttling, safe redirects, sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.people.tests.conftest import PASSWORD

LOGIN = "/dang-nhap/"
WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED_OUT = "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút."


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def field_block(html: str, field: str) -> str:
    """The ``<div class="usa-form-group...">`` that holds the input ``id_<field>``."""
    match = re.search(rf'<div class="usa-form-group[^"]*">(?:(?!<div).)*?id="id_{field}"[^>]*>\s*</div>', html, re.S)
    assert match, f"no field block for {field}"
    return match.group(0)


def test_login_page_shows_the_form(db):
    response = Client().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="usa-label" for="id_username">' in html
    assert 'id="id_username" name="username" type="text"' in html
    assert 'id="id_password" name="password" type="password"' in html
    assert "error-summary" not in html


def test_successful_login_redirects_home_and_is_audited(specialist):
    client = Client()

    response = client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})

    assert (response.status_code, response["Location"]) == (302, "/can-bo/")
    assert signed_in_user_id(client) == str(specialist.pk)
    assert client.session["egov_2fa"] == "ok"
    record = AuditRecord.objects.get(action="auth.login")
    assert (record.actor_id, record.target_id, record.channel, record.ip_address, record.after) == (
        specialist.pk,
        str(specialist.pk),
        "web",
        "127.0.0.1",
        {"method": "password"},
    )
    # and the account page now shows who is signed in
    page = client.get("/tai-khoan/")
    assert page.status_code == 200
    assert "<h1>Trần Văn Chuyên</h1>" in page.content.decode()
    assert (
        '<td data-label="Đơn vị">Sở Tư pháp</td><td data-label="Vai trò">Chuyên viên</td>'
        '<td data-label="Chức danh">Chuyên viên</td>'
    ) in page.content.decode()


def test_login_accepts_the_username_with_surrounding_spaces(specialist):
    client = Client()
    response = client.post(LOGIN, {"username": "  chuyenvien ", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(specialist.pk)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/tai-khoan/", "/tai-khoan/"),
        ("/tai-khoan/?tab=1&xem=2", "/tai-khoan/?tab=1&xem=2"),
        ("http://evil.example/", "/can-bo/"),  # the officer's landing page
        ("//evil.example/steal", "/can-bo/"),  # the officer's landing page
        ("https://evil.example/dang-nhap/", "/can-bo/"),  # the officer's landing page
        ("javascript:alert(1)", "/can-bo/"),  # the officer's landing page
    ],
)
def test_next_is_followed_only_when_it_stays_on_this_site(specialist, next_url, expected):
    client = Client()
    response = client.post(f"{LOGIN}?next=x", {"username": "chuyenvien", "password": PASSWORD, "next": next_url})
    assert (response.status_code, response["Location"]) == (302, expected)


def test_an_unsafe_next_is_not_even_put_in_the_form(db):
    html = Client().get(LOGIN, {"next": "http://evil.example/"}).content.decode()
    form = html[html.index('<form method="post" action="/dang-nhap/"') :]
    assert '<input type="hidden" name="next" value="">' in form
    assert "evil.example" not in form


@pytest.mark.parametrize("password", ["sai-mat-khau", PASSWORD.upper()])
def test_wrong_password_is_a_400_page_with_the_vietnamese_message(specialist, password):
    client = Client()

    response = client.post(LOGIN, {"username": "chuyenvien", "password": password})

    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('<div class="usa-alert usa-alert--error error-summary" role="alert"', 1)[1].split("</div>")[0]
    assert f'<p class="usa-alert__text">{WRONG_CREDENTIALS}</p>' in summary
    assert 'value="chuyenvien"' in html  # the username is kept, the password is not
    assert password not in html
    assert signed_in_user_id(client) is None
    assert not AuditRecord.objects.filter(action="auth.login").exists()


def test_unknown_user_and_inactive_user_get_the_same_message(specialist):
    from egov.people.models import User

    User.objects.filter(pk=specialist.pk).update(is_active=False)
    for username in ("chuyenvien", "khongtontai"):
        response = Client().post(LOGIN, {"username": username, "password": PASSWORD})
        assert response.status_code == 400
        assert WRONG_CREDENTIALS in response.content.decode()


def test_missing_fields_are_reported_next_to_the_fields(db):
    response = Client().post(LOGIN, {"username": "   ", "password": ""})

    assert response.status_code == 422
    html = response.content.decode()
    username_block = field_block(html, "username")
    assert (
        '<p class="usa-error-message" id="username-error"><span class="usa-sr-only">Lỗi: </span>'
        "Vui lòng nhập tên đăng nhập.</p>"
    ) in username_block
    assert 'aria-invalid="true" aria-describedby="username-error"' in username_block
    password_block = field_block(html, "password")
    assert (
        '<p class="usa-error-message" id="password-error"><span class="usa-sr-only">Lỗi: </span>'
        "Vui lòng nhập mật khẩu.</p>"
    ) in password_block
    assert 'aria-invalid="true" aria-describedby="password-error"' in password_block
    assert "otp_token" not in html  # the second factor has its own page, asked only when needed
    # and the summary at the top links to each field
    assert '<a href="#id_username">Vui lòng nhập tên đăng nhập.</a>' in html
    assert '<a href="#id_password">Vui lòng nhập mật khẩu.</a>' in html


def test_missing_password_only_marks_the_password(specialist):
    html = Client().post(LOGIN, {"username": "chuyenvien"}).content.decode()
    assert "usa-error-message" not in field_block(html, "username")
    assert "Vui lòng nhập mật khẩu." in field_block(html, "password")


def test_failure_limit_locks_the_account_even_for_the_right_password(specialist, make_officer, tree):
    # given the configured limit of failed sign-ins
    assert django_settings.AXES_FAILURE_LIMIT == 5
    client = Client()

    # when the password is wrong five times: the fifth failure reaches the limit and locks
    statuses = [client.post(LOGIN, {"username": "chuyenvien", "password": f"sai-{i}"}).status_code for i in range(5)]
    assert statuses == [400, 400, 400, 400, 429]

    # then the sixth attempt, with the right password, is refused with the lock-out message
    response = client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})
    assert response.status_code == 429
    assert f'<p class="usa-alert__text">{LOCKED_OUT}</p>' in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not AuditRecord.objects.filter(action="auth.login").exists()

    # and another account from the same address is not locked (the lock is per username + address)
    make_officer("clerk", tree["justice"], username="vanthu")
    other = client.post(LOGIN, {"username": "vanthu", "password": PASSWORD})
    assert other.status_code == 302


def test_lock_out_message_states_the_configured_cool_off(specialist, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    client = Client()
    for i in range(5):
        client.post(LOGIN, {"username": "chuyenvien", "password": f"sai-{i}"})

    response = client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})

    assert response.status_code == 429
    assert (
        '<p class="usa-alert__text">Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 30 phút.</p>'
        in response.content.decode()
    )


def test_a_successful_login_resets_the_failure_count(specialist):
    client = Client()
    for i in range(4):
        client.post(LOGIN, {"username": "chuyenvien", "password": f"sai-{i}"})
    assert client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD}).status_code == 302
    client.post("/dang-xuat/")

    statuses = [client.post(LOGIN, {"username": "chuyenvien", "password": f"sai-{i}"}).status_code for i in range(4)]

    assert statuses == [400, 400, 400, 400]


def test_logout_is_post_only_and_ends_the_session(specialist):
    client = Client()
    client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})

    assert client.get("/dang-xuat/").status_code == 405
    assert signed_in_user_id(client) == str(specialist.pk)

    response = client.post("/dang-xuat/")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_user_id(client) is None


def test_account_page_asks_anonymous_visitors_to_sign_in(db):
    response = Client().get("/tai-khoan/")
    assert (response.status_code, response["Location"]) == (302, "/dang-nhap/?next=/tai-khoan/")


def test_citizen_account_page_shows_the_identity_number(citizen):
    client = Client()
    client.force_login(citizen)
    html = client.get("/tai-khoan/").content.decode()
    assert "<dt>Số định danh cá nhân</dt><dd>001099012345</dd>" in html
    assert "Vị trí công tác" not in html


# --- session timeout -----------------------------------------------------------------------------------


def test_session_timeout_settings():
    assert django_settings.SESSION_COOKIE_AGE == 1800
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_each_request_pushes_the_session_expiry_forward(specialist):
    # given a signed-in officer whose session would end in one minute
    client = Client()
    client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))

    # when they open a page
    started = timezone.now()
    assert client.get("/tai-khoan/").status_code == 200

    # then the session lasts another 30 minutes from now
    expires = Session.objects.get(session_key=key).expire_date
    assert started + timedelta(seconds=1800) <= expires <= timezone.now() + timedelta(seconds=1800)


def test_a_session_idle_longer_than_the_timeout_is_signed_out(specialist):
    # given a signed-in officer whose session expired a second ago
    client = Client()
    client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})
    assert client.get("/tai-khoan/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    # when they come back, they are anonymous: pages send them to sign in, the API refuses
    response = client.get("/tai-khoan/")
    assert (response.status_code, response["Location"]) == (302, "/dang-nhap/?next=/tai-khoan/")
    assert client.get("/api/v1/auth/me").status_code == 401
    assert signed_in_user_id(client) is None


def test_set_expiry_in_the_past_signs_out(specialist):
    client = Client()
    client.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD})
    session = client.session
    session.set_expiry(-1)
    session.save()

    response = client.get("/tai-khoan/")

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_behind_a_proxy_the_lock_out_counts_the_forwarded_client_address(specialist, settings):
    # given one reverse proxy in front of the app: every request arrives from 127.0.0.1
    settings.EGOV_PROXY_COUNT = 1
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    officer = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")

    # when someone fails five times from one address
    for i in range(5):
        attacker.post(LOGIN, {"username": "chuyenvien", "password": f"sai-{i}"})

    # then that address is locked, but the officer signing in from another address is not
    assert attacker.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD}).status_code == 429
    assert officer.post(LOGIN, {"username": "chuyenvien", "password": PASSWORD}).status_code == 302


NOTICE = "Chế độ thử nghiệm: tài khoản quản trị đăng nhập và nhận mã truy cập API chỉ bằng mật khẩu"


def test_given_administrators_need_no_totp_when_opening_the_sign_in_page_then_a_notice_says_so(client, settings):
    settings.EGOV_TOTP_REQUIRED_ROLES = []

    response = client.get("/dang-nhap/")

    assert response.status_code == 200
    assert NOTICE in response.content.decode()
    assert 'id="admin-password-only"' in response.content.decode()


@pytest.mark.parametrize("roles", [["administrator"], ["administrator", "clerk"]])
def test_given_administrators_need_totp_when_opening_the_sign_in_page_then_no_notice(client, settings, roles):
    settings.EGOV_TOTP_REQUIRED_ROLES = roles

    response = client.get("/dang-nhap/")

    assert response.status_code == 200
    assert NOTICE not in response.content.decode()
    assert "admin-password-only" not in response.content.decode()
