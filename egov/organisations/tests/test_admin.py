"""The back-office screen for organisations: the service validates the form and writes the row."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from egov.audit.models import AuditRecord
from egov.audit.services import verify_chain
from egov.organisations.models import Organisation
from egov.organisations.tests.helpers import new_message, parent_pk

ADD_URL = "/admin/organisations/organisation/add/"


@pytest.fixture
def superuser(tree, make_officer):
    return make_officer("administrator", tree["province"], username="sieuquantri", is_superuser=True)


def add_form_data(client, **fields) -> dict:
    """The add form's fields plus the management form of every inline, as the browser would send."""
    page = client.get(ADD_URL)
    assert page.status_code == 200
    data = {
        "parent": "",
        "name": "",
        "short_name": "",
        "kind": "",
        "code": "",
        "legacy_code": "",
        "valid_from": "",
        "valid_to": "",
        "address": "",
        "phone": "",
        "email": "",
    }
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial) or 0
    data.update(fields)
    return data


def test_given_an_invalid_code_when_adding_a_unit_then_the_form_shows_the_vietnamese_error_and_nothing_is_written(
    client, tree, superuser, state
):
    client.force_login(superuser)
    data = add_form_data(client, parent=tree["justice"].pk, name="Phòng Pháp chế", kind="division", code="h98.101.03")
    before = state()

    response = client.post(ADD_URL, data)

    assert response.status_code == 200  # the form again, not a redirect
    form = response.context["adminform"].form
    assert form.errors == {"code": [new_message("h98.101.03")]}
    assert escape(new_message("h98.101.03")) in response.content.decode()
    assert state() == before


def test_given_a_taken_code_when_adding_a_unit_then_the_form_names_the_code_field(client, tree, superuser, state):
    client.force_login(superuser)
    data = add_form_data(client, parent=tree["justice"].pk, name="Phòng Pháp chế", kind="division", code="H98.102")
    before = state()

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"code": ["Mã định danh H98.102 đã được dùng cho đơn vị khác."]}
    assert state() == before


def test_given_a_division_without_a_parent_when_adding_then_the_parent_field_is_named(client, tree, superuser, state):
    client.force_login(superuser)
    data = add_form_data(client, name="Phòng lạc", kind="division", code="H97.001")
    before = state()

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"parent": ["Phòng, bộ phận phải thuộc một cơ quan."]}
    assert state() == before


def test_given_a_valid_unit_when_adding_then_it_is_created_under_its_parent_with_one_audit_record(
    client, tree, superuser, state
):
    client.force_login(superuser)
    data = add_form_data(
        client,
        parent=tree["justice"].pk,
        name="Phòng Pháp chế",
        kind="division",
        code="H98.101.03",
        legacy_code="003.00.01.H98",
        valid_from="2025-07-01",
    )
    before = state()

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    assert response["Location"] == "/admin/organisations/organisation/"
    org = Organisation.objects.get(code="H98.101.03")
    assert (org.name, org.kind, org.legacy_code, parent_pk(org), str(org.valid_from)) == (
        "Phòng Pháp chế",
        "division",
        "003.00.01.H98",
        tree["justice"].pk,
        "2025-07-01",
    )
    after = state()
    assert after["organisation_count"] == before["organisation_count"] + 1
    # The validation dry run is rolled back: exactly one record, from the real save.
    assert after["audit_count"] == before["audit_count"] + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.actor_id, rec.target_id, rec.channel, rec.ip_address) == (
        "organisation.create",
        superuser.pk,
        str(org.pk),
        "web",
        "127.0.0.1",
    )
    assert verify_chain().ok


def test_given_an_existing_unit_when_renaming_it_in_the_admin_then_the_change_is_audited(client, tree, superuser):
    client.force_login(superuser)
    justice = tree["justice"]
    url = f"/admin/organisations/organisation/{justice.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: (form.initial.get(name) or "") for name in form.fields if name != "kind"}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name) or 0
    data["name"] = "Sở Tư pháp tỉnh Thử Nghiệm"

    response = client.post(url, data)

    assert response.status_code == 302
    assert Organisation.objects.get(pk=justice.pk).name == "Sở Tư pháp tỉnh Thử Nghiệm"
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.before["name"], rec.after["name"]) == (
        "organisation.update",
        "Sở Tư pháp",
        "Sở Tư pháp tỉnh Thử Nghiệm",
    )
    assert verify_chain().ok


def test_given_a_department_administrator_when_listing_units_then_only_the_department_subtree_is_shown(
    client, tree, make_officer
):
    officer = make_officer("administrator", tree["justice"])
    client.force_login(officer)

    response = client.get("/admin/organisations/organisation/")

    assert response.status_code == 200
    assert sorted(o.code for o in response.context["cl"].result_list) == ["H98.101", "H98.101.01", "H98.101.02"]
    assert client.get(f"/admin/organisations/organisation/{tree['finance'].pk}/change/").status_code == 302
