"""The administrators' organisation API: create, edit, merge, dissolve (through the services), and the
public history of successions. Every refusal is asserted with its status, its Vietnamese body, and
that nothing changed."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from egov.audit.models import AuditRecord
from egov.audit.services import verify_chain
from egov.organisations.models import Kind, Organisation, Succession
from egov.organisations.services import create_organisation
from egov.organisations.tests.helpers import DENIED_MANAGE, new_message, parent_pk

URL = "/api/v1/organisations"
MERGE = f"{URL}/merge"
NOT_AUTHENTICATED = {"code": "not_authenticated", "message": "Cần đăng nhập hoặc mã truy cập (Bearer token) hợp lệ."}
FORBIDDEN = {"code": "permission_denied", "message": DENIED_MANAGE}


def field_error(field: str, message: str) -> dict:
    return {"code": "validation_error", "message": message, "errors": [{"field": field, "message": message}]}


def errors_of(response) -> list[tuple[str, str]]:
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def patch(client, url, body, headers):
    return client.patch(url, body, content_type="application/json", **headers)


def unit(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@pytest.fixture
def admin_headers(admin_user, bearer):
    """The province administrator's bearer token."""
    return bearer(admin_user)


@pytest.fixture
def new_commune(tree):
    """UBND xã Tân Bình (H98.302), in force from 1/7/2025: the successor of a commune merger."""
    return create_organisation(
        by=None,
        parent=tree["province"],
        name="UBND xã Tân Bình",
        kind=Kind.COMMUNE,
        code="H98.302",
        valid_from=date(2025, 7, 1),
    )


# --- POST /organisations ----------------------------------------------------------------------------


def test_an_administrator_creates_a_division_under_a_parent_given_by_its_legacy_code(
    client, tree, admin_user, admin_headers, state
):
    before = state()

    response = post(
        client,
        URL,
        {
            "parent": "000.00.01.H98",
            "name": " Phòng Pháp chế ",
            "kind": "division",
            "code": "H98.101.03",
            "legacy_code": "003.00.01.H98",
            "valid_from": "2025-07-01",
            "email": "phapche@tuphap.example.vn",
        },
        admin_headers,
    )

    assert response.status_code == 201, response.content
    assert response.json() == {
        "code": "H98.101.03",
        "legacy_code": "003.00.01.H98",
        "name": "Phòng Pháp chế",
        "short_name": "",
        "kind": "division",
        "parent_code": "H98.101",
        "valid_from": "2025-07-01",
        "valid_to": None,
    }
    org = unit("H98.101.03")
    assert (parent_pk(org), org.email) == (tree["justice"].pk, "phapche@tuphap.example.vn")
    assert state()["organisation_count"] == before["organisation_count"] + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert (rec.action, rec.actor_id, rec.target_id, rec.channel) == (
        "organisation.create",
        admin_user.pk,
        str(org.pk),
        "api",
    )
    assert AuditRecord.objects.count() == before["audit_count"] + 1
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            {"parent": "H98.999", "name": "Phòng A", "kind": "division", "code": "H98.101.03"},
            [("parent", "Không tìm thấy đơn vị có mã 'H98.999'.")],
            id="unknown-parent",
        ),
        pytest.param(
            {"name": "Phòng A", "kind": "division", "code": "H98.901"},
            [("parent", "Cần chọn đơn vị cấp trên.")],
            id="no-parent",
        ),
        pytest.param(
            {"parent": "H98.101", "name": "Phòng A", "kind": "division", "code": "h98.101.03"},
            [("code", new_message("h98.101.03"))],
            id="malformed-code",
        ),
        pytest.param(
            {"parent": "H98.101", "name": "Phòng A", "kind": "division", "code": "H98.102"},
            [("code", "Mã định danh H98.102 đã được dùng cho đơn vị khác.")],
            id="taken-code",
        ),
        pytest.param(
            {"parent": "H98.101", "name": "Phòng A", "kind": "division"},
            [("code", "Cần ít nhất một mã định danh (QĐ 20/2020 hoặc QCVN 102:2016).")],
            id="no-code",
        ),
        pytest.param(
            {"parent": "H98.101", "name": "  ", "kind": "division", "code": "H98.101.03"},
            [("name", "Tên đơn vị không được để trống.")],
            id="blank-name",
        ),
        pytest.param(
            {"parent": "H98.101", "name": "Phòng A", "kind": "division", "code": "H98.101.03", "email": "a@"},
            [("email", "Địa chỉ thư điện tử không hợp lệ.")],
            id="email",
        ),
        pytest.param(
            {
                "parent": "H98.101",
                "name": "Phòng A",
                "kind": "division",
                "code": "H98.101.03",
                "valid_from": "2025-07-01",
                "valid_to": "2025-01-01",
            },
            [("valid_to", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")],
            id="dates",
        ),
        pytest.param(
            {"parent": "H98.101", "name": "A" * 256, "kind": "division", "code": "H98.101.03"},
            [("name", "Quá dài (tối đa 255 ký tự).")],
            id="name-too-long",
        ),
        pytest.param(
            {"parent": "H98.101", "name": "Phòng A", "kind": "ward", "code": "H98.101.03"},
            [
                (
                    "kind",
                    "Giá trị phải là một trong: 'central', 'province', 'department', 'district', 'commune', "
                    "'division', 'one_stop', 'service_centre' hoặc 'other'.",
                )
            ],
            id="kind",
        ),
        pytest.param(
            {"parent": "H98.101"},
            [("name", "Thiếu trường bắt buộc."), ("kind", "Thiếu trường bắt buộc.")],
            id="missing",
        ),
    ],
)
def test_an_invalid_unit_is_422_naming_the_field_and_nothing_is_written(
    client, tree, admin_headers, state, body, errors
):
    before = state()

    response = post(client, URL, body, admin_headers)

    assert response.status_code == 422
    assert errors_of(response) == errors
    assert state() == before


