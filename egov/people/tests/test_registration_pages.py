"""Registration pages: /dang-ky/ → the code in the outbox → /dang-ky/xac-minh/ → signed in;
errors next to the fields, in Vietnamese; the account page's profile form."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from egov.audit.models import AuditRecord
from egov.notifications.models import OutboxMessage
from egov.people.models import ContactVerification, User

REGISTER, VERIFY, ACCOUNT, LOGIN = "/dang-ky/", "/dang-ky/xac-minh/", "/tai-khoan/", "/dang-nhap/"
PASSWORD = "Dang-ky-thu-2026"


def form(**overrides) -> dict:
    data = {
        "kind": "citizen",
        "full_name": "Lê Thị Hoa",
        "identity_number": "037190004321",
        "email": "hoa.le@example.vn",
        "phone": "",
        "verify_by": "email",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "accepted_terms": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def code_in_outbox() -> str:
    message = OutboxMessage.objects.filter(kind="account.verification_code").order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def group(html: str, field: str) -> str:
    """The ``usa-form-group`` that holds the input ``id_<field>``."""
    match = re.search(
        rf'<div class="usa-form-group[^"]*">(?:(?!<div class="usa-form-group).)*?id="id_{field}"[^>]*>', html, re.S
    )
    assert match, f"no form group for {field}"
    return match.group(0)


def test_the_page_shows_the_uswds_form_with_autocomplete(db):
    response = Client().get(REGISTER)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<select class="usa-select" id="id_kind" name="kind" required>' in html
    assert 'id="id_identity_number" name="identity_number" type="text" value="" autocomplete="username"' in html
    assert 'id="id_password" name="password" type="password" autocomplete="new-password"' in html
    assert 'id="id_email" name="email" type="email" value="" autocomplete="email"' in html
    assert "usa-alert--error" not in html


def test_the_login_page_links_to_registration(db):
    html = Client().get(LOGIN).content.decode()

    assert 'Chưa có tài khoản? <a href="/dang-ky/">Đăng ký</a>' in html


def test_register_then_verify_with_the_code_from_the_outbox_signs_in(db):
    client = Client()

    response = client.post(REGISTER, form())

    assert (response.status_code, response["Location"]) == (302, VERIFY)
    user = User.objects.get(username="037190004321")
    assert user.is_active is False
    assert client.session.get("_auth_user_id") is None
    page = client.get(VERIFY).content.decode()
    assert "Mã xác minh gồm 6 chữ số đã được gửi tới địa chỉ thư điện tử h***@example.vn." in page
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page

    response = client.post(VERIFY, {"code": code_in_outbox()})

    assert (response.status_code, response["Location"]) == (302, ACCOUNT)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.get(pk=user.pk).is_active is True
    assert "egov_verification" not in client.session
    assert AuditRecord.objects.get(action="auth.login").after == {"method": "registration"}
    account = client.get(ACCOUNT).content.decode()
    assert "<dt>Số định danh cá nhân</dt><dd>037190004321</dd>" in account
    assert "Tài khoản đã được kích hoạt." in account


def test_next_is_followed_after_verification(db):
    client = Client()
    client.post(REGISTER, form(next="/thu-tuc/"))

    response = client.post(VERIFY, {"code": code_in_outbox()})

    assert response["Location"] == "/thu-tuc/"


def test_errors_are_shown_next_to_their_fields_and_in_the_summary(db):
    response = Client().post(REGISTER, form(identity_number="12345", password_confirmation="khac", accepted_terms=None))

    assert response.status_code == 422
    html = response.content.decode()
    assert '<div class="usa-alert usa-alert--error" role="alert"' in html
    assert '<a href="#id_identity_number">Số định danh cá nhân phải gồm 12 chữ số (CCCD)' in html
    identity = group(html, "identity_number")
    assert "usa-form-group--error" in identity
    assert (
        '<span class="usa-error-message" id="identity_number-error" role="alert">'
        "Số định danh cá nhân phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ).</span>"
    ) in identity
    assert 'aria-describedby="identity_number-hint identity_number-error" aria-invalid="true"' in identity
    assert "Mật khẩu nhập lại không khớp." in group(html, "password_confirmation")
    assert "Bạn cần đồng ý với điều khoản sử dụng để đăng ký." in html
    assert "usa-form-group--error" not in group(html, "full_name")
    # What was typed is kept, except the passwords.
    assert 'value="Lê Thị Hoa"' in html and PASSWORD not in html
    assert User.objects.count() == 0


def test_an_already_registered_number_is_refused_next_to_the_field(citizen):
    response = Client().post(REGISTER, form(identity_number="001099012345"))

    assert response.status_code == 422
    assert "Số định danh cá nhân này đã được dùng để đăng ký tài khoản." in group(
        response.content.decode(), "identity_number"
    )


def test_a_wrong_code_is_shown_next_to_the_field_and_counts(db):
    client = Client()
    client.post(REGISTER, form())
    wrong = f"{(int(code_in_outbox()) + 1) % 10**6:06d}"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 422
    html = response.content.decode()
    assert "Mã xác minh không đúng. Bạn còn 4 lần thử." in group(html, "code")
    assert '<a href="#id_code">Mã xác minh không đúng. Bạn còn 4 lần thử.</a>' in html
    assert client.session.get("_auth_user_id") is None
    assert ContactVerification.objects.get().failed_attempts == 1


def test_resend_is_throttled_on_the_page(db):
    client = Client()
    client.post(REGISTER, form())

    response = client.post(VERIFY, {"action": "resend"})

    assert response.status_code == 429
    assert re.search(r"Mã vừa được gửi\. Vui lòng đợi \d+ giây trước khi yêu cầu mã mới\.", response.content.decode())
    assert OutboxMessage.objects.count() == 1


def test_resend_after_the_interval_queues_a_new_code(db, settings):
    settings.EGOV_VERIFICATION_RESEND_SECONDS = 0
    client = Client()
    client.post(REGISTER, form(phone="0912345678", verify_by="sms"))

    response = client.post(VERIFY, {"action": "resend"})

    assert (response.status_code, response["Location"]) == (302, VERIFY)
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["sms", "sms"]
    assert "tin nhắn tới số +84 9** *** 678" in client.get(VERIFY).content.decode()


def test_the_verification_page_without_a_pending_registration_says_what_to_do(db):
    response = Client().get(VERIFY)

    assert response.status_code == 200
    assert "Không có yêu cầu xác minh nào đang chờ." in response.content.decode()
    assert Client().post(VERIFY, {"code": "123456"}).status_code == 400


def test_signing_in_to_an_unverified_account_continues_to_verification(db):
    Client().post(REGISTER, form())
    client = Client()

    response = client.post(LOGIN, {"username": "037190004321", "password": PASSWORD})

    assert (response.status_code, response["Location"]) == (302, VERIFY)
    assert client.session.get("_auth_user_id") is None
    client.post(VERIFY, {"code": code_in_outbox()})
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_a_wrong_password_on_an_unverified_account_is_the_usual_refusal(db):
    Client().post(REGISTER, form())

    response = Client().post(LOGIN, {"username": "037190004321", "password": "Sai-mat-khau-1"})

    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_registration_is_rate_limited_per_address(db, settings):
    settings.EGOV_REGISTRATION_RATE = "2/hour"
    client = Client()
    client.post(REGISTER, form(identity_number="abc"))
    client.post(REGISTER, form(identity_number="abc"))

    response = client.post(REGISTER, form())

    assert response.status_code == 429
    assert "Bạn đã gửi quá nhiều yêu cầu đăng ký. Vui lòng thử lại sau." in response.content.decode()
    assert User.objects.count() == 0


def test_registration_page_and_verification_query_counts(db, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(0):
        client.get(REGISTER)
    client.post(REGISTER, form())
    # the session, the verification with its user, the session saved (sliding expiry) in a savepoint
    with django_assert_num_queries(5):
        client.get(VERIFY)


# --- the account page ---------------------------------------------------------------------------------


@pytest.fixture
def signed_in_citizen(citizen):
    client = Client()
    client.force_login(citizen)
    return client


def test_a_citizen_edits_the_profile_on_the_account_page(signed_in_citizen, citizen):
    page = signed_in_citizen.get(ACCOUNT).content.decode()
    assert "không thay đổi được" in page
    assert 'id="id_date_of_birth" name="date_of_birth" type="date"' in page

    response = signed_in_citizen.post(
        ACCOUNT, {"full_name": "Nguyễn Thị Bình An", "date_of_birth": "1990-05-17", "address": "12 Lê Lợi"}
    )

    assert (response.status_code, response["Location"]) == (302, ACCOUNT)
    citizen.refresh_from_db()
    profile = citizen.citizen_profile
    assert (citizen.full_name, str(profile.date_of_birth), profile.address) == (
        "Nguyễn Thị Bình An",
        "1990-05-17",
        "12 Lê Lợi",
    )
    assert profile.identity_number == "001099012345"


@pytest.mark.parametrize(
    ("date_of_birth", "message"),
    [
        ("2026-02-30", "Ngày sinh không hợp lệ (ngày/tháng/năm)."),
        ("17/05/1990", "Ngày sinh không hợp lệ (ngày/tháng/năm)."),
    ],
)
def test_an_invalid_birth_date_is_shown_next_to_the_field(signed_in_citizen, citizen, date_of_birth, message):
    response = signed_in_citizen.post(ACCOUNT, {"full_name": "Ai", "date_of_birth": date_of_birth, "address": ""})

    assert response.status_code == 422
    assert message in group(response.content.decode(), "date_of_birth")
    citizen.refresh_from_db()
    assert citizen.full_name == "Nguyễn Thị Bình"


def test_an_officer_sees_no_profile_form_and_cannot_post_one(specialist):
    client = Client()
    client.force_login(specialist)

    assert 'name="full_name"' not in client.get(ACCOUNT).content.decode()
    client.post(ACCOUNT, {"full_name": "Đổi tên"})
    specialist.refresh_from_db()
    assert specialist.full_name == "Trần Văn Chuyên"


def test_the_registration_page_in_english(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": REGISTER})

    html = client.get(REGISTER).content.decode()

    assert "<h1>Register an account</h1>" in html
    assert (
        '<label class="usa-label" for="id_identity_number">Personal identification number (CCCD) or tax code</label>'
        in html
    )


# --- changing the e-mail address or phone --------------------------------------------------------------


def test_a_new_email_address_is_stored_only_once_its_code_is_entered(signed_in_citizen, citizen):
    response = signed_in_citizen.post(
        ACCOUNT, {"action": "contact", "channel": "email", "new_contact": "Binh@Example.VN"}
    )

    assert (response.status_code, response["Location"]) == (302, VERIFY)
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient) == ("email", "Binh@example.vn")
    citizen.refresh_from_db()
    assert citizen.email == ""
    page = signed_in_citizen.get(VERIFY).content.decode()
    assert "<h1>Xác minh thông tin liên hệ mới</h1>" in page
    assert "B***@example.vn" in page

    response = signed_in_citizen.post(VERIFY, {"code": code_in_outbox()})

    assert (response.status_code, response["Location"]) == (302, ACCOUNT)
    citizen.refresh_from_db()
    assert citizen.email == "Binh@example.vn"
    assert "Đã cập nhật địa chỉ thư điện tử." in signed_in_citizen.get(ACCOUNT).content.decode()
    record = AuditRecord.objects.get(action="person.change_contact")
    assert (record.before, record.after) == ({"email": ""}, {"email": "Binh@example.vn"})


def test_an_invalid_new_phone_is_shown_next_to_the_field(signed_in_citizen, citizen):
    response = signed_in_citizen.post(ACCOUNT, {"action": "contact", "channel": "sms", "new_contact": "0236 3822 111"})

    assert response.status_code == 422
    assert "không phải số di động Việt Nam hợp lệ" in group(response.content.decode(), "new_contact")
    assert OutboxMessage.objects.count() == 0


def test_a_contact_change_code_works_only_for_its_own_signed_in_account(signed_in_citizen, citizen):
    from egov.people import services

    signed_in_citizen.post(ACCOUNT, {"action": "contact", "channel": "sms", "new_contact": "0912345678"})
    token = signed_in_citizen.session["egov_verification"]

    # Not through the public API, nor signed out.
    response = Client().post(
        "/api/v1/auth/verify", {"verification_token": token, "code": code_in_outbox()}, content_type="application/json"
    )
    assert response.status_code == 422
    with pytest.raises(Exception) as excinfo:
        services.verify_contact(token=token, code=code_in_outbox())
    assert excinfo.value.errors[0].message == services.VERIFICATION_GONE
    citizen.refresh_from_db()
    assert citizen.phone == ""
    services.verify_contact(token=token, code=code_in_outbox(), user=citizen)
    citizen.refresh_from_db()
    assert citizen.phone == "+84912345678"
