"""Who may change the tree: every role, positioned at Sở Tư pháp, against its own subtree and against
another agency (Sở Tài chính), for each service. A refusal changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from egov.audit.models import AuditRecord
from egov.core.errors import PermissionDenied
from egov.organisations.models import Kind, Organisation, Succession
from egov.organisations.services import (
    create_organisation,
    dissolve_organisation,
    merge_organisations,
    update_organisation,
)
from egov.organisations.tests.helpers import DENIED_MANAGE, parent_pk

ROLES = ["administrator", "agency_leader", "unit_head", "specialist", "receiving_officer", "clerk", "evaluator"]
ALLOWED = {("administrator", "own")}
DEPARTMENT = {"own": "justice", "other": "finance"}
DIVISION = {"own": "justice_div", "other": "finance_div"}
CODE = {"own": "H98.101", "other": "H98.102"}
DAY = date(2025, 7, 1)


def _create(tree, scope, by):
    return create_organisation(
        by=by, parent=tree[DEPARTMENT[scope]], name="Phòng Thanh tra", kind=Kind.DIVISION, code=f"{CODE[scope]}.09"
    )


def _update(tree, scope, by):
    return update_organisation(by=by, organisation=tree[DIVISION[scope]], name="Phòng đổi tên")


def _merge(tree, scope, by):
    return merge_organisations(by=by, sources=[tree[DIVISION[scope]]], successor=tree[f"new_{scope}"], effective_on=DAY)


def _dissolve(tree, scope, by):
    return dissolve_organisation(by=by, organisation=tree[DIVISION[scope]], effective_on=DAY)


OPERATIONS = {"create": _create, "update": _update, "merge": _merge, "dissolve": _dissolve}


def _effect(tree, scope, operation) -> None:
    """What the operation visibly did, when it was allowed."""
    division = Organisation.objects.get(pk=tree[DIVISION[scope]].pk)
    if operation == "create":
        assert parent_pk(Organisation.objects.get(code=f"{CODE[scope]}.09")) == tree[DEPARTMENT[scope]].pk
    elif operation == "update":
        assert division.name == "Phòng đổi tên"
    else:
        assert division.valid_to == date(2025, 6, 30)
        assert Succession.objects.filter(predecessor=division).count() == 1


@pytest.fixture
def matrix_tree(tree):
    """The shared tree plus, in each department, a division to merge the old one into."""
    for scope, department in DEPARTMENT.items():
        tree[f"new_{scope}"] = create_organisation(
            by=None, parent=tree[department], name="Phòng hợp nhất", kind=Kind.DIVISION, code=f"{CODE[scope]}.10"
        )
    for org in tree.values():
        org.refresh_from_db()
    return tree


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("scope", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_organisation_manage(matrix_tree, make_officer, state, role, scope, operation):
    # Given an officer holding `role` at Sở Tư pháp
    officer = make_officer(role, matrix_tree["justice"])
    before = state()

    if (role, scope) in ALLOWED:
        # When they change a unit of their own subtree, then it is done and audited as theirs
        OPERATIONS[operation](matrix_tree, scope, officer)
        _effect(matrix_tree, scope, operation)
        assert AuditRecord.objects.order_by("-seq").first().actor_id == officer.pk
        assert state()["audit_count"] > before["audit_count"]
    else:
        # When they try anything else, then it is refused and nothing changed
        with pytest.raises(PermissionDenied) as caught:
            OPERATIONS[operation](matrix_tree, scope, officer)
        assert (caught.value.message, caught.value.status, caught.value.code) == (
            DENIED_MANAGE,
            403,
            "permission_denied",
        )
        assert state() == before


# --- an administrator at a department, across the edges of its subtree ----------------------------


@pytest.fixture
def justice_admin(matrix_tree, make_officer):
    return make_officer("administrator", matrix_tree["justice"])


def test_given_a_department_administrator_when_changing_the_province_itself_then_it_is_refused(
    matrix_tree, justice_admin, state
):
    before = state()
    with pytest.raises(PermissionDenied):
        update_organisation(by=justice_admin, organisation=matrix_tree["province"], name="UBND tỉnh khác")
    with pytest.raises(PermissionDenied):
        create_organisation(
            by=justice_admin, parent=matrix_tree["province"], name="Sở Y tế", kind=Kind.DEPARTMENT, code="H98.105"
        )
    assert state() == before


def test_given_a_department_administrator_when_merging_own_units_into_another_agency_then_it_is_refused(
    matrix_tree, justice_admin, state
):
    before = state()
    with pytest.raises(PermissionDenied):
        merge_organisations(
            by=justice_admin, sources=[matrix_tree["justice_div"]], successor=matrix_tree["new_other"], effective_on=DAY
        )
    with pytest.raises(PermissionDenied):
        merge_organisations(
            by=justice_admin,
            sources=[matrix_tree["justice_div"], matrix_tree["finance_div"]],
            successor=matrix_tree["new_own"],
            effective_on=DAY,
        )
    assert state() == before


def test_given_a_department_administrator_when_moving_children_to_another_agency_then_it_is_refused(
    matrix_tree, justice_admin, state
):
    before = state()
    with pytest.raises(PermissionDenied):
        dissolve_organisation(
            by=justice_admin,
            organisation=matrix_tree["justice_div"],
            effective_on=DAY,
            move_children_to=matrix_tree["finance"],
        )
    assert state() == before


def test_given_a_department_administrator_when_changing_the_department_itself_then_it_is_allowed(
    matrix_tree, justice_admin
):
    update_organisation(by=justice_admin, organisation=matrix_tree["justice"], short_name="STP")
    assert Organisation.objects.get(pk=matrix_tree["justice"].pk).short_name == "STP"


def test_given_an_administrator_whose_position_ended_when_changing_then_it_is_refused(matrix_tree, make_officer, state):
    from egov.people.models import Position

    officer = make_officer("administrator", matrix_tree["justice"])
    Position.objects.filter(user=officer).update(valid_to=date(2025, 1, 1))
    before = state()
    with pytest.raises(PermissionDenied):
        update_organisation(by=officer, organisation=matrix_tree["justice_div"], name="Phòng đổi tên")
    assert state() == before


def test_given_an_inactive_administrator_when_changing_then_it_is_refused(matrix_tree, make_officer, state):
    officer = make_officer("administrator", matrix_tree["justice"])
    officer.is_active = False
    before = state()
    with pytest.raises(PermissionDenied):
        update_organisation(by=officer, organisation=matrix_tree["justice_div"], name="Phòng đổi tên")
    assert state() == before
