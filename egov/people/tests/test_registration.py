"""Registration on the portal (``register_account``) and the verification code behind it
(``verify_contact``, ``resend_verification_code``, ``resume_registration``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.core.errors import Throttled, ValidationFailed
from egov.notifications import services as notification_services
from egov.notifications.models import OutboxMessage
from egov.people import services
from egov.people.models import CitizenProfile, ContactVerification, User

PASSWORD = "Dang-ky-thu-2026"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam


@pytest.fixture
def clock(db, monkeypatch):
    """The platform's clock, frozen at START until the test moves ``clock.now``."""
    state = SimpleNamespace(now=START)
    monkeypatch.setattr(timezone, "now", lambda: state.now)
    return state


def register(**overrides):
    data = {
        "kind": User.Kind.CITIZEN,
        "full_name": "  Lê  Thị Hoa ",
        "identity_number": "037 190 004 321",
        "email": "hoa.le@Example.VN",
        "phone": "",
        "verify_by": "",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "accepted_terms": True,
    }
    data.update(overrides)
    return services.register_account(**data)


def sent_code(channel: str = "email") -> str:
    """The code in the last message queued on ``channel``."""
    message = OutboxMessage.objects.filter(kind="account.verification_code", channel=channel).order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def errors_of(excinfo) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in excinfo.value.errors]


# --- register_account --------------------------------------------------------------------------------


def test_a_citizen_registers_inactive_with_a_profile_and_a_code_queued_by_email(clock):
    pending = register()

    user = User.objects.get()
    assert (user.username, user.kind, user.full_name, user.email, user.phone, user.is_active) == (
        "037190004321",
        "citizen",
        "Lê Thị Hoa",
        "hoa.le@example.vn",
        "",
        False,
    )
    assert user.check_password(PASSWORD)
    profile = CitizenProfile.objects.get(user=user)
    assert (profile.identity_number, profile.tax_code, profile.organisation_name) == ("037190004321", None, "")
    verification = pending.verification
    assert (verification.channel, verification.recipient, verification.failed_attempts) == (
        "email",
        "hoa.le@example.vn",
        0,
    )
    assert verification.expires_at == START + timedelta(minutes=15)
    message = OutboxMessage.objects.get()
    assert (message.kind, message.channel, message.recipient) == (
        "account.verification_code",
        "email",
        "hoa.le@example.vn",
    )
    assert "Kính gửi Ông/Bà Lê Thị Hoa" in message.body
    assert ContactVerification.objects.get().token_hash == services.hash_token(pending.token)
    record = AuditRecord.objects.get(action="person.register")
    assert record.target_id == str(user.pk)
    assert record.after["verify_by"] == "email"
    assert record.after["profile"]["identity_number"] == "037190004321"


def test_the_code_is_stored_only_as_a_keyed_hash(clock):
    pending = register()
    code = sent_code()

    stored = ContactVerification.objects.get(pk=pending.verification.pk)
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert stored.code_hash == services.hash_verification_code(stored, code)
    # Keyed: the plain SHA-256 of the code is not what is stored, and another row's salt gives another hash.
    import hashlib

    assert stored.code_hash != hashlib.sha256(code.encode()).hexdigest()
    other = ContactVerification(salt="0" * 32)
    assert services.hash_verification_code(other, code) != stored.code_hash


def test_a_business_registers_with_its_tax_code_and_gets_the_code_by_sms(clock):
    register(
        kind=User.Kind.BUSINESS,
        full_name="Công ty TNHH Sơn Nam Xanh",
        identity_number="0101234567-001",
        email="",
        phone="0912 345 678",
        verify_by="sms",
    )

    user = User.objects.get()
    assert (user.username, user.kind, user.phone) == ("0101234567-001", "business", "+84912345678")
    profile = user.citizen_profile
    assert (profile.identity_number, profile.tax_code, profile.organisation_name) == (
        None,
        "0101234567-001",
        "Công ty TNHH Sơn Nam Xanh",
    )
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient) == ("sms", "+84912345678")
    assert re.fullmatch(
        r"Ma xac minh tai khoan dich vu cong: \d{6} \(hieu luc 15 phut\)\. Khong cung cap ma nay cho bat ky ai\.",
        message.body,
    )