def test_a_code_taken_by_a_concurrent_request_is_409(client, tree, admin_headers, state, monkeypatch):
    from egov.organisations import services

    # The uniqueness check passes (the other request has not committed yet); the unique index refuses
    monkeypatch.setattr(services, "_validate", lambda **kwargs: [])
    before = state()

    response = post(
        client, URL, {"parent": "H98.101", "name": "Phòng A", "kind": "division", "code": "H98.102"}, admin_headers
    )

    assert (response.status_code, response.json()) == (
        409,
        {"code": "conflict", "message": "Mã định danh vừa được dùng cho đơn vị khác."},
    )
    assert state() == before


# --- PATCH /organisations/{code} --------------------------------------------------------------------


def test_an_administrator_edits_only_the_fields_sent(client, tree, admin_user, admin_headers, state):
    justice = tree["justice"]
    before = state()

    response = patch(
        client,
        f"{URL}/000.00.01.H98",
        {"name": "Sở Tư pháp tỉnh Thử Nghiệm", "short_name": "STP", "legacy_code": None},
        admin_headers,
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "code": "H98.101",
        "legacy_code": None,
        "name": "Sở Tư pháp tỉnh Thử Nghiệm",
        "short_name": "STP",
        "kind": "department",
        "parent_code": "H98",
        "valid_from": None,
        "valid_to": None,
    }
    fresh = Organisation.objects.get(pk=justice.pk)
    assert (fresh.name, fresh.short_name, fresh.legacy_code, fresh.phone) == (
        "Sở Tư pháp tỉnh Thử Nghiệm",
        "STP",
        None,
        "",
    )
    [rec] = AuditRecord.objects.order_by("seq")[before["audit_count"] :]
    assert (rec.action, rec.actor_id, rec.channel) == ("organisation.update", admin_user.pk, "api")
    assert (rec.before["name"], rec.before["legacy_code"], rec.after["name"], rec.after["legacy_code"]) == (
        "Sở Tư pháp",
        "000.00.01.H98",
        "Sở Tư pháp tỉnh Thử Nghiệm",
        None,
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            {"kind": "commune", "parent": "H98.102", "name": "Sở mới"},
            [("kind", "Trường này không sửa được."), ("parent", "Trường này không sửa được.")],
            id="kind-and-parent",
        ),
        pytest.param({"name": None}, [("name", "Phải là chuỗi ký tự.")], id="null-name"),
        pytest.param({"name": ""}, [("name", "Tên đơn vị không được để trống.")], id="empty-name"),
        pytest.param(
            {"code": None, "legacy_code": None},
            [("code", "Cần ít nhất một mã định danh (QĐ 20/2020 hoặc QCVN 102:2016).")],
            id="no-code-left",
        ),
        pytest.param(
            {"legacy_code": "000.00.02.H98"},
            [("legacy_code", "Mã định danh 000.00.02.H98 đã được dùng cho đơn vị khác.")],
            id="taken-legacy-code",
        ),
        pytest.param(
            {"valid_from": "2026-01-01", "valid_to": "2025-12-31"},
            [("valid_to", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")],
            id="dates",
        ),
        pytest.param(
            {"valid_to": "30/06/2025"}, [("valid_to", "Ngày không hợp lệ (định dạng YYYY-MM-DD).")], id="date"
        ),
        pytest.param({"email": "stp"}, [("email", "Địa chỉ thư điện tử không hợp lệ.")], id="email"),
        pytest.param({"phone": "0" * 31}, [("phone", "Quá dài (tối đa 30 ký tự).")], id="phone-too-long"),
    ],
)
def test_an_invalid_edit_is_422_naming_the_field_and_nothing_is_written(
    client, tree, admin_headers, state, body, errors
):
    before = state()

    response = patch(client, f"{URL}/H98.101", body, admin_headers)

    assert response.status_code == 422
    assert errors_of(response) == errors
    assert state() == before


