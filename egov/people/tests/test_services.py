"""Services: citizen and business registration, officers and their positions, password hashing."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.core.errors import Conflict, ValidationFailed
from egov.people import services
from egov.people.models import CitizenProfile, Position, User
from egov.people.tests.conftest import PASSWORD, plus


def field_errors(exc: ValidationFailed) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in exc.errors]


# --- register_citizen --------------------------------------------------------------------------------


def test_register_citizen_creates_account_profile_and_audit_record(db, counts):
    # given an empty database
    before = counts()

    # when a citizen registers with a spaced CCCD number
    user = services.register_citizen(
        username=" congdan ",
        full_name=" Nguyễn Thị Bình ",
        password=PASSWORD,
        identity_number="001 099 012 345",
        email="binh@example.vn",
        phone="0912345678",
        date_of_birth=date(1999, 5, 17),
    )

    # then one account, one profile and one audit record exist, with normalised values
    user.refresh_from_db()
    assert (user.username, user.full_name, user.kind, user.email, user.phone) == (
        "congdan",
        "Nguyễn Thị Bình",
        "citizen",
        "binh@example.vn",
        "0912345678",
    )
    assert user.is_staff is False and user.is_superuser is False
    assert user.check_password(PASSWORD) is True
    profile = user.citizen_profile
    assert (profile.identity_number, profile.tax_code, profile.organisation_name, profile.date_of_birth) == (
        "001099012345",
        None,
        "",
        date(1999, 5, 17),
    )
    assert counts() == plus(before, users=1, profiles=1, audit=1)
    record = AuditRecord.objects.get()
    assert (record.action, record.actor_id, record.target_type, record.target_id) == (
        "person.register_citizen",
        user.pk,
        "people.user",
        str(user.pk),
    )
    assert record.after["kind"] == "citizen"
    assert record.after["profile"]["identity_number"] == "001099012345"


def test_register_business_normalises_the_tax_code(db):
    user = services.register_citizen(
        username="congty",
        full_name="Lê Văn Giám Đốc",
        password=PASSWORD,
        kind=User.Kind.BUSINESS,
        tax_code="0101234567001",
        organisation_name=" Công ty TNHH Sơn Nam ",
    )

    profile = CitizenProfile.objects.get(user=user)
    assert (user.kind, profile.identity_number, profile.tax_code, profile.organisation_name) == (
        "business",
        None,
        "0101234567-001",
        "Công ty TNHH Sơn Nam",
    )


def test_register_citizen_without_password_gets_an_unusable_password(db):
    user = services.register_citizen(
        username="vneid-1", full_name="Nguyễn Văn A", password=None, identity_number="001099012345"
    )
    assert user.has_usable_password() is False


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"kind": "citizen", "identity_number": ""},
            [("identity_number", "Số định danh cá nhân phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ).")],
        ),
        (
            {"kind": "citizen", "identity_number": "098099012345"},
            [
                (
                    "identity_number",
                    "Số định danh cá nhân không hợp lệ: 3 chữ số đầu phải là mã tỉnh từ 001 đến 096.",
                )
            ],
        ),
        (
            {"kind": "business", "organisation_name": "Công ty A"},
            [("tax_code", "Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số (dạng 0101234567-001).")],
        ),
        (
            {"kind": "business", "tax_code": "0101234567"},
            [("organisation_name", "Tên doanh nghiệp, tổ chức không được để trống.")],
        ),
        (
            {"kind": "business"},
            [
                ("tax_code", "Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số (dạng 0101234567-001)."),
                ("organisation_name", "Tên doanh nghiệp, tổ chức không được để trống."),
            ],
        ),
        (
            {"kind": "officer", "identity_number": "001099012345"},
            [("kind", "Loại tài khoản phải là công dân hoặc doanh nghiệp.")],
        ),
        (
            {"identity_number": "001099012345", "date_of_birth": date.today() + timedelta(days=2)},
            [("date_of_birth", "Ngày sinh không được ở tương lai.")],
        ),
        (
            {"identity_number": "001099012345", "email": "khong-phai-email"},
            [("email", "Địa chỉ thư điện tử không hợp lệ.")],
        ),
        (
            {"identity_number": "001099012345", "full_name": "  "},
            [("full_name", "Họ và tên không được để trống.")],
        ),
        (
            {"identity_number": "001099012345", "username": ""},
            [("username", "Tên đăng nhập không được để trống.")],
        ),
    ],
    ids=[
        "citizen-without-id",
        "citizen-bad-province",
        "business-without-tax-code",
        "business-without-name",
        "business-without-both",
        "officer-kind",
        "future-birth-date",
        "bad-email",
        "blank-name",
        "blank-username",
    ],
)
def test_register_citizen_refuses_invalid_input_and_writes_nothing(db, counts, kwargs, expected):
    # given
    before = counts()
    arguments = {"username": "nguoimoi", "full_name": "Người Mới", "password": PASSWORD} | kwargs

    # when
    with pytest.raises(ValidationFailed) as excinfo:
        services.register_citizen(**arguments)

    # then the errors name the right fields, and nothing was written
    assert field_errors(excinfo.value) == expected
    assert excinfo.value.status == 422
    assert counts() == before


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"username": "CONGDAN", "identity_number": "001099099999"},
            [("username", "Tên đăng nhập 'CONGDAN' đã tồn tại.")],
        ),
        (
            {"username": "khac", "identity_number": "001 099 012 345"},
            [("identity_number", "Số định danh này đã được đăng ký cho tài khoản khác.")],
        ),
    ],
    ids=["same-username-other-case", "same-identity-number-spaced"],
)
def test_register_citizen_refuses_duplicates_on_the_right_field(citizen, counts, kwargs, expected):
    before = counts()
    with pytest.raises(ValidationFailed) as excinfo:
        services.register_citizen(full_name="Người Khác", password=PASSWORD, **kwargs)
    assert field_errors(excinfo.value) == expected
    assert counts() == before


@pytest.mark.parametrize("typed", ["0101234567-001", "0101234567001", "0101 234 567 001"])
def test_register_business_refuses_a_tax_code_already_registered(db, counts, typed):
    services.register_citizen(
        username="congty1",
        full_name="Giám đốc 1",
        password=PASSWORD,
        kind="business",
        tax_code="0101234567-001",
        organisation_name="Công ty 1",
    )
    before = counts()

    with pytest.raises(ValidationFailed) as excinfo:
        services.register_citizen(
            username="congty2",
            full_name="Giám đốc 2",
            password=PASSWORD,
            kind="business",
            tax_code=typed,
            organisation_name="Công ty 2",
        )

    assert field_errors(excinfo.value) == [("tax_code", "Mã số thuế này đã được đăng ký cho tài khoản khác.")]
    assert counts() == before


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("12345678", ["Mật khẩu này quá phổ biến.", "Mật khẩu này hoàn toàn là số."]),
        ("nguoimoi1", ["Mật khẩu quá giống với Tên đăng nhập."]),
    ],
)
def test_register_citizen_refuses_a_weak_password_on_field_password(db, counts, password, messages):
    before = counts()
    with pytest.raises(ValidationFailed) as excinfo:
        services.register_citizen(
            username="nguoimoi", full_name="Người Mới", password=password, identity_number="001099012345"
        )
    assert field_errors(excinfo.value) == [("password", m) for m in messages]
    assert counts() == before


def test_register_citizen_refuses_a_short_password_on_field_password(db, counts):
    before = counts()
    with pytest.raises(ValidationFailed) as excinfo:
        services.register_citizen(
            username="nguoimoi", full_name="Người Mới", password="Xy-7", identity_number="001099012345"
        )
    assert [e.field for e in excinfo.value.errors] == ["password"]
    assert counts() == before


def test_register_citizen_race_on_identity_number_is_a_conflict_and_writes_nothing(citizen, counts):
    # given another request registered the same number between our check and our insert
    before = counts()
    real_filter = CitizenProfile.objects.filter

    def filter_missing_the_race(*args, **kwargs):
        if "identity_number" in kwargs:
            return CitizenProfile.objects.none()
        return real_filter(*args, **kwargs)

    # when
    with mock.patch.object(CitizenProfile.objects, "filter", side_effect=filter_missing_the_race):
        with pytest.raises(Conflict) as excinfo:
            services.register_citizen(
                username="khac", full_name="Người Khác", password=PASSWORD, identity_number="001099012345"
            )

    # then a typed conflict, not a database error; the half-made account is rolled back
    assert excinfo.value.message == "Số định danh hoặc mã số thuế vừa được đăng ký bởi yêu cầu khác."
    assert counts() == before


# --- officers and positions --------------------------------------------------------------------------


def test_administrator_creates_an_officer_with_a_position(tree, admin_user, counts):
    before = counts()

    officer = services.create_officer(
        by=admin_user,
        username="tiepnhan",
        full_name="Phạm Thị Tiếp",
        password=PASSWORD,
        unit=tree["justice_desk"],
        role_code="receiving_officer",
        title="Cán bộ một cửa",
        email="tiep@stp.example.vn",
    )

    officer.refresh_from_db()
    assert (officer.kind, officer.full_name, officer.is_staff, officer.is_superuser) == (
        "officer",
        "Phạm Thị Tiếp",
        False,
        False,
    )
    assert list(Position.objects.filter(user=officer).values_list("unit__code", "role__code", "title")) == [
        ("H98.101.01", "receiving_officer", "Cán bộ một cửa")
    ]
    assert counts() == plus(before, users=1, positions=1, audit=2)
    actions = list(AuditRecord.objects.order_by("-seq").values_list("action", "actor_id")[:2])
    assert actions == [("person.assign_position", admin_user.pk), ("person.create_officer", admin_user.pk)]


@pytest.mark.parametrize(("role", "allowed"), [("administrator", True), ("evaluator", True), ("clerk", False)])
def test_back_office_access_follows_the_current_role(tree, role, allowed):
    from datetime import timedelta

    from django.utils import timezone

    from egov.access.back_office import can_use_back_office
    from egov.people.models import Position, User

    officer = services.create_officer(
        by=None, username="canbo", full_name="Cán Bộ", password=PASSWORD, unit=tree["justice"], role_code=role
    )
    assert can_use_back_office(User.objects.get(pk=officer.pk)) is allowed
    # ending the position takes the back office away at once
    services.end_position(
        by=None, position=Position.objects.get(user=officer), on=timezone.localdate() - timedelta(days=1)
    )
    assert can_use_back_office(User.objects.get(pk=officer.pk)) is False


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"role_code": "thu_ky"}, [("role", "Vai trò 'thu_ky' không tồn tại.")]),
        ({"username": "quantri"}, [("username", "Tên đăng nhập 'quantri' đã tồn tại.")]),
        ({"password": "password"}, [("password", "Mật khẩu này quá phổ biến.")]),
        (
            {"is_superuser": True},
            [("is_superuser", "Chỉ quản trị cấp cao nhất mới tạo được tài khoản quản trị cấp cao nhất.")],
        ),
    ],
    ids=["unknown-role", "duplicate-username", "weak-password", "superuser-by-non-superuser"],
)
def test_create_officer_refuses_invalid_input_and_writes_nothing(tree, admin_user, counts, kwargs, expected):
    before = counts()
    arguments = {
        "username": "canbomoi",
        "full_name": "Cán Bộ Mới",
        "password": PASSWORD,
        "unit": tree["justice"],
        "role_code": "specialist",
    } | kwargs
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_officer(by=admin_user, **arguments)
    assert field_errors(excinfo.value) == expected
    assert counts() == before


def test_create_officer_race_on_username_is_a_conflict_and_writes_nothing(tree, admin_user, counts):
    # given the up-front checks passed, but another request took the username before our insert
    before = counts()
    with mock.patch("egov.people.services.officers._account_errors", return_value=[]):
        with pytest.raises(Conflict) as excinfo:
            services.create_officer(
                by=admin_user,
                username="quantri",
                full_name="Trùng Tên",
                password=PASSWORD,
                unit=tree["justice"],
                role_code="specialist",
            )
    assert excinfo.value.message == "Tên đăng nhập 'quantri' vừa được tạo bởi yêu cầu khác."
    assert counts() == before


def test_assign_a_second_role_then_the_same_again_is_a_conflict(tree, admin_user, specialist, counts):
    # given a specialist of the Department of Justice
    services.assign_position(by=admin_user, user=specialist, unit=tree["justice_div"], role_code="unit_head")
    assert sorted(Position.objects.filter(user=specialist).values_list("unit__code", "role__code")) == [
        ("H98.101", "specialist"),
        ("H98.101.02", "unit_head"),
    ]
    before = counts()

    # when the same role in the same unit is assigned again
    with pytest.raises(Conflict) as excinfo:
        services.assign_position(by=admin_user, user=specialist, unit=tree["justice_div"], role_code="unit_head")

    # then
    assert excinfo.value.message == "Trần Văn Chuyên đã có vai trò Trưởng phòng tại Phòng Hành chính tư pháp."
    assert excinfo.value.status == 409
    assert counts() == before


def test_assign_position_refuses_a_citizen_an_unknown_role_and_an_ended_unit(tree, admin_user, citizen, counts):
    from egov.organisations.models import Organisation

    Organisation.objects.filter(pk=tree["commune"].pk).update(valid_to=timezone.localdate() - timedelta(days=1))
    tree["commune"].refresh_from_db()
    before = counts()

    cases = [
        (
            {"user": citizen, "unit": tree["justice"], "role_code": "specialist"},
            ("user", "Chỉ giao vị trí công tác cho tài khoản cán bộ."),
        ),
        (
            {"user": admin_user, "unit": tree["justice"], "role_code": "khong_co"},
            ("role", "Vai trò 'khong_co' không tồn tại."),
        ),
        (
            {"user": admin_user, "unit": tree["commune"], "role_code": "specialist"},
            ("unit", "UBND xã Thử Nghiệm không còn hiệu lực."),
        ),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ValidationFailed) as excinfo:
            services.assign_position(by=admin_user, **kwargs)
        assert field_errors(excinfo.value) == [expected]
    assert counts() == before


def test_officer_services_decide_on_the_units_current_place_in_the_tree(tree, make_officer, specialist, counts):
    from egov.core.errors import PermissionDenied
    from egov.organisations.models import Organisation

    # given an administrator of the Department of Finance, and a copy of the Department of Justice
    finance_admin_id = make_officer("administrator", tree["finance"]).pk
    stale_justice = Organisation.objects.get(pk=tree["justice"].pk)

    # when the copy's path is out of date (a merger elsewhere moved units) and now equals the
    # Department of Finance's
    stale_justice.path = Organisation.objects.get(pk=tree["finance"].pk).path
    finance_admin = User.objects.get(pk=finance_admin_id)
    before = counts()

    # then the Finance administrator still may not staff the Department of Justice
    with pytest.raises(PermissionDenied):
        services.create_officer(
            by=finance_admin,
            username="canbomoi",
            full_name="Cán Bộ Mới",
            password=PASSWORD,
            unit=stale_justice,
            role_code="specialist",
        )
    with pytest.raises(PermissionDenied):
        services.assign_position(by=finance_admin, user=specialist, unit=stale_justice, role_code="clerk")
    assert counts() == before


def test_end_position_sets_valid_to_and_is_audited(tree, admin_user, specialist, counts):
    position = Position.objects.get(user=specialist)
    yesterday = timezone.localdate() - timedelta(days=1)
    before = counts()

    ended = services.end_position(by=admin_user, position=position, on=yesterday)

    ended.refresh_from_db()
    assert ended.valid_to == yesterday
    assert counts() == plus(before, audit=1)
    record = AuditRecord.objects.order_by("-seq").first()
    assert (record.action, record.actor_id, record.before, record.after) == (
        "person.end_position",
        admin_user.pk,
        {"valid_to": None},
        {"valid_to": yesterday.isoformat()},
    )


# --- password hashing ----------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2_under_the_project_settings(tree, settings):
    # given the project's real hashers (the root conftest switches tests to MD5)
    from egov import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    # when a citizen and an officer are created
    citizen = services.register_citizen(
        username="congdan", full_name="Công Dân", password=PASSWORD, identity_number="001099012345"
    )
    officer = services.create_officer(
        by=None, username="canbo", full_name="Cán Bộ", password=PASSWORD, unit=tree["justice"], role_code="clerk"
    )

    # then both stored hashes are Argon2id and verify
    for user in (citizen, officer):
        stored = User.objects.get(pk=user.pk)
        assert stored.password.startswith("argon2$argon2id$")
        assert stored.check_password(PASSWORD) is True
        assert stored.check_password(PASSWORD + "x") is False