def test_with_both_contacts_the_chosen_channel_gets_the_code(clock):
    register(phone="0987654321", verify_by="sms")

    assert list(OutboxMessage.objects.values_list("channel", "recipient")) == [("sms", "+84987654321")]


def test_every_field_error_is_reported_at_once_in_vietnamese_and_nothing_is_written(db, counts):
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        register(
            full_name=" ",
            identity_number="abc",
            email="khong-phai-email",
            phone="0236 3822 111",
            password="123",
            password_confirmation="1234",
            accepted_terms=False,
        )

    errors = errors_of(excinfo)
    assert [field for field, _ in errors] == [
        "full_name",
        "identity_number",
        "email",
        "phone",
        "password",
        "password",
        "password",
        "password_confirmation",
        "accepted_terms",
    ]
    assert errors[0] == ("full_name", "Họ và tên không được để trống.")
    assert errors[1] == (
        "identity_number",
        "Số định danh cá nhân phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ).",
    )
    assert errors[2] == ("email", "Địa chỉ thư điện tử 'khong-phai-email' không hợp lệ.")
    assert errors[4:7] == [
        ("password", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ("password", "Mật khẩu này quá phổ biến."),
        ("password", "Mật khẩu này hoàn toàn là số."),
    ]
    assert errors[-2:] == [
        ("password_confirmation", "Mật khẩu nhập lại không khớp."),
        ("accepted_terms", "Bạn cần đồng ý với điều khoản sử dụng để đăng ký."),
    ]
    assert counts() == before
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"identity_number": "123456789"},
            (
                "identity_number",
                "Đăng ký tài khoản cần số định danh cá nhân (CCCD) 12 chữ số; CMND 9 chữ số không dùng được.",
            ),
        ),
        (
            {"identity_number": "099190004321"},
            ("identity_number", "Số định danh cá nhân không hợp lệ: 3 chữ số đầu phải là mã tỉnh từ 001 đến 096."),
        ),
        ({"identity_number": ""}, ("identity_number", "Vui lòng nhập số định danh cá nhân (CCCD).")),
        (
            {"kind": "business", "identity_number": "01012345"},
            ("identity_number", "Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số (dạng 0101234567-001)."),
        ),
        (
            {"email": "", "phone": ""},
            ("email", "Vui lòng nhập thư điện tử hoặc số điện thoại di động (ít nhất một) để nhận mã xác minh."),
        ),
        (
            {"verify_by": "sms"},
            ("phone", "Bạn chọn nhận mã qua tin nhắn SMS: vui lòng nhập số điện thoại di động."),
        ),
        (
            {"email": "", "phone": "0912345678", "verify_by": "email"},
            ("email", "Bạn chọn nhận mã qua thư điện tử: vui lòng nhập địa chỉ thư điện tử."),
        ),
        ({"verify_by": "fax"}, ("verify_by", "Kênh nhận mã phải là thư điện tử hoặc tin nhắn SMS.")),
        ({"kind": "officer"}, ("kind", "Vui lòng chọn loại tài khoản: công dân hoặc doanh nghiệp, tổ chức.")),
        ({"password": "", "password_confirmation": ""}, ("password", "Vui lòng nhập mật khẩu.")),
    ],
)
def test_one_invalid_field(db, overrides, expected):
    with pytest.raises(ValidationFailed) as excinfo:
        register(**overrides)

    assert errors_of(excinfo) == [expected]
    assert User.objects.count() == 0


def test_an_identity_number_already_registered_is_refused_without_saying_by_whom(db, counts):
    register(email="nguoi.dau@example.vn")
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        register(full_name="Người Khác", email="nguoi.khac@example.vn")

    assert errors_of(excinfo) == [("identity_number", services.IDENTITY_TAKEN["citizen"])]
    assert "nguoi.dau" not in excinfo.value.message and "Lê Thị Hoa" not in excinfo.value.message
    assert counts() == before