def test_editing_an_unknown_unit_is_404(client, tree, admin_headers, state):
    before = state()

    response = patch(client, f"{URL}/H98.999", {"name": "Sở A"}, admin_headers)

    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "Không tìm thấy đơn vị có mã 'H98.999'."},
    )
    assert state() == before


# --- POST /organisations/merge ----------------------------------------------------------------------


def test_two_departments_merge_into_a_new_one_their_divisions_move_and_history_is_kept(
    client, tree, admin_user, admin_headers, state
):
    # Given a new department in force from 1/7/2025
    create_organisation(
        by=None,
        parent=tree["province"],
        name="Sở Tư pháp và Tài chính",
        kind=Kind.DEPARTMENT,
        code="H98.103",
        valid_from=date(2025, 7, 1),
    )
    before = state()

    # When Justice (by its legacy code) and Finance merge into it on 1/7/2025
    response = post(
        client,
        MERGE,
        {
            "sources": ["000.00.01.H98", "H98.102"],
            "successor": "H98.103",
            "effective_on": "2025-07-01",
            "legal_basis": "Nghị quyết 01/NQ-HĐND",
        },
        admin_headers,
    )

    # Then both end the day before, their divisions and one-stop unit move, and the history is kept
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["successor"]["code"], body["successor"]["valid_from"], body["successor"]["valid_to"]) == (
        "H98.103",
        "2025-07-01",
        None,
    )
    assert [(s["code"], s["valid_to"], s["parent_code"]) for s in body["sources"]] == [
        ("H98.101", "2025-06-30", "H98"),
        ("H98.102", "2025-06-30", "H98"),
    ]
    listed = client.get(URL, {"parent": "H98.103"}).json()["items"]
    assert sorted(i["code"] for i in listed) == ["H98.101.01", "H98.101.02", "H98.102.02"]
    assert list(
        Succession.objects.order_by("predecessor__code").values_list(
            "predecessor__code", "successor__code", "reason", "effective_on", "legal_basis"
        )
    ) == [
        ("H98.101", "H98.103", "merger", date(2025, 7, 1), "Nghị quyết 01/NQ-HĐND"),
        ("H98.102", "H98.103", "merger", date(2025, 7, 1), "Nghị quyết 01/NQ-HĐND"),
    ]
    records = list(AuditRecord.objects.order_by("seq")[before["audit_count"] :])
    assert [(r.action, r.actor_id, r.channel) for r in records] == [("organisation.merge", admin_user.pk, "api")] * 2
    assert state()["organisation_count"] == before["organisation_count"]
    assert verify_chain().ok


