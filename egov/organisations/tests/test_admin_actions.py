"""The back-office actions "Hợp nhất vào đơn vị…" and "Giải thể…": a confirmation page asks for the
details, then the services run in one transaction; a refusal is an admin message and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from egov.audit.models import AuditRecord
from egov.organisations.models import Kind, Organisation, Succession
from egov.organisations.services import create_organisation
from egov.organisations.tests.helpers import parent_pk

LIST_URL = "/admin/organisations/organisation/"
TEMPLATE = "admin/organisations/organisation/succession_confirmation.html"


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def choose(action: str, *units: Organisation) -> dict:
    """What the list page posts when units are ticked and an action is chosen."""
    return {"action": action, "index": 0, "_selected_action": [u.pk for u in units]}


def confirm(action: str, *units: Organisation, **fields) -> dict:
    """What the confirmation page posts."""
    data = {"action": action, "apply": "1", "_selected_action": [u.pk for u in units]}
    data.update({k: ("" if v is None else v.pk if isinstance(v, Organisation) else v) for k, v in fields.items()})
    return data


@pytest.fixture
def new_commune(tree):
    return create_organisation(
        by=None,
        parent=tree["province"],
        name="UBND xã Tân Bình",
        kind=Kind.COMMUNE,
        code="H98.302",
        valid_from=date(2025, 7, 1),
    )


@pytest.fixture
def signed_in_admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


# --- merge ------------------------------------------------------------------------------------------


def test_choosing_merge_shows_the_confirmation_page_and_changes_nothing(
    client, signed_in_admin, district, new_commune, state
):
    before = state()

    response = client.post(LIST_URL, choose("merge_into", district["an_binh"], district["binh_minh"]))

    assert response.status_code == 200
    assert TEMPLATE in [t.name for t in response.templates]
    assert [u.code for u in response.context["units"]] == ["H98.201.01", "H98.201.02"]
    form = response.context["form"]
    assert list(form.fields) == ["successor", "effective_on", "move_children", "legal_basis"]
    assert form.fields["move_children"].initial is True
    assert "Hợp nhất vào đơn vị" in response.content.decode()
    assert state() == before


def test_confirming_a_merge_runs_the_service_and_returns_to_the_list(
    client, signed_in_admin, district, new_commune, state
):
    before = state()

    response = client.post(
        LIST_URL,
        confirm(
            "merge_into",
            district["an_binh"],
            district["binh_minh"],
            successor=new_commune,
            effective_on="2025-07-01",
            move_children="on",
            legal_basis=" Nghị quyết 1656/NQ-UBTVQH15 ",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert messages_of(response) == [
        ("success", "Đã hợp nhất 2 đơn vị vào UBND xã Tân Bình từ ngày 01/07/2025."),
    ]
    assert list(
        Succession.objects.order_by("predecessor__code").values_list(
            "predecessor__code", "successor__code", "reason", "effective_on", "legal_basis"
        )
    ) == [
        ("H98.201.01", "H98.302", "merger", date(2025, 7, 1), "Nghị quyết 1656/NQ-UBTVQH15"),
        ("H98.201.02", "H98.302", "merger", date(2025, 7, 1), "Nghị quyết 1656/NQ-UBTVQH15"),
    ]
    assert {Organisation.objects.get(pk=district[k].pk).valid_to for k in ("an_binh", "binh_minh")} == {
        date(2025, 6, 30)
    }
    records = list(AuditRecord.objects.order_by("seq")[before["audit_count"] :])
    assert [(r.action, r.actor_id, r.channel) for r in records] == [
        ("organisation.merge", signed_in_admin.pk, "web")
    ] * 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"successor": "district", "effective_on": "2025-07-01"},
            "Đơn vị kế thừa: Đơn vị kế thừa trực thuộc UBND xã An Bình: không thể chuyển đơn vị vào chính nó.",
            id="into-its-own-child",
        ),
        pytest.param(
            {"successor": "new_commune", "effective_on": "2025-06-01"},
            "Đơn vị kế thừa: UBND xã Tân Bình chưa có hiệu lực vào ngày 01/06/2025.",
            id="successor-not-yet",
        ),
    ],
)
def test_a_merge_the_service_refuses_is_a_message_on_the_page_again_and_nothing_changes(
    client, signed_in_admin, district, new_commune, state, fields, message
):
    if fields["successor"] == "district":
        # UBND xã An Bình into its own parent district is fine; the district into An Bình is not
        sources, successor = (district["district"],), district["an_binh"]
        message = message.replace("UBND xã An Bình", "UBND huyện Thử Nghiệm")
    else:
        sources, successor = (district["an_binh"],), new_commune
    before = state()

    response = client.post(
        LIST_URL,
        confirm(
            "merge_into",
            *sources,
            successor=successor,
            effective_on=fields["effective_on"],
            move_children="on",
            legal_basis="NQ 1",
        ),
    )

    assert response.status_code == 200
    assert TEMPLATE in [t.name for t in response.templates]
    assert messages_of(response) == [("error", message)]
    assert state() == before


def test_an_incomplete_confirmation_shows_the_form_errors_and_changes_nothing(
    client, signed_in_admin, district, new_commune, state
):
    before = state()

    response = client.post(LIST_URL, confirm("merge_into", district["an_binh"], successor=None, legal_basis=""))

    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["effective_on", "legal_basis", "successor"]
    assert state() == before


# --- dissolve --------------------------------------------------------------------------------------


def test_confirming_a_dissolution_moves_the_communes_under_the_province(client, signed_in_admin, tree, district, state):
    before = state()
    page = client.post(LIST_URL, choose("dissolve", district["district"]))

    response = client.post(
        LIST_URL,
        confirm(
            "dissolve",
            district["district"],
            effective_on="2025-07-01",
            successor=tree["province"],
            move_children_to=tree["province"],
            legal_basis="Nghị quyết 76/2025/UBTVQH15",
        ),
        follow=True,
    )

    assert list(page.context["form"].fields) == ["effective_on", "successor", "move_children_to", "legal_basis"]
    assert messages_of(response) == [("success", "Đã giải thể 1 đơn vị từ ngày 01/07/2025.")]
    assert Organisation.objects.get(pk=district["district"].pk).valid_to == date(2025, 6, 30)
    assert [parent_pk(district[k]) for k in ("an_binh", "binh_minh", "ended")] == [
        tree["province"].pk,
        tree["province"].pk,
        district["district"].pk,
    ]
    assert list(Succession.objects.values_list("predecessor", "successor", "reason")) == [
        (district["district"].pk, tree["province"].pk, "dissolution")
    ]
    [rec] = AuditRecord.objects.order_by("seq")[before["audit_count"] :]
    assert (rec.action, rec.actor_id, rec.channel) == ("organisation.dissolve", signed_in_admin.pk, "web")


def test_when_one_of_several_dissolutions_is_refused_none_is_done(client, signed_in_admin, tree, district, state):
    # The division would be dissolved first (it comes first in the tree), then UBND xã Cũ is refused
    before = state()

    response = client.post(
        LIST_URL,
        confirm(
            "dissolve",
            tree["justice_div"],
            district["ended"],
            effective_on="2025-07-01",
            successor=None,
            move_children_to=None,
            legal_basis="QĐ 12/QĐ-UBND",
        ),
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        ("error", "UBND xã Cũ: Ngày hiệu lực: UBND xã Cũ đã hết hiệu lực trước ngày này."),
    ]
    assert state() == before


# --- who may ----------------------------------------------------------------------------------------


def test_a_department_administrator_is_offered_only_their_units_and_cannot_merge_into_another_agency(
    client, tree, make_officer, state
):
    client.force_login(make_officer("administrator", tree["justice"]))
    before = state()

    page = client.post(LIST_URL, choose("merge_into", tree["justice_div"]))
    response = client.post(
        LIST_URL,
        confirm(
            "merge_into",
            tree["justice_div"],
            successor=tree["finance_div"],
            effective_on="2025-07-01",
            move_children="on",
            legal_basis="QĐ 1",
        ),
    )

    offered = page.context["form"].fields["successor"].queryset
    assert [o.code for o in offered] == ["H98.101", "H98.101.02", "H98.101.01"]
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["successor"]
    assert state() == before


def test_a_unit_outside_the_officers_subtree_cannot_be_selected(client, tree, make_officer, state):
    # The list is scoped to the officer's units, so another agency's unit is not in the selection
    client.force_login(make_officer("administrator", tree["justice"]))
    before = state()

    response = client.post(
        LIST_URL,
        confirm(
            "dissolve",
            tree["finance_div"],
            effective_on="2025-07-01",
            successor=None,
            move_children_to=None,
            legal_basis="QĐ 1",
        ),
    )

    assert response.status_code == 302
    assert [str(m) for m in client.get(LIST_URL).context["messages"]] == ["Không có đơn vị nào được chọn."]
    assert state() == before


@pytest.mark.parametrize("role", ["evaluator", "agency_leader"])
def test_officers_who_may_only_look_are_not_offered_the_actions(client, tree, make_officer, state, role):
    officer = make_officer(role, tree["province"])
    client.force_login(officer)
    before = state()

    listing = client.get(LIST_URL)
    forced = client.post(
        LIST_URL,
        confirm(
            "dissolve",
            tree["justice_div"],
            effective_on="2025-07-01",
            successor=None,
            move_children_to=None,
            legal_basis="QĐ 1",
        ),
    )

    if role == "evaluator":
        assert listing.status_code == 200
        assert listing.context["action_form"] is None
        assert forced.status_code in (200, 302)
    else:  # not a back-office role at all
        assert (listing.status_code, forced.status_code) == (302, 302)
    assert state() == before