def test_a_number_held_by_an_account_made_elsewhere_is_taken_too(db):
    services.register_citizen(
        username="vneid-0123456789abcdef", full_name="Trần Văn Nam", password=None, identity_number="037190004321"
    )
    services.register_citizen(
        username="doanhnghiep",
        full_name="Công ty Cổ phần Sơn Nam",
        password=None,
        kind=User.Kind.BUSINESS,
        tax_code="2700123456",
        organisation_name="Công ty Cổ phần Sơn Nam",
    )

    with pytest.raises(ValidationFailed) as citizen:
        register()
    with pytest.raises(ValidationFailed) as business:
        register(kind="business", identity_number="2700123456", full_name="Công ty khác")

    assert errors_of(citizen) == [("identity_number", services.IDENTITY_TAKEN["citizen"])]
    assert errors_of(business) == [("identity_number", services.IDENTITY_TAKEN["business"])]


def test_an_outbox_failure_leaves_no_account_behind(db, counts, monkeypatch):
    before = counts()

    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(notification_services, "notify", broken)

    with pytest.raises(RuntimeError):
        register()

    assert counts() == before
    assert ContactVerification.objects.count() == 0


# --- verify_contact ------------------------------------------------------------------------------------


def test_the_right_code_activates_the_account_once(clock):
    pending = register()

    user = services.verify_contact(token=pending.token, code=sent_code())

    assert User.objects.get(pk=user.pk).is_active is True
    assert ContactVerification.objects.get().verified_at == START
    record = AuditRecord.objects.get(action="person.verify_contact")
    assert (record.before, record.after) == ({"is_active": False}, {"is_active": True, "channel": "email"})
    # Used: the same token and code do nothing more.
    with pytest.raises(ValidationFailed) as again:
        services.verify_contact(token=pending.token, code=sent_code())
    assert errors_of(again) == [("code", services.VERIFICATION_GONE)]


def test_an_unknown_token_gets_the_same_answer_as_a_used_one(db):
    with pytest.raises(ValidationFailed) as excinfo:
        services.verify_contact(token="khong-ton-tai", code="123456")

    assert errors_of(excinfo) == [("code", services.VERIFICATION_GONE)]


def test_a_code_that_is_not_six_digits_is_refused_without_counting(clock):
    pending = register()

    with pytest.raises(ValidationFailed) as excinfo:
        services.verify_contact(token=pending.token, code="12ab")

    assert errors_of(excinfo) == [("code", "Mã xác minh gồm 6 chữ số.")]
    assert ContactVerification.objects.get().failed_attempts == 0


def test_the_code_expires_after_fifteen_minutes(clock):
    pending = register()
    code = sent_code()

    clock.now = START + timedelta(minutes=15)
    with pytest.raises(ValidationFailed) as excinfo:
        services.verify_contact(token=pending.token, code=code)

    assert errors_of(excinfo) == [("code", "Mã xác minh đã hết hạn. Vui lòng bấm “Gửi lại mã” để nhận mã mới.")]
    assert User.objects.get().is_active is False


def test_the_code_still_works_just_before_it_expires(clock):
    pending = register()

    clock.now = START + timedelta(minutes=15) - timedelta(seconds=1)
    services.verify_contact(token=pending.token, code=sent_code())

    assert User.objects.get().is_active is True


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_five_wrong_codes_lock_the_code_even_the_right_one_then(clock):
    pending = register()
    code = sent_code()

    messages = []
    for _ in range(5):
        with pytest.raises(ValidationFailed) as excinfo:
            services.verify_contact(token=pending.token, code=wrong(code))
        messages.append(excinfo.value.message)
    with pytest.raises(ValidationFailed) as locked:
        services.verify_contact(token=pending.token, code=code)

    assert messages == [
        "Mã xác minh không đúng. Bạn còn 4 lần thử.",
        "Mã xác minh không đúng. Bạn còn 3 lần thử.",
        "Mã xác minh không đúng. Bạn còn 2 lần thử.",
        "Mã xác minh không đúng. Bạn còn 1 lần thử.",
        "Mã xác minh không đúng. Bạn đã nhập sai 5 lần: vui lòng bấm “Gửi lại mã” để nhận mã mới.",
    ]
    assert locked.value.message == "Bạn đã nhập sai mã 5 lần. Vui lòng bấm “Gửi lại mã” để nhận mã mới."
    assert ContactVerification.objects.get().failed_attempts == 5
    assert User.objects.get().is_active is False


# --- resend_verification_code ------------------------------------------------------------------------


