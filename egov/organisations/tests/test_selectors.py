"""Reads of the tree: effective dates, subtrees, an unit's agency and receiving unit, lookup by code."""

from __future__ import annotations

from datetime import date

import pytest

from egov.organisations import selectors
from egov.organisations.models import Kind, Organisation
from egov.organisations.services import create_organisation

TREE_CODES = {"H98", "H98.101", "H98.101.01", "H98.101.02", "H98.102", "H98.102.02", "H98.301"}


@pytest.fixture
def dated(tree):
    """Units with effective dates around 1/7/2025."""
    province = tree["province"]
    ended = create_organisation(
        by=None, parent=province, name="UBND huyện Cũ", kind=Kind.DISTRICT, code="H98.201", valid_to=date(2025, 6, 30)
    )
    starting = create_organisation(
        by=None, parent=province, name="UBND xã Mới", kind=Kind.COMMUNE, code="H98.302", valid_from=date(2025, 7, 1)
    )
    window = create_organisation(
        by=None,
        parent=province,
        name="Tổ công tác",
        kind=Kind.OTHER,
        code="H98.900",
        valid_from=date(2025, 3, 1),
        valid_to=date(2025, 3, 31),
    )
    return {"ended": ended, "starting": starting, "window": window}


def codes_of(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("day", "extra"),
    [
        (date(2025, 2, 28), {"H98.201"}),
        (date(2025, 3, 1), {"H98.201", "H98.900"}),  # valid_from is inclusive
        (date(2025, 3, 31), {"H98.201", "H98.900"}),  # valid_to is the last day in force
        (date(2025, 6, 30), {"H98.201"}),
        (date(2025, 7, 1), {"H98.302"}),
    ],
)
def test_given_dated_units_when_filtering_active_on_a_day_then_only_those_in_force_that_day_remain(dated, day, extra):
    assert codes_of(Organisation.objects.active_on(day)) == TREE_CODES | extra
    for org in Organisation.objects.all():
        assert org.is_active_on(day) is (org.code in TREE_CODES | extra)


def test_given_two_departments_when_taking_subtrees_then_each_is_the_unit_and_everything_below_it(tree):
    assert codes_of(Organisation.objects.subtree_of(tree["justice"])) == {"H98.101", "H98.101.01", "H98.101.02"}
    assert codes_of(Organisation.objects.subtree_of(tree["justice"], tree["finance"])) == {
        "H98.101",
        "H98.101.01",
        "H98.101.02",
        "H98.102",
        "H98.102.02",
    }
    assert codes_of(Organisation.objects.subtree_of(tree["justice_div"])) == {"H98.101.02"}
    assert codes_of(Organisation.objects.subtree_of(tree["province"])) == TREE_CODES
    assert codes_of(Organisation.objects.subtree_of()) == set()


def test_given_the_tree_when_listing_agencies_then_divisions_and_one_stop_units_are_left_out(tree):
    assert codes_of(Organisation.objects.agencies()) == {"H98", "H98.101", "H98.102", "H98.301"}


@pytest.mark.parametrize(
    ("unit", "agency"),
    [
        ("justice_div", "justice"),
        ("justice_desk", "justice"),
        ("justice", "justice"),
        ("finance_div", "finance"),
        ("commune", "commune"),
        ("province", "province"),
    ],
)
def test_given_a_unit_when_asking_its_agency_then_the_nearest_agency_at_or_above_it_is_returned(tree, unit, agency):
    assert selectors.agency_of(tree[unit]).pk == tree[agency].pk


def test_given_a_division_inside_a_division_when_asking_its_agency_then_the_department_is_returned(tree):
    team = create_organisation(
        by=None, parent=tree["finance_div"], name="Tổ một cửa liên thông", kind=Kind.DIVISION, code="H98.102.02.01"
    )
    assert selectors.agency_of(team).pk == tree["finance"].pk
    assert [o.code for o in selectors.ancestors_and_self(team)] == ["H98", "H98.102", "H98.102.02", "H98.102.02.01"]


def test_given_agencies_with_and_without_a_one_stop_unit_when_asking_where_they_receive_then_it_is_found(tree):
    today = date(2026, 1, 5)
    assert selectors.receiving_unit_of(tree["justice"], today).pk == tree["justice_desk"].pk
    assert selectors.receiving_unit_of(tree["finance"], today) is None
    assert selectors.receiving_unit_of(tree["province"], today) is None


def test_given_a_one_stop_unit_replaced_by_a_service_centre_when_asking_by_date_then_each_day_has_its_own(tree):
    province = tree["province"]
    desk = create_organisation(
        by=None,
        parent=province,
        name="Bộ phận Một cửa tỉnh",
        kind=Kind.ONE_STOP,
        code="H98.001",
        valid_to=date(2025, 6, 30),
    )
    centre = create_organisation(
        by=None,
        parent=province,
        name="Trung tâm Phục vụ hành chính công tỉnh",
        kind=Kind.SERVICE_CENTRE,
        code="H98.002",
        valid_from=date(2025, 7, 1),
    )
    assert selectors.receiving_unit_of(province, date(2025, 6, 30)).pk == desk.pk
    assert selectors.receiving_unit_of(province, date(2025, 7, 1)).pk == centre.pk


@pytest.mark.parametrize(
    ("code", "expected"), [("H98.101", "justice"), ("000.00.01.H98", "justice"), ("H98", "province")]
)
def test_given_either_code_form_when_looking_up_then_the_unit_is_found(tree, code, expected):
    assert selectors.by_code(code).pk == tree[expected].pk


@pytest.mark.parametrize("code", ["H98.999", "000.00.99.H98", "h98.101", ""])
def test_given_an_unknown_code_when_looking_up_then_nothing_is_found(tree, code):
    assert selectors.by_code(code) is None


def test_given_a_unit_with_only_a_legacy_code_then_its_identifier_is_the_legacy_code(tree):
    org = create_organisation(
        by=None, parent=tree["province"], name="Sở Y tế", kind=Kind.DEPARTMENT, legacy_code="000.00.05.H98"
    )
    assert (org.identifier, tree["justice"].identifier) == ("000.00.05.H98", "H98.101")
    assert selectors.by_code("000.00.05.H98").pk == org.pk