def test_merging_without_moving_children_leaves_them_under_the_old_unit(
    client, tree, admin_headers, district, new_commune
):
    response = post(
        client,
        MERGE,
        {
            "sources": ["H98.201"],
            "successor": "H98.302",
            "effective_on": "2025-07-01",
            "move_children": False,
            "legal_basis": "Nghị quyết 02/NQ-HĐND",
        },
        admin_headers,
    )

    assert response.status_code == 200, response.content
    assert parent_pk(district["an_binh"]) == district["district"].pk


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            {"sources": ["H98.201.01", "H98.999", "000.00.99.H98"], "successor": "H98.998"},
            [
                ("sources", "Không tìm thấy đơn vị có mã 'H98.999'."),
                ("sources", "Không tìm thấy đơn vị có mã '000.00.99.H98'."),
                ("successor", "Không tìm thấy đơn vị có mã 'H98.998'."),
            ],
            id="unknown-codes",
        ),
        pytest.param({"sources": []}, [("sources", "Cần ít nhất một đơn vị được hợp nhất.")], id="no-source"),
        pytest.param(
            {"sources": ["H98.201.01", "H98.302"]},
            [
                ("successor", "Đơn vị kế thừa không được là một trong các đơn vị bị hợp nhất."),
                ("sources", "UBND xã Tân Bình không còn hiệu lực trước ngày 01/07/2025."),  # it begins that day
            ],
            id="successor-among-sources",
        ),
        pytest.param(
            {"sources": ["H98.201.09"]},
            [("sources", "UBND xã Cũ không còn hiệu lực trước ngày 01/07/2025.")],
            id="source-ended",
        ),
        pytest.param(
            {"effective_on": "2025-06-01"},
            [("successor", "UBND xã Tân Bình chưa có hiệu lực vào ngày 01/06/2025.")],
            id="successor-not-yet",
        ),
        pytest.param({"effective_on": "0001-01-01"}, [("effective_on", "Ngày hiệu lực không hợp lệ.")], id="first-day"),
        pytest.param(
            {"legal_basis": "  "},
            [("legal_basis", "Cần nêu căn cứ pháp lý (số, ký hiệu văn bản quyết định).")],
            id="blank-legal-basis",
        ),
        pytest.param(
            {"legal_basis": None, "effective_on": None},
            [("effective_on", "Thiếu trường bắt buộc."), ("legal_basis", "Thiếu trường bắt buộc.")],
            id="missing",
        ),
        pytest.param(
            {"move_children": "có"}, [("move_children", "Phải là true hoặc false.")], id="move-children-not-a-bool"
        ),
    ],
)
def test_an_invalid_merge_is_422_naming_the_field_and_nothing_changes(
    client, tree, admin_headers, district, new_commune, state, body, errors
):
    payload = {
        "sources": ["H98.201.01", "H98.201.02"],
        "successor": "H98.302",
        "effective_on": "2025-07-01",
        "legal_basis": "Nghị quyết 02/NQ-HĐND",
    }
    payload.update(body)
    payload = {k: v for k, v in payload.items() if v is not None}
    before = state()

    response = post(client, MERGE, payload, admin_headers)

    assert response.status_code == 422
    assert errors_of(response) == errors
    assert state() == before


# --- POST /organisations/{code}/dissolve ------------------------------------------------------------


def test_a_district_is_dissolved_and_its_communes_move_under_the_province(
    client, tree, admin_user, admin_headers, district, state
):
    before = state()

    response = post(
        client,
        f"{URL}/H98.201/dissolve",
        {"effective_on": "2025-07-01", "move_children_to": "000.00.00.H98", "legal_basis": "Nghị quyết 76/2025"},
        admin_headers,
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "code": "H98.201",
        "legacy_code": None,
        "name": "UBND huyện Thử Nghiệm",
        "short_name": "",
        "kind": "district",
        "parent_code": "H98",
        "valid_from": None,
        "valid_to": "2025-06-30",
    }
    assert [parent_pk(district[k]) for k in ("an_binh", "binh_minh", "ended")] == [
        tree["province"].pk,
        tree["province"].pk,
        district["district"].pk,  # ended in 2024: it stays where it was
    ]
    [rec] = AuditRecord.objects.order_by("seq")[before["audit_count"] :]
    assert (rec.action, rec.actor_id, rec.channel, rec.after["successor"]) == (
        "organisation.dissolve",
        admin_user.pk,
        "api",
        None,
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            {"successor": "H98.999", "move_children_to": "H98.998"},
            [
                ("successor", "Không tìm thấy đơn vị có mã 'H98.999'."),
                ("move_children_to", "Không tìm thấy đơn vị có mã 'H98.998'."),
            ],
            id="unknown-codes",
        ),
        pytest.param(
            {"successor": "H98.201"},
            [("successor", "Đơn vị kế thừa không được là chính đơn vị bị giải thể.")],
            id="itself",
        ),
        pytest.param(
            {"successor": "H98.201.09"},
            [("successor", "UBND xã Cũ không có hiệu lực vào ngày 01/07/2025.")],
            id="successor-ended",
        ),
        pytest.param(
            {"move_children_to": "H98.201.01"},
            [("move_children_to", "Không thể chuyển đơn vị trực thuộc vào chính nó.")],
            id="into-itself",
        ),
        pytest.param(
            {"effective_on": "2020-01-01"},
            [("effective_on", "UBND huyện Thử Nghiệm đã hết hiệu lực trước ngày này.")],
            id="before-it-began",
        ),
        pytest.param(
            {"legal_basis": ""},
            [("legal_basis", "Cần nêu căn cứ pháp lý (số, ký hiệu văn bản quyết định).")],
            id="no-legal-basis",
        ),
        pytest.param(
            {"effective_on": "1/7/2025"},
            [("effective_on", "Ngày không hợp lệ (định dạng YYYY-MM-DD).")],
            id="date-format",
        ),
    ],
)
def test_an_invalid_dissolution_is_422_naming_the_field_and_nothing_changes(
    client, tree, admin_headers, district, state, body, errors
):
    if body.get("effective_on") == "2020-01-01":
        Organisation.objects.filter(pk=district["district"].pk).update(valid_from=date(2024, 1, 1))
    payload = {"effective_on": "2025-07-01", "legal_basis": "Nghị quyết 76/2025", **body}
    before = state()

    response = post(client, f"{URL}/H98.201/dissolve", payload, admin_headers)

    assert response.status_code == 422
    assert errors_of(response) == errors
    assert state() == before