def test_resend_is_throttled_then_sends_a_new_code_that_replaces_the_old(clock):
    pending = register()
    first = sent_code()

    clock.now = START + timedelta(seconds=45)
    with pytest.raises(Throttled) as excinfo:
        services.resend_verification_code(token=pending.token)
    assert excinfo.value.message == "Mã vừa được gửi. Vui lòng đợi 15 giây trước khi yêu cầu mã mới."
    assert OutboxMessage.objects.count() == 1

    clock.now = START + timedelta(seconds=60)
    services.resend_verification_code(token=pending.token)

    assert OutboxMessage.objects.count() == 2
    verification = ContactVerification.objects.get()
    assert (verification.codes_sent, verification.code_sent_at, verification.expires_at) == (
        2,
        START + timedelta(seconds=60),
        START + timedelta(seconds=60, minutes=15),
    )
    second = sent_code()
    if second != first:  # one chance in a million that the new code is the same
        with pytest.raises(ValidationFailed):
            services.verify_contact(token=pending.token, code=first)
    services.verify_contact(token=pending.token, code=second)
    assert User.objects.get().is_active is True
    assert AuditRecord.objects.filter(action="person.resend_verification_code").count() == 1


def test_a_new_code_clears_the_wrong_attempts(clock):
    pending = register()
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            services.verify_contact(token=pending.token, code=wrong(sent_code()))

    clock.now = START + timedelta(minutes=2)
    services.resend_verification_code(token=pending.token)

    assert ContactVerification.objects.get().failed_attempts == 0
    services.verify_contact(token=pending.token, code=sent_code())
    assert User.objects.get().is_active is True


def test_resend_with_an_unknown_token_is_refused(db):
    with pytest.raises(ValidationFailed) as excinfo:
        services.resend_verification_code(token="khong-ton-tai")

    assert errors_of(excinfo) == [("code", services.VERIFICATION_GONE)]
    assert OutboxMessage.objects.count() == 0


# --- resume_registration -----------------------------------------------------------------------------


def test_signing_in_with_the_password_resumes_an_unverified_registration_with_a_new_token(clock):
    pending = register()
    code = sent_code()

    assert services.resume_registration(username="037190004321", password="sai-mat-khau") is None
    resumed = services.resume_registration(username="037190004321", password=PASSWORD)

    assert resumed is not None and resumed.token != pending.token
    with pytest.raises(ValidationFailed):
        services.verify_contact(token=pending.token, code=code)  # the old token no longer works
    services.verify_contact(token=resumed.token, code=code)
    assert User.objects.get().is_active is True
    # Verified: nothing left to resume.
    assert services.resume_registration(username="037190004321", password=PASSWORD) is None


# --- update_profile -----------------------------------------------------------------------------------


def test_a_citizen_edits_name_birth_date_and_address_and_it_is_audited(clock):
    pending = register()
    user = services.verify_contact(token=pending.token, code=sent_code())
    from datetime import date

    profile = services.update_profile(
        by=user, user=user, full_name="Lê Thị Hoà", date_of_birth=date(1990, 5, 17), address=" 12  Lê Lợi, Yên Khánh "
    )

    assert (User.objects.get(pk=user.pk).full_name, profile.date_of_birth, profile.address) == (
        "Lê Thị Hoà",
        date(1990, 5, 17),
        "12 Lê Lợi, Yên Khánh",
    )
    record = AuditRecord.objects.get(action="person.update_profile")
    assert record.before["full_name"] == "Lê Thị Hoa"
    assert record.after["address"] == "12 Lê Lợi, Yên Khánh"


def test_profile_errors_and_refusals(clock, specialist):
    from datetime import date

    from egov.core.errors import PermissionDenied

    pending = register()
    user = services.verify_contact(token=pending.token, code=sent_code())

    with pytest.raises(ValidationFailed) as excinfo:
        services.update_profile(by=user, user=user, full_name="", date_of_birth=date(2027, 1, 1), address="x" * 301)
    assert errors_of(excinfo) == [
        ("full_name", "Họ và tên không được để trống."),
        ("address", "Địa chỉ dài quá 300 ký tự."),
        ("date_of_birth", "Ngày sinh không được ở tương lai."),
    ]
    with pytest.raises(PermissionDenied):
        services.update_profile(by=specialist, user=user, full_name="Ai đó")
    with pytest.raises(PermissionDenied):
        services.update_profile(by=specialist, user=specialist, full_name="Cán bộ")
    assert User.objects.get(pk=user.pk).full_name == "Lê Thị Hoa"


