"""Services behind the back office's account screens: ``update_account`` (superusers only),
``set_password`` and ``update_role`` (whole-tree ``person.manage`` only). Each is audited, and a refusal
writes nothing."""

from __future__ import annotations

import pytest

from egov.audit.models import AuditRecord
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.people import services
from egov.people.models import Role, User
from egov.people.tests.conftest import PASSWORD

NEW_PASSWORD = "Mat-khau-moi-2026"


def field_errors(exc: ValidationFailed) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in exc.errors]


def account(user: User) -> tuple:
    """Every stored value of an account these services may change."""
    fresh = User.objects.get(pk=user.pk)
    return (
        fresh.full_name,
        fresh.email,
        fresh.phone,
        fresh.kind,
        fresh.is_active,
        fresh.is_superuser,
        fresh.password,
    )


def last_audit() -> AuditRecord:
    return AuditRecord.objects.order_by("-seq").first()


@pytest.fixture
def superuser(tree, make_officer):
    return make_officer("administrator", tree["province"], username="sieuquantri", is_superuser=True)


# --- update_account ----------------------------------------------------------------------------------


def test_a_superuser_updates_an_account_and_it_is_audited_before_and_after(superuser, specialist, counts):
    before = counts()

    services.update_account(
        by=superuser,
        user=specialist,
        changes={"full_name": "Trần Văn Chuyên Viên", "email": "chuyen@stp.example.vn", "is_active": False},
    )

    fresh = User.objects.get(pk=specialist.pk)
    assert (fresh.full_name, fresh.email, fresh.is_active) == ("Trần Văn Chuyên Viên", "chuyen@stp.example.vn", False)
    assert counts() == {**before, "audit": before["audit"] + 1}
    rec = last_audit()
    assert (rec.action, rec.actor_id, rec.target_type, rec.target_id) == (
        "person.update_account",
        superuser.pk,
        "people.user",
        str(specialist.pk),
    )
    assert rec.before == {
        "username": "chuyenvien",
        "kind": "officer",
        "full_name": "Trần Văn Chuyên",
        "email": "",
        "phone": "",
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
    }
    assert rec.after == {
        **rec.before,
        "full_name": "Trần Văn Chuyên Viên",
        "email": "chuyen@stp.example.vn",
        "is_active": False,
    }


@pytest.mark.parametrize("role", ["administrator", "agency_leader", "specialist"])
def test_only_a_superuser_may_update_an_account(tree, make_officer, specialist, counts, role):
    # Even an administrator of the whole province is not a superuser
    officer = make_officer(role, tree["province"])
    before, stored = counts(), account(specialist)

    with pytest.raises(PermissionDenied) as caught:
        services.update_account(by=officer, user=specialist, changes={"full_name": "Tên khác"})

    assert caught.value.message == "Chỉ quản trị cấp cao nhất mới sửa được tài khoản."
    assert (counts(), account(specialist)) == (before, stored)


def test_no_one_updates_their_own_account_without_being_a_superuser(specialist, counts):
    before, stored = counts(), account(specialist)

    with pytest.raises(PermissionDenied):
        services.update_account(by=specialist, user=specialist, changes={"is_superuser": True})

    assert (counts(), account(specialist)) == (before, stored)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"email": "chuyen@", "full_name": "Tên mới"},
            [("email", "Địa chỉ thư điện tử không hợp lệ.")],
            id="email",
        ),
        pytest.param({"full_name": "   "}, [("full_name", "Họ và tên không được để trống.")], id="blank-name"),
        pytest.param({"kind": "alien"}, [("kind", "Loại tài khoản 'alien' không hợp lệ.")], id="kind"),
        pytest.param(
            {"username": "ten-khac", "password": "x", "is_staff": True},
            [
                ("is_staff", "Trường này không sửa được ở đây."),
                ("password", "Trường này không sửa được ở đây."),
                ("username", "Trường này không sửa được ở đây."),
            ],
            id="fields-not-editable-here",
        ),
    ],
)
def test_invalid_account_changes_name_the_field_and_write_nothing(superuser, specialist, counts, changes, expected):
    before, stored = counts(), account(specialist)

    with pytest.raises(ValidationFailed) as caught:
        services.update_account(by=superuser, user=specialist, changes=changes)

    assert field_errors(caught.value) == expected
    assert (counts(), account(specialist)) == (before, stored)


# --- set_password ------------------------------------------------------------------------------------


def test_a_superuser_resets_another_officers_password_audited_without_the_password(superuser, specialist, counts):
    before = counts()

    services.set_password(by=superuser, user=specialist, password=NEW_PASSWORD)

    fresh = User.objects.get(pk=specialist.pk)
    assert (fresh.check_password(NEW_PASSWORD), fresh.check_password(PASSWORD)) == (True, False)
    assert counts() == {**before, "audit": before["audit"] + 1}
    rec = last_audit()
    assert (rec.action, rec.actor_id, rec.target_id, rec.before, rec.after) == (
        "person.set_password",
        superuser.pk,
        str(specialist.pk),
        None,
        None,
    )


def test_anyone_may_set_their_own_password(specialist):
    services.set_password(by=specialist, user=specialist, password=NEW_PASSWORD)

    assert User.objects.get(pk=specialist.pk).check_password(NEW_PASSWORD) is True
    assert (last_audit().action, last_audit().actor_id) == ("person.set_password", specialist.pk)