def test_dissolving_an_unknown_unit_is_404(client, tree, admin_headers, state):
    before = state()

    response = post(
        client, f"{URL}/H98.999/dissolve", {"effective_on": "2025-07-01", "legal_basis": "NQ"}, admin_headers
    )

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert state() == before


# --- GET /organisations/{code}/history ------------------------------------------------------------


def test_history_lists_the_successions_in_and_out_and_is_public(
    client, tree, admin_headers, district, new_commune, django_assert_num_queries
):
    post(
        client,
        MERGE,
        {
            "sources": ["H98.201.01", "H98.201.02"],
            "successor": "H98.302",
            "effective_on": "2025-07-01",
            "legal_basis": "Nghị quyết 1656/NQ-UBTVQH15",
        },
        admin_headers,
    )
    post(
        client,
        f"{URL}/H98.302/dissolve",
        {"effective_on": "2026-01-01", "successor": "H98.301", "legal_basis": "Nghị quyết 9/2025"},
        admin_headers,
    )
    anonymous = Client()

    # The unit by its code, its parent, the successions in, the successions out
    with django_assert_num_queries(4):
        response = anonymous.get(f"{URL}/H98.302/history")

    assert response.status_code == 200
    merger = {"reason": "merger", "effective_on": "2025-07-01", "legal_basis": "Nghị quyết 1656/NQ-UBTVQH15"}
    assert response.json() == {
        "organisation": {
            "code": "H98.302",
            "legacy_code": None,
            "name": "UBND xã Tân Bình",
            "short_name": "",
            "kind": "commune",
            "parent_code": "H98",
            "valid_from": "2025-07-01",
            "valid_to": "2025-12-31",
        },
        "successions_in": [
            {
                "predecessor": {"code": "H98.201.01", "name": "UBND xã An Bình"},
                "successor": {"code": "H98.302", "name": "UBND xã Tân Bình"},
                **merger,
            },
            {
                "predecessor": {"code": "H98.201.02", "name": "UBND xã Bình Minh"},
                "successor": {"code": "H98.302", "name": "UBND xã Tân Bình"},
                **merger,
            },
        ],
        "successions_out": [
            {
                "predecessor": {"code": "H98.302", "name": "UBND xã Tân Bình"},
                "successor": {"code": "H98.301", "name": "UBND xã Thử Nghiệm"},
                "reason": "dissolution",
                "effective_on": "2026-01-01",
                "legal_basis": "Nghị quyết 9/2025",
            }
        ],
    }
    # The old commune keeps its own record, with where it went
    old = anonymous.get(f"{URL}/H98.201.01/history").json()
    assert (old["organisation"]["valid_to"], old["successions_in"]) == ("2025-06-30", [])
    assert [s["successor"]["code"] for s in old["successions_out"]] == ["H98.302"]


def test_a_dissolution_without_successor_shows_none(client, tree, admin_headers, district):
    post(client, f"{URL}/H98.201/dissolve", {"effective_on": "2025-07-01", "legal_basis": "NQ 76"}, admin_headers)

    out = client.get(f"{URL}/H98.201/history").json()["successions_out"]

    assert out == [
        {
            "predecessor": {"code": "H98.201", "name": "UBND huyện Thử Nghiệm"},
            "successor": None,
            "reason": "dissolution",
            "effective_on": "2025-07-01",
            "legal_basis": "NQ 76",
        }
    ]


