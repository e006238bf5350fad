"""The public organisation API: keyset-paginated list, detail by either code form, code validation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.organisations.models import Kind
from egov.organisations.services import create_organisation
from egov.organisations.tests.helpers import new_message

URL = "/api/v1/organisations"
# Path order: siblings in the order they were added (the root conftest's tree fixture).
TREE_ORDER = ["H98", "H98.101", "H98.101.02", "H98.101.01", "H98.102", "H98.102.02", "H98.301"]


def codes(body) -> list[str]:
    return [item["code"] for item in body["items"]]


def test_given_the_tree_when_listing_then_every_unit_comes_in_path_order_with_its_parent_code(client, tree):
    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert codes(body) == TREE_ORDER
    assert body["next_cursor"] is None
    assert body["items"][0] == {
        "code": "H98",
        "legacy_code": "000.00.00.H98",
        "name": "UBND tỉnh Thử Nghiệm",
        "short_name": "",
        "kind": "province",
        "parent_code": None,
        "valid_from": None,
        "valid_to": None,
    }
    assert [item["parent_code"] for item in body["items"]] == [
        None,
        "H98",
        "H98.101",
        "H98.101",
        "H98",
        "H98.102",
        "H98",
    ]


def test_given_a_page_size_when_following_next_cursor_then_pages_cover_the_list_once(client, tree):
    first = client.get(URL, {"limit": 3}).json()
    second = client.get(URL, {"limit": 3, "after": first["next_cursor"]}).json()
    third = client.get(URL, {"limit": 3, "after": second["next_cursor"]}).json()

    assert (codes(first), codes(second), codes(third)) == (TREE_ORDER[:3], TREE_ORDER[3:6], TREE_ORDER[6:])
    # The cursor is the last row's materialised path.
    assert (first["next_cursor"], second["next_cursor"], third["next_cursor"]) == ("000100010001", "000100020001", None)


def test_given_a_page_that_ends_exactly_at_the_last_unit_then_there_is_no_next_cursor(client, tree):
    body = client.get(URL, {"limit": 7}).json()
    assert (len(body["items"]), body["next_cursor"]) == (7, None)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "department"}, ["H98.101", "H98.102"]),
        ({"kind": "division"}, ["H98.101.02", "H98.102.02"]),
        ({"parent": "H98.101"}, ["H98.101.02", "H98.101.01"]),
        ({"parent": "000.00.01.H98"}, ["H98.101.02", "H98.101.01"]),  # the legacy form works too
        ({"parent": "H98"}, ["H98.101", "H98.102", "H98.301"]),  # children only, not grandchildren
        ({"parent": "H98", "kind": "commune"}, ["H98.301"]),
        ({"parent": "H98.101.02"}, []),
    ],
)
def test_given_filters_when_listing_then_only_matching_units_are_returned(client, tree, params, expected):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert codes(response.json()) == expected


def test_given_an_unknown_parent_when_listing_then_422_names_the_parent_field_in_vietnamese(client, tree):
    response = client.get(URL, {"parent": "H98.999"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Không tìm thấy đơn vị có mã 'H98.999'.",
        "errors": [{"field": "parent", "message": "Không tìm thấy đơn vị có mã 'H98.999'."}],
    }


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"limit": 0}, "limit", "Phải lớn hơn hoặc bằng 1."),
        ({"limit": 501}, "limit", "Phải nhỏ hơn hoặc bằng 500."),
        ({"on": "01/07/2025"}, "on", "Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
    ],
)
def test_given_bad_query_parameters_when_listing_then_422_names_the_field(client, tree, params, field, message):
    response = client.get(URL, params)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": message}]


def test_given_an_unknown_kind_when_listing_then_422_names_the_kind_field(client, tree):
    response = client.get(URL, {"kind": "ward"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "kind"
    assert error["message"].startswith("Giá trị phải là một trong: ")
    assert "'commune'" in error["message"] and " hoặc " in error["message"]


def test_given_dated_units_when_listing_on_a_day_then_only_units_in_force_that_day_are_returned(client, tree):
    province = tree["province"]
    today = timezone.localdate()
    create_organisation(
        by=None,
        parent=province,
        name="UBND huyện Cũ",
        kind=Kind.DISTRICT,
        code="H98.201",
        valid_to=today - timedelta(1),
    )
    create_organisation(
        by=None, parent=province, name="UBND xã Mới", kind=Kind.COMMUNE, code="H98.302", valid_from=today + timedelta(1)
    )

    default = codes(client.get(URL).json())  # today
    assert set(default) == set(TREE_ORDER)
    yesterday = codes(client.get(URL, {"on": (today - timedelta(1)).isoformat()}).json())
    tomorrow = codes(client.get(URL, {"on": (today + timedelta(1)).isoformat()}).json())
    assert set(yesterday) - set(TREE_ORDER) == {"H98.201"}
    assert set(tomorrow) - set(TREE_ORDER) == {"H98.302"}


def test_given_many_units_when_listing_then_the_query_count_does_not_grow_with_the_page_size(
    client, tree, django_assert_num_queries
):
    for n in range(1, 41):
        create_organisation(
            by=None, parent=tree["commune"], name=f"Thôn {n:02d}", kind=Kind.OTHER, code=f"H98.301.{n:02d}"
        )

    # One query for the page, one for the parents' codes, whatever the page size.
    with django_assert_num_queries(2):
        small = client.get(URL, {"limit": 2})
    with django_assert_num_queries(2):
        large = client.get(URL, {"limit": 50})
    # Filtering by parent adds the parent lookup (by code, then by legacy code if needed).
    with django_assert_num_queries(3):
        children = client.get(URL, {"limit": 50, "parent": "H98.301"})

    assert (len(small.json()["items"]), len(large.json()["items"]), len(children.json()["items"])) == (2, 47, 40)
    assert {item["parent_code"] for item in children.json()["items"]} == {"H98.301"}


# --- detail -------------------------------------------------------------------------------------

JUSTICE = {
    "code": "H98.101",
    "legacy_code": "000.00.01.H98",
    "name": "Sở Tư pháp",
    "short_name": "",
    "kind": "department",
    "parent_code": "H98",
    "valid_from": None,
    "valid_to": None,
}


@pytest.mark.parametrize("code", ["H98.101", "000.00.01.H98"])
def test_given_either_code_form_when_getting_a_unit_then_it_is_returned(client, tree, code):
    response = client.get(f"{URL}/{code}")
    assert response.status_code == 200
    assert response.json() == JUSTICE


def test_given_a_unit_whose_parent_has_only_a_legacy_code_then_parent_code_is_the_legacy_code(client, tree):
    health = create_organisation(
        by=None, parent=tree["province"], name="Sở Y tế", kind=Kind.DEPARTMENT, legacy_code="000.00.05.H98"
    )
    create_organisation(by=None, parent=health, name="Phòng Nghiệp vụ Y", kind=Kind.DIVISION, code="H98.105.02")

    detail = client.get(f"{URL}/H98.105.02").json()
    listed = client.get(URL, {"parent": "000.00.05.H98"}).json()

    assert detail["parent_code"] == "000.00.05.H98"
    assert [(i["code"], i["parent_code"]) for i in listed["items"]] == [("H98.105.02", "000.00.05.H98")]


def test_given_an_unknown_code_when_getting_a_unit_then_404_in_vietnamese(client, tree):
    response = client.get(f"{URL}/H98.999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy đơn vị có mã 'H98.999'."}


def test_given_the_province_when_getting_it_then_it_has_no_parent_code(client, tree):
    assert client.get(f"{URL}/000.00.00.H98").json()["parent_code"] is None


# --- code validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "form"), [("000.00.00.H41", "qcvn102_2016"), ("000.00.04.G14", "qcvn102_2016"), ("H55.242", "qd20_2020")]
)
def test_given_a_valid_code_when_validating_then_its_form_is_named(client, db, code, form):
    response = client.get(f"{URL}/codes/validate", {"code": code})
    assert response.status_code == 200
    assert response.json() == {"code": code, "form": form, "valid": True}


@pytest.mark.parametrize("code", ["h55.242", "H55..242", "000.00.00.41H"])
def test_given_an_invalid_code_when_validating_then_422_names_the_code_field(client, db, code):
    response = client.get(f"{URL}/codes/validate", {"code": code})
    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": new_message(code),
        "errors": [{"field": "code", "message": new_message(code)}],
    }


def test_given_no_code_when_validating_then_422_says_the_field_is_required(client, db):
    response = client.get(f"{URL}/codes/validate")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "code", "message": "Thiếu trường bắt buộc."}]