@pytest.mark.parametrize("role", ["administrator", "agency_leader"])
def test_a_non_superuser_cannot_reset_another_persons_password(tree, make_officer, specialist, counts, role):
    officer = make_officer(role, tree["province"])
    before, stored = counts(), account(specialist)

    with pytest.raises(PermissionDenied) as caught:
        services.set_password(by=officer, user=specialist, password=NEW_PASSWORD)

    assert caught.value.message == "Chỉ quản trị cấp cao nhất mới đặt lại được mật khẩu của người khác."
    assert (counts(), account(specialist)) == (before, stored)


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        pytest.param("12345678", ["Mật khẩu này quá phổ biến.", "Mật khẩu này hoàn toàn là số."], id="common-numeric"),
        pytest.param("chuyenvien1", ["Mật khẩu quá giống với Tên đăng nhập."], id="like-the-username"),
    ],
)
def test_the_password_validators_refuse_on_field_password_and_nothing_changes(
    superuser, specialist, counts, password, messages
):
    before, stored = counts(), account(specialist)

    with pytest.raises(ValidationFailed) as caught:
        services.set_password(by=superuser, user=specialist, password=password)

    assert field_errors(caught.value) == [("password", m) for m in messages]
    assert (counts(), account(specialist)) == (before, stored)


def test_a_short_password_is_refused_on_field_password(superuser, specialist, counts):
    before = counts()

    with pytest.raises(ValidationFailed) as caught:
        services.set_password(by=superuser, user=specialist, password="Xy-7")

    assert [e.field for e in caught.value.errors] == ["password"]
    assert counts() == before


# --- update_role -------------------------------------------------------------------------------------


def role_row(code: str) -> tuple:
    role = Role.objects.get(code=code)
    return role.name, role.permissions


@pytest.mark.parametrize(
    ("role", "unit", "allowed"),
    [
        ("administrator", "province", True),  # person.manage over the whole tree
        ("administrator", "justice", False),  # person.manage over one department only
        ("administrator", "justice_div", False),
        ("agency_leader", "province", False),  # no person.manage at all
        ("unit_head", "province", False),
        ("evaluator", "province", False),
        ("specialist", "province", False),
    ],
)
def test_only_a_whole_tree_person_manage_may_change_a_role(tree, make_officer, counts, role, unit, allowed):
    officer = make_officer(role, tree[unit])
    before, stored = counts(), role_row("clerk")

    if allowed:
        services.update_role(
            by=officer,
            role=Role.objects.get(code="clerk"),
            name="Văn thư cơ quan",
            permissions=["organisation.view", "document.register", "organisation.view", "dossier.view"],
        )
        # sorted, without duplicates
        assert role_row("clerk") == ("Văn thư cơ quan", ["document.register", "dossier.view", "organisation.view"])
        rec = last_audit()
        assert (rec.action, rec.actor_id, rec.target_type) == ("person.update_role", officer.pk, "people.role")
        assert rec.before == {"name": stored[0], "permissions": stored[1]}
        assert rec.after == {
            "name": "Văn thư cơ quan",
            "permissions": ["document.register", "dossier.view", "organisation.view"],
        }
        assert counts() == {**before, "audit": before["audit"] + 1}
    else:
        with pytest.raises(PermissionDenied) as caught:
            services.update_role(
                by=officer, role=Role.objects.get(code="clerk"), name="Văn thư", permissions=["audit.view"]
            )
        assert caught.value.message == "Chỉ quản trị toàn hệ thống mới sửa được vai trò."
        assert (counts(), role_row("clerk")) == (before, stored)


@pytest.mark.parametrize(
    ("name", "permissions", "expected"),
    [
        pytest.param(
            "Văn thư",
            ["document.register", "quyen.khong.co", "admin.all"],
            [("permissions", "Quyền không tồn tại: admin.all, quyen.khong.co.")],
            id="unknown-permissions",
        ),
        pytest.param("  ", ["document.register"], [("name", "Tên vai trò không được để trống.")], id="blank-name"),
    ],
)
def test_an_invalid_role_change_names_the_field_and_writes_nothing(admin_user, counts, name, permissions, expected):
    before, stored = counts(), role_row("clerk")

    with pytest.raises(ValidationFailed) as caught:
        services.update_role(by=admin_user, role=Role.objects.get(code="clerk"), name=name, permissions=permissions)

    assert field_errors(caught.value) == expected
    assert (counts(), role_row("clerk")) == (before, stored)


def test_a_role_change_applies_to_its_holders_at_once(tree, admin_user, specialist):
    from egov.access import policy

    assert policy.has(User.objects.get(pk=specialist.pk), "audit.view") is False

    services.update_role(
        by=admin_user,
        role=Role.objects.get(code="specialist"),
        name="Chuyên viên",
        permissions=[*Role.objects.get(code="specialist").permissions, "audit.view"],
    )

    assert policy.has(User.objects.get(pk=specialist.pk), "audit.view", tree["justice"]) is True
    assert policy.has(User.objects.get(pk=specialist.pk), "audit.view", tree["finance"]) is False