# --- a registration never verified does not hold the number for ever ----------------------------------


def test_an_unverified_registration_is_taken_over_once_its_code_has_expired(clock):
    first = register(email="go.nham@example.vn")  # a typo: the code never arrives
    user_pk = User.objects.get().pk

    clock.now = START + timedelta(minutes=14)
    with pytest.raises(ValidationFailed) as excinfo:
        register(email="hoa.le@example.vn")
    assert errors_of(excinfo) == [("identity_number", services.IDENTITY_TAKEN["citizen"])]

    clock.now = START + timedelta(minutes=15)
    second = register(
        email="hoa.le@example.vn", password="Mat-khau-khac-2026", password_confirmation="Mat-khau-khac-2026"
    )

    user = User.objects.get()
    assert (user.pk, user.email, user.is_active) == (user_pk, "hoa.le@example.vn", False)
    assert user.check_password("Mat-khau-khac-2026") and not user.check_password(PASSWORD)
    assert ContactVerification.objects.get().recipient == "hoa.le@example.vn"
    with pytest.raises(ValidationFailed):
        services.verify_contact(token=first.token, code=sent_code())
    services.verify_contact(token=second.token, code=sent_code())
    assert User.objects.get().is_active is True
    record = AuditRecord.objects.filter(action="person.register").order_by("-seq").first()
    assert (record.before["email"], record.after["email"], record.after["replaces_unverified"]) == (
        "go.nham@example.vn",
        "hoa.le@example.vn",
        True,
    )


def test_a_verified_account_is_never_taken_over_even_when_deactivated(clock):
    pending = register()
    services.verify_contact(token=pending.token, code=sent_code())
    User.objects.update(is_active=False)

    clock.now = START + timedelta(days=2)
    with pytest.raises(ValidationFailed) as excinfo:
        register(email="ke.gian@example.vn")

    assert errors_of(excinfo) == [("identity_number", services.IDENTITY_TAKEN["citizen"])]
    assert User.objects.get().email == "hoa.le@example.vn"


def test_an_inactive_account_made_another_way_is_never_taken_over(clock):
    services.register_citizen(
        username="037190004321", full_name="Trần Văn Nam", password=None, identity_number="037190004321"
    )
    User.objects.update(is_active=False)

    with pytest.raises(ValidationFailed) as excinfo:
        register()

    assert errors_of(excinfo) == [("identity_number", services.IDENTITY_TAKEN["citizen"])]


# --- request_contact_change ---------------------------------------------------------------------------


def test_a_contact_change_is_throttled_refuses_the_current_value_and_officers(clock, specialist):
    from egov.core.errors import PermissionDenied

    pending = register()
    user = services.verify_contact(token=pending.token, code=sent_code())

    with pytest.raises(ValidationFailed) as same:
        services.request_contact_change(by=user, channel="email", value="HOA.LE@example.vn ".lower())
    assert errors_of(same) == [("new_contact", "Giá trị mới trùng với giá trị đang dùng.")]
    first = services.request_contact_change(by=user, channel="sms", value="0912 345 678")
    with pytest.raises(Throttled):
        services.request_contact_change(by=user, channel="sms", value="0987 654 321")
    clock.now = START + timedelta(minutes=1)
    second = services.request_contact_change(by=user, channel="sms", value="0987 654 321")
    with pytest.raises(PermissionDenied):
        services.request_contact_change(by=specialist, channel="email", value="cb@example.vn")

    # The newer request replaced the older: only its code counts.
    with pytest.raises(ValidationFailed):
        services.verify_contact(token=first.token, code=sent_code("sms"), user=user)
    clock.now = START + timedelta(minutes=16)
    with pytest.raises(ValidationFailed) as expired:
        services.verify_contact(token=second.token, code=sent_code("sms"), user=user)
    assert errors_of(expired) == [("code", "Mã xác minh đã hết hạn. Vui lòng bấm “Gửi lại mã” để nhận mã mới.")]
    assert User.objects.get(pk=user.pk).phone == ""