def test_history_of_an_unknown_unit_is_404(client, tree):
    response = client.get(f"{URL}/H98.999/history")
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "Không tìm thấy đơn vị có mã 'H98.999'."},
    )


# --- who may: roles x own / other agency x operation ------------------------------------------------

ROLES = ["administrator", "agency_leader", "unit_head", "specialist", "receiving_officer", "clerk", "evaluator"]
CODE = {"own": "H98.101", "other": "H98.102"}


def _request(client, operation, scope, headers):
    department = CODE[scope]
    if operation == "create":
        body = {"parent": department, "name": "Phòng Thanh tra", "kind": "division", "code": f"{department}.09"}
        return post(client, URL, body, headers)
    if operation == "update":
        return patch(client, f"{URL}/{department}.02", {"name": "Phòng đổi tên"}, headers)
    if operation == "merge":
        body = {
            "sources": [f"{department}.02"],
            "successor": f"{department}.10",
            "effective_on": "2025-07-01",
            "legal_basis": "QĐ 1",
        }
        return post(client, MERGE, body, headers)
    body = {"effective_on": "2025-07-01", "legal_basis": "QĐ 1"}
    return post(client, f"{URL}/{department}.02/dissolve", body, headers)


@pytest.fixture
def matrix_tree(tree):
    """In each department, a division to merge the old one into."""
    for department in CODE.values():
        create_organisation(
            by=None, parent=unit(department), name="Phòng hợp nhất", kind=Kind.DIVISION, code=f"{department}.10"
        )
    return tree


@pytest.mark.parametrize("operation", ["create", "update", "merge", "dissolve"])
@pytest.mark.parametrize("scope", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, matrix_tree, make_officer, bearer, state, role, scope, operation):
    # Given an officer holding `role` at Sở Tư pháp, with a bearer token
    officer = make_officer(role, matrix_tree["justice"])
    headers = bearer(officer)
    before = state()

    response = _request(client, operation, scope, headers)

    if (role, scope) == ("administrator", "own"):
        # Then only an administrator, in their own department, gets it done, audited as theirs
        assert response.status_code in (200, 201), response.content
        assert AuditRecord.objects.order_by("-seq").first().actor_id == officer.pk
    else:
        assert (response.status_code, response.json()) == (403, FORBIDDEN)
        assert state() == before


def test_a_citizen_is_refused(client, matrix_tree, citizen_headers, state):
    before = state()
    for operation in ("create", "update", "merge", "dissolve"):
        response = _request(client, operation, "own", citizen_headers)
        assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert state() == before


@pytest.fixture
def citizen_headers(db, bearer):
    from egov.people.services import register_citizen

    citizen = register_citizen(
        username="congdan", full_name="Nguyễn Thị Bình", password="Mk-thu-nghiem-2026", identity_number="001099012345"
    )
    return bearer(citizen)


@pytest.mark.parametrize("operation", ["create", "update", "merge", "dissolve"])
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-credentials"),
        pytest.param({"HTTP_AUTHORIZATION": "Bearer khong-hop-le"}, id="unknown-token"),
    ],
)
def test_without_credentials_every_change_is_401_not_a_csrf_403(matrix_tree, state, headers, operation):
    # A real client (curl, another system): CSRF is enforced, and there is no session cookie
    api_client = Client(enforce_csrf_checks=True)
    before = state()

    response = _request(api_client, operation, "own", headers)

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert state() == before


def test_a_signed_in_administrator_may_use_the_web_session_with_its_csrf_token(matrix_tree, admin_user, state):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    browser.get("/admin/")  # the back office page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    before = state()

    refused = patch(browser, f"{URL}/H98.101.02", {"name": "Phòng đổi tên"}, {})
    unchanged = state()
    accepted = patch(browser, f"{URL}/H98.101.02", {"name": "Phòng đổi tên"}, {"HTTP_X_CSRFTOKEN": token})

    assert (refused.status_code, refused.json()) == (
        403,
        {"code": "http_error", "message": "Thiếu hoặc sai mã CSRF: tải lại trang rồi thử lại."},
    )
    assert unchanged == before
    assert (accepted.status_code, accepted.json()["name"]) == (200, "Phòng đổi tên")
