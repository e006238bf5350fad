"""The back office for people: who may enter it, the account screen (superusers; saved through
``update_account`` / ``set_password``), the role screen (``update_role``), and the screens whose rows
belong to no unit (audit trail, tokens, citizens), which need a whole-tree grant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.people import services
from egov.people.models import Position, Role, User
from egov.people.tests.conftest import PASSWORD

USERS = "/admin/people/user/"
ROLES = "/admin/people/role/"
NEW_PASSWORD = "Mat-khau-moi-2026"


def user_url(user) -> str:
    return f"{USERS}{user.pk}/change/"


def password_url(user) -> str:
    return f"{USERS}{user.pk}/password/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def account(user) -> tuple:
    fresh = User.objects.get(pk=user.pk)
    return fresh.username, fresh.full_name, fresh.email, fresh.kind, fresh.is_active, fresh.is_superuser, fresh.password


def account_form(client, user, **changes) -> dict:
    """The change form as the browser would post it, with some fields changed."""
    page = client.get(user_url(user))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value if value is not None else ""
    for inline in page.context["inline_admin_formsets"]:  # the read-only positions: their hidden ids
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in inline.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                data[inline_form.add_prefix(name)] = getattr(value, "pk", value) or ""
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


@pytest.fixture
def superuser(tree, make_officer):
    return make_officer("administrator", tree["province"], username="sieuquantri", is_superuser=True)


@pytest.fixture
def as_superuser(client, superuser):
    client.force_login(superuser)
    return superuser


def audits_since(count: int) -> list[AuditRecord]:
    return list(AuditRecord.objects.order_by("seq")[count:])


# --- who enters the back office ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["administrator", "evaluator"])
def test_a_back_office_role_opens_the_admin_until_the_position_ends(client, tree, make_officer, role):
    officer = make_officer(role, tree["justice"])
    client.force_login(officer)

    opened = client.get("/admin/")
    services.end_position(
        by=None, position=Position.objects.get(user=officer), on=timezone.localdate() - timedelta(days=1)
    )
    refused = client.get("/admin/")

    assert opened.status_code == 200
    assert (refused.status_code, refused["Location"]) == (302, "/admin/login/?next=/admin/")


def test_a_position_ending_today_still_opens_the_admin_today(client, tree, make_officer):
    officer = make_officer("administrator", tree["justice"])
    services.end_position(by=None, position=Position.objects.get(user=officer), on=timezone.localdate())
    client.force_login(officer)

    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["specialist", "receiving_officer", "unit_head", "agency_leader", "clerk"])
def test_other_roles_are_sent_to_sign_in(client, tree, make_officer, role):
    client.force_login(make_officer(role, tree["province"]))

    response = client.get("/admin/")

    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")


def test_a_citizen_is_sent_to_sign_in(client, citizen):
    client.force_login(citizen)
    assert client.get("/admin/").status_code == 302


# --- the account screen: superusers only, through the services --------------------------------------


def test_a_superuser_edits_a_name_through_update_account(client, as_superuser, specialist):
    before = AuditRecord.objects.count()
    data = account_form(client, specialist, full_name="Trần Văn Chuyên Viên")

    response = client.post(user_url(specialist), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert User.objects.get(pk=specialist.pk).full_name == "Trần Văn Chuyên Viên"
    # One record: the form's validating dry run was rolled back
    [rec] = audits_since(before)
    assert (rec.action, rec.actor_id, rec.target_id, rec.channel) == (
        "person.update_account",
        as_superuser.pk,
        str(specialist.pk),
        "web",
    )
    assert (rec.before["full_name"], rec.after["full_name"]) == ("Trần Văn Chuyên", "Trần Văn Chuyên Viên")


def test_saving_an_unchanged_account_records_nothing(client, as_superuser, specialist):
    before, stored = AuditRecord.objects.count(), account(specialist)

    response = client.post(user_url(specialist), account_form(client, specialist))

    assert response.status_code == 302
    assert (AuditRecord.objects.count(), account(specialist)) == (before, stored)


def test_the_username_cannot_be_changed_in_the_admin(client, as_superuser, specialist):
    page = client.get(user_url(specialist))
    data = account_form(client, specialist, username="ten-moi", phone="0912345678")

    response = client.post(user_url(specialist), data)

    assert "username" not in page.context["adminform"].form.fields
    assert response.status_code == 302
    assert account(specialist)[0] == "chuyenvien"
    assert User.objects.get(pk=specialist.pk).phone == "0912345678"


def test_an_account_change_the_service_refuses_is_shown_on_the_form_and_nothing_changes(
    client, as_superuser, specialist
):
    before, stored = AuditRecord.objects.count(), account(specialist)

    response = client.post(user_url(specialist), account_form(client, specialist, full_name="   "))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"full_name": ["Họ và tên không được để trống."]}
    assert (AuditRecord.objects.count(), account(specialist)) == (before, stored)


def test_the_password_form_sets_the_password_through_the_service(client, as_superuser, specialist):
    before = AuditRecord.objects.count()

    page = client.get(password_url(specialist))
    response = client.post(password_url(specialist), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert page.status_code == 200
    assert "usable_password" not in page.context["form"].fields  # no "disable password sign-in" bypass
    assert (response.status_code, response["Location"]) == (302, user_url(specialist))
    assert User.objects.get(pk=specialist.pk).check_password(NEW_PASSWORD) is True
    [rec] = audits_since(before)
    assert (rec.action, rec.actor_id, rec.target_id, rec.before, rec.after) == (
        "person.set_password",
        as_superuser.pk,
        str(specialist.pk),
        None,
        None,
    )
    assert "Đã đổi mật khẩu." in messages_of(client.get(user_url(specialist)))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"password1": "12345678", "password2": "12345678"}, id="weak"),
        pytest.param({"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}, id="mismatch"),
        pytest.param({"password1": "", "password2": ""}, id="empty"),
        pytest.param({"usable_password": "false", "unset-password": "1"}, id="disable-password-sign-in"),
    ],
)
def test_an_invalid_password_changes_nothing(client, as_superuser, specialist, data):
    before, stored = AuditRecord.objects.count(), account(specialist)

    response = client.post(password_url(specialist), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert (AuditRecord.objects.count(), account(specialist)) == (before, stored)
    assert User.objects.get(pk=specialist.pk).check_password(PASSWORD) is True


def test_a_superuser_changing_their_own_password_stays_signed_in(client, as_superuser):
    response = client.post(password_url(as_superuser), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert User.objects.get(pk=as_superuser.pk).check_password(NEW_PASSWORD) is True
    assert client.get("/admin/").status_code == 200


def test_an_administrator_who_is_not_a_superuser_cannot_open_the_account_screen(client, admin_user, specialist):
    client.force_login(admin_user)
    before, stored = AuditRecord.objects.count(), account(specialist)

    index = client.get("/admin/")
    listing = client.get(USERS)
    change = client.get(user_url(specialist))
    posted = client.post(user_url(specialist), {"full_name": "Tên khác", "kind": "officer"})
    password = client.post(password_url(specialist), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert "User" not in [m["object_name"] for app in index.context["app_list"] for m in app["models"]]
    assert (listing.status_code, change.status_code, posted.status_code, password.status_code) == (403, 403, 403, 403)
    assert (AuditRecord.objects.count(), account(specialist)) == (before, stored)


# --- the role screen ---------------------------------------------------------------------------------


def role_form(client, role, **changes) -> dict:
    page = client.get(f"{ROLES}{role.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {"name": form["name"].value(), "permissions": list(form["permissions"].value())}
    data.update(changes)
    return data


def test_a_root_administrator_edits_a_role_through_update_role(client, admin_user):
    client.force_login(admin_user)
    clerk = Role.objects.get(code="clerk")
    before = AuditRecord.objects.count()

    response = client.post(
        f"{ROLES}{clerk.pk}/change/",
        role_form(
            client,
            clerk,
            name="Văn thư cơ quan",
            permissions=["organisation.view", "document.register", "dossier.view"],
        ),
    )

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.name, clerk.permissions) == (
        "Văn thư cơ quan",
        ["document.register", "dossier.view", "organisation.view"],
    )
    [rec] = audits_since(before)  # the dry run left no record
    assert (rec.action, rec.actor_id, rec.channel, rec.after["name"]) == (
        "person.update_role",
        admin_user.pk,
        "web",
        "Văn thư cơ quan",
    )


def test_a_blank_role_name_is_refused_on_the_form(client, admin_user):
    client.force_login(admin_user)
    clerk = Role.objects.get(code="clerk")
    before = (AuditRecord.objects.count(), clerk.name, clerk.permissions)

    response = client.post(f"{ROLES}{clerk.pk}/change/", role_form(client, clerk, name="  "))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["name"]
    clerk.refresh_from_db()
    assert (AuditRecord.objects.count(), clerk.name, clerk.permissions) == before


def test_the_service_refusal_is_shown_on_the_role_form(client, admin_user, monkeypatch):
    from egov.core.errors import ValidationFailed

    # A refusal the form cannot foresee (e.g. a rule added to the service later) still lands on the form
    def refuse(**kwargs):
        raise ValidationFailed.field("permissions", "Vai trò này phải giữ quyền xem cơ cấu tổ chức.")

    monkeypatch.setattr(services, "update_role", refuse)
    client.force_login(admin_user)
    clerk = Role.objects.get(code="clerk")
    before = (AuditRecord.objects.count(), clerk.name, clerk.permissions)

    response = client.post(f"{ROLES}{clerk.pk}/change/", role_form(client, clerk, permissions=["document.register"]))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "permissions": ["Vai trò này phải giữ quyền xem cơ cấu tổ chức."]
    }
    clerk.refresh_from_db()
    assert (AuditRecord.objects.count(), clerk.name, clerk.permissions) == before


def test_a_department_administrator_cannot_open_or_change_roles(client, tree, make_officer):
    client.force_login(make_officer("administrator", tree["justice"]))
    clerk = Role.objects.get(code="clerk")
    before = (AuditRecord.objects.count(), clerk.name, clerk.permissions)

    listing = client.get(ROLES)
    posted = client.post(f"{ROLES}{clerk.pk}/change/", {"name": "Văn thư", "permissions": ["audit.view"]})

    assert (listing.status_code, posted.status_code) == (403, 403)
    clerk.refresh_from_db()
    assert (AuditRecord.objects.count(), clerk.name, clerk.permissions) == before


# --- screens whose rows belong to no unit: whole-tree grants only ------------------------------------

UNIT_LESS = ["/admin/audit/auditrecord/", "/admin/people/apitoken/", "/admin/people/citizenprofile/", ROLES]


@pytest.mark.parametrize("url", UNIT_LESS)
def test_an_administrator_at_the_root_opens_the_unit_less_screens(client, admin_user, citizen, url):
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", UNIT_LESS)
def test_an_administrator_at_a_department_is_refused_the_unit_less_screens(client, tree, make_officer, citizen, url):
    # policy.has_everywhere: a grant over Sở Tư pháp does not open the whole platform's audit trail,
    # every API token, or every citizen's identity number
    client.force_login(make_officer("administrator", tree["justice"]))

    response = client.get(url)
    index = client.get("/admin/")

    assert response.status_code == 403
    listed = {(app["app_label"], m["object_name"]) for app in index.context["app_list"] for m in app["models"]}
    assert listed.isdisjoint(
        {("audit", "AuditRecord"), ("people", "ApiToken"), ("people", "CitizenProfile"), ("people", "Role")}
    )


def test_the_audit_record_itself_is_refused_to_a_department_administrator(client, tree, make_officer):
    client.force_login(make_officer("administrator", tree["justice"]))
    record = AuditRecord.objects.order_by("seq").first()

    assert client.get(f"/admin/audit/auditrecord/{record.pk}/change/").status_code == 403


def test_a_department_administrator_still_sees_the_positions_of_their_own_units(client, tree, make_officer, specialist):
    # Screens whose rows belong to a unit stay open, filtered to the officer's subtree
    make_officer("clerk", tree["finance"])
    client.force_login(make_officer("administrator", tree["justice"]))

    response = client.get("/admin/people/position/")

    assert response.status_code == 200
    assert {p.unit.code for p in response.context["cl"].result_list} == {"H98.101"}
