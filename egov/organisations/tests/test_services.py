"""The write path of the organisation tree: create, update, merge, dissolve."""

from __future__ import annotations

from datetime import date

import pytest

from egov.audit.models import AuditRecord
from egov.audit.services import verify_chain
from egov.core.errors import FieldError, PermissionDenied, ValidationFailed
from egov.organisations.models import Kind, Organisation, Succession
from egov.organisations.services import (
    create_organisation,
    dissolve_organisation,
    merge_organisations,
    update_organisation,
)
from egov.organisations.tests.helpers import DENIED_MANAGE, legacy_message, new_message, parent_pk
from egov.people.models import Position

MERGER_DAY = date(2025, 7, 1)  # two-level local government from 1/7/2025
LAST_DAY = date(2025, 6, 30)
SNAPSHOT_FIELDS = {
    "id",
    "path",
    "depth",
    "numchild",
    "name",
    "short_name",
    "abbreviation",
    "kind",
    "code",
    "legacy_code",
    "valid_from",
    "valid_to",
    "address",
    "phone",
    "email",
}


def fresh(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def new_records(since_count: int) -> list[AuditRecord]:
    return list(AuditRecord.objects.order_by("seq")[since_count:])


# --- create -------------------------------------------------------------------------------------


def test_given_an_administrator_when_creating_a_division_then_it_is_placed_under_its_parent_and_audited(
    tree, admin_user, state
):
    justice = tree["justice"]
    before = state()

    org = create_organisation(
        by=admin_user,
        parent=justice,
        name="  Phòng Pháp chế ",
        kind=Kind.DIVISION,
        code="H98.101.03",
        legacy_code="003.00.01.H98",
        short_name=" PC ",
        valid_from=date(2025, 7, 1),
        address="Số 1 đường Trần Phú",
        phone="0290 3 123 456",
        email="phapche@tuphap.example.vn",
    )

    org = fresh(org)
    assert (org.name, org.short_name, org.kind, org.code, org.legacy_code) == (
        "Phòng Pháp chế",
        "PC",
        "division",
        "H98.101.03",
        "003.00.01.H98",
    )
    assert parent_pk(org) == justice.pk
    assert org.depth == 3
    # Sorted by name after "Bộ phận Một cửa..." (0001) and "Phòng Hành chính tư pháp" (0002).
    assert org.path == justice.path + "0003"
    assert fresh(justice).numchild == 3
    after = state()
    assert after["organisation_count"] == before["organisation_count"] + 1
    assert after["audit_count"] == before["audit_count"] + 1
    assert after["succession_count"] == before["succession_count"]
    [rec] = new_records(before["audit_count"])
    assert (rec.action, rec.actor_id, rec.actor_repr, rec.channel, rec.ip_address) == (
        "organisation.create",
        admin_user.pk,
        "quantri",
        "system",
        "",
    )
    assert (rec.target_type, rec.target_id, rec.target_repr) == ("organisations.organisation", str(org.pk), org.name)
    assert rec.before is None
    assert set(rec.after) == SNAPSHOT_FIELDS
    assert rec.after == {
        "id": org.pk,
        "path": org.path,
        "depth": 3,
        "numchild": 0,
        "name": "Phòng Pháp chế",
        "short_name": "PC",
        "abbreviation": "",
        "kind": "division",
        "code": "H98.101.03",
        "legacy_code": "003.00.01.H98",
        "valid_from": "2025-07-01",
        "valid_to": None,
        "address": "Số 1 đường Trần Phú",
        "phone": "0290 3 123 456",
        "email": "phapche@tuphap.example.vn",
    }
    assert verify_chain().ok


def test_given_invalid_fields_when_creating_then_each_field_is_named_in_vietnamese_and_nothing_is_written(
    tree, admin_user, state
):
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        create_organisation(
            by=admin_user,
            parent=tree["justice"],
            name="   ",
            kind=Kind.DIVISION,
            code="h98.101.03",
            legacy_code="H98.101.03",
            valid_from=date(2025, 7, 1),
            valid_to=date(2025, 6, 30),
        )

    assert caught.value.errors == [
        FieldError("name", "Tên đơn vị không được để trống."),
        FieldError("code", new_message("h98.101.03")),
        FieldError("legacy_code", legacy_message("H98.101.03")),
        FieldError("valid_to", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
    ]
    assert (caught.value.code, caught.value.status, caught.value.message) == (
        "validation_error",
        422,
        "Dữ liệu không hợp lệ.",
    )
    assert state() == before


@pytest.mark.parametrize(
    ("code", "legacy_code", "errors"),
    [
        ("H98.101", None, [FieldError("code", "Mã định danh H98.101 đã được dùng cho đơn vị khác.")]),
        (
            None,
            "000.00.01.H98",
            [FieldError("legacy_code", "Mã định danh 000.00.01.H98 đã được dùng cho đơn vị khác.")],
        ),
        (
            "H98.102",
            "000.00.02.H98",
            [
                FieldError("code", "Mã định danh H98.102 đã được dùng cho đơn vị khác."),
                FieldError("legacy_code", "Mã định danh 000.00.02.H98 đã được dùng cho đơn vị khác."),
            ],
        ),
        (None, None, [FieldError("code", "Cần ít nhất một mã định danh (QĐ 20/2020 hoặc QCVN 102:2016).")]),
        ("", "", [FieldError("code", "Cần ít nhất một mã định danh (QĐ 20/2020 hoặc QCVN 102:2016).")]),
        ("000.00.03.H98", None, [FieldError("code", new_message("000.00.03.H98"))]),  # legacy form in `code`
    ],
)
def test_given_a_taken_or_missing_code_when_creating_then_that_field_is_refused(
    tree, admin_user, state, code, legacy_code, errors
):
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        create_organisation(
            by=admin_user,
            parent=tree["province"],
            name="Sở Y tế",
            kind=Kind.DEPARTMENT,
            code=code,
            legacy_code=legacy_code,
        )

    assert caught.value.errors == errors
    assert state() == before


def test_given_an_unknown_kind_when_creating_then_kind_is_refused(tree, admin_user, state):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        create_organisation(by=admin_user, parent=tree["province"], name="Phường Một", kind="ward", code="H98.399")
    assert caught.value.errors == [FieldError("kind", "Loại đơn vị 'ward' không hợp lệ.")]
    assert state() == before


def test_given_no_parent_when_the_platform_creates_a_division_then_parent_is_required(tree, state):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        create_organisation(by=None, parent=None, name="Phòng lạc", kind=Kind.DIVISION, code="H97.001")
    assert caught.value.errors == [FieldError("parent", "Phòng, bộ phận phải thuộc một cơ quan.")]
    assert state() == before


def test_given_no_parent_when_the_platform_creates_a_province_then_it_is_a_new_root(tree):
    root = create_organisation(by=None, parent=None, name="UBND tỉnh Bên Cạnh", kind=Kind.PROVINCE, code="H97")
    # Appended after the existing root; nobody else's path changes.
    assert (fresh(root).depth, fresh(root).path, fresh(tree["province"]).path) == (1, "0002", "0001")
    assert fresh(tree["justice"]).path == tree["justice"].path == "00010001"


def test_given_no_parent_when_an_administrator_creates_a_root_then_parent_is_required(tree, admin_user, state):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        create_organisation(by=admin_user, parent=None, name="UBND tỉnh Bên Cạnh", kind=Kind.PROVINCE, code="H97")
    assert caught.value.errors == [FieldError("parent", "Cần chọn đơn vị cấp trên.")]
    assert state() == before


def test_given_no_parent_when_a_specialist_creates_a_root_then_permission_is_denied(tree, make_officer, state):
    specialist = make_officer("specialist", tree["province"])
    before = state()
    with pytest.raises(PermissionDenied) as caught:
        create_organisation(by=specialist, parent=None, name="UBND tỉnh Bên Cạnh", kind=Kind.PROVINCE, code="H97")
    assert caught.value.message == DENIED_MANAGE
    assert state() == before


def test_given_a_stale_copy_of_the_parent_when_creating_then_permission_follows_the_parents_current_path(
    tree, make_officer, state
):
    province = tree["province"]
    construction = create_organisation(
        by=None, parent=province, name="Sở Xây dựng", kind=Kind.DEPARTMENT, code="H98.103"
    )
    # An in-memory copy whose path is out of date (a merger elsewhere moved units): it now carries
    # the path of "Sở Tư pháp".
    construction.path = fresh(tree["justice"]).path
    justice_admin = make_officer("administrator", tree["justice"])
    before = state()

    with pytest.raises(PermissionDenied):
        create_organisation(
            by=justice_admin, parent=construction, name="Phòng Quản lý xây dựng", kind=Kind.DIVISION, code="H98.103.02"
        )

    assert state() == before


# --- update -------------------------------------------------------------------------------------


def test_given_an_administrator_when_renaming_and_recoding_then_the_change_is_saved_with_before_and_after(
    tree, admin_user, state
):
    justice = tree["justice"]
    before = state()

    update_organisation(by=admin_user, organisation=justice, name="Sở Tư pháp tỉnh Thử Nghiệm", code="H98.111")

    row = fresh(justice)
    assert (row.name, row.code, row.legacy_code) == ("Sở Tư pháp tỉnh Thử Nghiệm", "H98.111", "000.00.01.H98")
    [rec] = new_records(before["audit_count"])
    assert (rec.action, rec.actor_id, rec.target_id) == ("organisation.update", admin_user.pk, str(justice.pk))
    changed = {k: (rec.before[k], rec.after[k]) for k in rec.before if rec.before[k] != rec.after[k]}
    assert changed == {"name": ("Sở Tư pháp", "Sở Tư pháp tỉnh Thử Nghiệm"), "code": ("H98.101", "H98.111")}
    assert set(rec.before) == set(rec.after) == SNAPSHOT_FIELDS
    assert state()["organisation_count"] == before["organisation_count"]


def test_given_an_empty_code_when_updating_then_it_is_stored_as_null_and_the_legacy_code_remains(tree, admin_user):
    update_organisation(by=admin_user, organisation=tree["finance"], code="")
    assert (fresh(tree["finance"]).code, fresh(tree["finance"]).legacy_code) == (None, "000.00.02.H98")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"code": "", "legacy_code": ""},
            [FieldError("code", "Cần ít nhất một mã định danh (QĐ 20/2020 hoặc QCVN 102:2016).")],
        ),
        ({"code": "H98.102"}, [FieldError("code", "Mã định danh H98.102 đã được dùng cho đơn vị khác.")]),
        ({"legacy_code": "000.00.01"}, [FieldError("legacy_code", legacy_message("000.00.01"))]),
        ({"name": " "}, [FieldError("name", "Tên đơn vị không được để trống.")]),
        (
            {"valid_from": date(2025, 7, 1), "valid_to": date(2025, 1, 1)},
            [FieldError("valid_to", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")],
        ),
        (
            {"path": "0009", "kind": Kind.COMMUNE},
            [FieldError("kind", "Trường này không sửa được."), FieldError("path", "Trường này không sửa được.")],
        ),
    ],
)
def test_given_invalid_changes_when_updating_then_the_field_is_named_and_nothing_changes(
    tree, admin_user, state, changes, errors
):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        update_organisation(by=admin_user, organisation=tree["justice"], **changes)
    assert caught.value.errors == errors
    assert state() == before


# --- merge --------------------------------------------------------------------------------------


@pytest.fixture
def communes(tree):
    """Two communes (each with a one-stop unit; the first also with an ended board) and the commune
    that is to succeed them on 1/7/2025."""
    province = tree["province"]

    def make(parent, name, kind, code, **kw):
        return create_organisation(by=None, parent=parent, name=name, kind=kind, code=code, **kw)

    tan_an = make(province, "UBND xã Tân An", Kind.COMMUNE, "H98.302")
    tan_an_desk = make(tan_an, "Bộ phận Một cửa xã Tân An", Kind.ONE_STOP, "H98.302.01")
    tan_an_old = make(tan_an, "Ban cũ xã Tân An", Kind.DIVISION, "H98.302.09", valid_to=date(2024, 12, 31))
    tan_binh = make(province, "UBND xã Tân Bình", Kind.COMMUNE, "H98.303")
    tan_binh_desk = make(tan_binh, "Bộ phận Một cửa xã Tân Bình", Kind.ONE_STOP, "H98.303.01")
    tan_phu = make(province, "UBND xã Tân Phú", Kind.COMMUNE, "H98.304", valid_from=MERGER_DAY)
    return {
        "tan_an": fresh(tan_an),
        "tan_an_desk": tan_an_desk,
        "tan_an_old": tan_an_old,
        "tan_binh": fresh(tan_binh),
        "tan_binh_desk": tan_binh_desk,
        "tan_phu": fresh(tan_phu),
    }


def test_given_two_communes_when_merged_into_a_new_one_then_they_end_and_their_units_move(communes, admin_user, state):
    tan_an, tan_binh, tan_phu = communes["tan_an"], communes["tan_binh"], communes["tan_phu"]
    before = state()

    result = merge_organisations(
        by=admin_user,
        sources=[tan_binh, tan_an],
        successor=tan_phu,
        effective_on=MERGER_DAY,
        legal_basis="Nghị quyết 1656/NQ-UBTVQH15",
    )

    assert result.pk == tan_phu.pk
    assert (fresh(tan_an).valid_to, fresh(tan_binh).valid_to, fresh(tan_phu).valid_to) == (LAST_DAY, LAST_DAY, None)
    assert set(Succession.objects.values_list("predecessor", "successor", "reason", "effective_on", "legal_basis")) == {
        (tan_an.pk, tan_phu.pk, "merger", MERGER_DAY, "Nghị quyết 1656/NQ-UBTVQH15"),
        (tan_binh.pk, tan_phu.pk, "merger", MERGER_DAY, "Nghị quyết 1656/NQ-UBTVQH15"),
    }
    # The active one-stop units move to the successor; the board that ended in 2024 stays put.
    assert parent_pk(communes["tan_an_desk"]) == tan_phu.pk
    assert parent_pk(communes["tan_binh_desk"]) == tan_phu.pk
    assert parent_pk(communes["tan_an_old"]) == tan_an.pk
    assert (fresh(tan_an).numchild, fresh(tan_binh).numchild, fresh(tan_phu).numchild) == (1, 0, 2)
    assert fresh(communes["tan_an_desk"]).path.startswith(fresh(tan_phu).path)
    after = state()
    assert after["organisation_count"] == before["organisation_count"]
    assert after["succession_count"] == before["succession_count"] + 2
    records = new_records(before["audit_count"])
    # Sources are handled in id order (the lock order), whatever order the caller gave.
    assert [(r.action, r.actor_id, r.target_id, r.before, r.after) for r in records] == [
        (
            "organisation.merge",
            admin_user.pk,
            str(tan_an.pk),
            {"valid_to": None},
            {"valid_to": "2025-06-30", "successor": tan_phu.pk, "moved_children": [communes["tan_an_desk"].pk]},
        ),
        (
            "organisation.merge",
            admin_user.pk,
            str(tan_binh.pk),
            {"valid_to": None},
            {"valid_to": "2025-06-30", "successor": tan_phu.pk, "moved_children": [communes["tan_binh_desk"].pk]},
        ),
    ]
    communes_on = lambda day: set(  # noqa: E731
        Organisation.objects.active_on(day).filter(kind=Kind.COMMUNE).values_list("code", flat=True)
    )
    assert communes_on(LAST_DAY) == {"H98.301", "H98.302", "H98.303"}
    assert communes_on(MERGER_DAY) == {"H98.301", "H98.304"}
    assert verify_chain().ok


def test_given_move_children_false_when_merging_then_the_units_stay_with_the_ended_communes(
    communes, admin_user, state
):
    before = state()

    merge_organisations(
        by=admin_user,
        sources=[communes["tan_an"], communes["tan_binh"]],
        successor=communes["tan_phu"],
        effective_on=MERGER_DAY,
        move_children=False,
    )

    assert parent_pk(communes["tan_an_desk"]) == communes["tan_an"].pk
    assert parent_pk(communes["tan_binh_desk"]) == communes["tan_binh"].pk
    assert fresh(communes["tan_phu"]).numchild == 0
    assert [r.after["moved_children"] for r in new_records(before["audit_count"])] == [[], []]
    assert state()["succession_count"] == before["succession_count"] + 2


def test_given_a_source_that_already_ended_when_merging_then_it_is_refused_and_nothing_changes(
    communes, admin_user, state
):
    update_organisation(by=None, organisation=communes["tan_binh"], valid_to=date(2025, 3, 31))
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        merge_organisations(
            by=admin_user,
            sources=[communes["tan_an"], communes["tan_binh"]],
            successor=communes["tan_phu"],
            effective_on=MERGER_DAY,
        )

    assert caught.value.errors == [
        FieldError("sources", "UBND xã Tân Bình không còn hiệu lực trước ngày 01/07/2025."),
    ]
    assert state() == before


def test_given_the_successor_is_one_of_the_sources_when_merging_then_it_is_refused(communes, admin_user, state):
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        merge_organisations(
            by=admin_user,
            sources=[communes["tan_an"], communes["tan_binh"]],
            successor=communes["tan_an"],
            effective_on=MERGER_DAY,
        )

    assert caught.value.errors == [
        FieldError("successor", "Đơn vị kế thừa không được là một trong các đơn vị bị hợp nhất."),
    ]
    assert state() == before


def test_given_a_successor_not_yet_in_force_when_merging_then_it_is_refused(communes, admin_user, state):
    later = create_organisation(
        by=None,
        parent=Organisation.objects.get(code="H98"),
        name="UBND xã Tân Lập",
        kind=Kind.COMMUNE,
        code="H98.305",
        valid_from=date(2025, 8, 1),
    )
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        merge_organisations(by=admin_user, sources=[communes["tan_an"]], successor=later, effective_on=MERGER_DAY)

    assert caught.value.errors == [FieldError("successor", "UBND xã Tân Lập chưa có hiệu lực vào ngày 01/07/2025.")]
    assert state() == before


def test_given_no_sources_when_merging_then_sources_is_required(communes, admin_user, state):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        merge_organisations(by=admin_user, sources=[], successor=communes["tan_phu"], effective_on=MERGER_DAY)
    assert caught.value.errors == [FieldError("sources", "Cần ít nhất một đơn vị được hợp nhất.")]
    assert state() == before


def test_given_a_successor_inside_a_source_when_merging_with_its_children_then_it_is_refused(
    district, admin_user, state
):
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        merge_organisations(
            by=admin_user, sources=[district["district"]], successor=district["an_binh"], effective_on=MERGER_DAY
        )

    assert caught.value.errors == [
        FieldError(
            "successor",
            "Đơn vị kế thừa trực thuộc UBND huyện Thử Nghiệm: không thể chuyển đơn vị vào chính nó.",
        )
    ]
    assert state() == before


def test_given_a_source_under_another_source_when_merging_then_each_keeps_its_place_and_only_active_units_move(
    tree, district, admin_user, state
):
    # The district and one of its communes (with its one-stop unit) merge into the province's commune.
    an_binh_desk = create_organisation(
        by=None, parent=district["an_binh"], name="Bộ phận Một cửa xã An Bình", kind=Kind.ONE_STOP, code="H98.201.01.01"
    )
    successor = tree["commune"]
    before = state()

    merge_organisations(
        by=admin_user, sources=[district["an_binh"], district["district"]], successor=successor, effective_on=MERGER_DAY
    )

    parent_of = {key: parent_pk(district[key]) for key in ("an_binh", "binh_minh", "ended")}
    # An Bình ends with the district, so it is not moved as one of the district's active communes.
    assert parent_of == {
        "an_binh": district["district"].pk,
        "binh_minh": successor.pk,
        "ended": district["district"].pk,
    }
    assert parent_pk(an_binh_desk) == successor.pk
    assert [(r.target_id, r.after["moved_children"]) for r in new_records(before["audit_count"])] == [
        (str(district["district"].pk), [district["binh_minh"].pk]),
        (str(district["an_binh"].pk), [an_binh_desk.pk]),
    ]


# --- dissolve -----------------------------------------------------------------------------------


def test_given_a_district_when_dissolved_with_move_children_to_the_province_then_its_communes_move_up(
    tree, district, admin_user, make_officer, state
):
    province, dist = tree["province"], district["district"]
    officer = make_officer("specialist", dist)  # a record filed with the district
    creation = AuditRecord.objects.get(action="organisation.create", target_id=str(dist.pk))
    before = state()

    result = dissolve_organisation(
        by=admin_user,
        organisation=dist,
        effective_on=MERGER_DAY,
        move_children_to=province,
        legal_basis="Nghị quyết 76/2025/UBTVQH15",
    )

    assert (result.pk, result.valid_to) == (dist.pk, LAST_DAY)
    assert fresh(dist).valid_to == LAST_DAY
    for key in ("an_binh", "binh_minh"):
        commune = fresh(district[key])
        assert (parent_pk(commune), commune.depth, commune.valid_to) == (province.pk, 2, None)
    assert parent_pk(district["ended"]) == dist.pk  # ended in 2024: not moved
    assert fresh(dist).numchild == 1
    assert list(
        Succession.objects.values_list("predecessor", "successor", "reason", "effective_on", "legal_basis")
    ) == [(dist.pk, None, "dissolution", MERGER_DAY, "Nghị quyết 76/2025/UBTVQH15")]
    # Old records still point at the district itself.
    assert Position.objects.get(user=officer).unit_id == dist.pk
    assert AuditRecord.objects.get(pk=creation.pk).target_id == str(dist.pk)
    [rec] = new_records(before["audit_count"])
    assert (rec.action, rec.actor_id, rec.target_id, rec.before, rec.after) == (
        "organisation.dissolve",
        admin_user.pk,
        str(dist.pk),
        {"valid_to": None},
        {
            "valid_to": "2025-06-30",
            "successor": None,
            "moved_children": [district["an_binh"].pk, district["binh_minh"].pk],
        },
    )
    assert state()["organisation_count"] == before["organisation_count"]


def test_given_no_move_children_to_when_dissolving_then_the_communes_stay_under_the_district(
    tree, district, admin_user, state
):
    before = state()

    dissolve_organisation(
        by=admin_user, organisation=district["district"], effective_on=MERGER_DAY, successor=tree["province"]
    )

    assert parent_pk(district["an_binh"]) == district["district"].pk
    assert list(Succession.objects.values_list("predecessor", "successor", "reason")) == [
        (district["district"].pk, tree["province"].pk, "dissolution")
    ]
    [rec] = new_records(before["audit_count"])
    assert rec.after == {"valid_to": "2025-06-30", "successor": tree["province"].pk, "moved_children": []}


def test_given_a_unit_that_already_ended_when_dissolving_then_it_is_refused(district, admin_user, state):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        dissolve_organisation(by=admin_user, organisation=district["ended"], effective_on=MERGER_DAY)
    assert caught.value.errors == [FieldError("effective_on", "UBND xã Cũ đã hết hiệu lực trước ngày này.")]
    assert state() == before


def test_given_a_stale_copy_of_the_new_parent_when_dissolving_then_permission_follows_its_current_path(
    tree, make_officer, state
):
    province = tree["province"]
    construction = create_organisation(
        by=None, parent=province, name="Sở Xây dựng", kind=Kind.DEPARTMENT, code="H98.103"
    )
    construction.path = fresh(tree["justice"]).path  # stale: see the create test above
    justice_admin = make_officer("administrator", tree["justice"])
    before = state()

    with pytest.raises(PermissionDenied):
        dissolve_organisation(
            by=justice_admin, organisation=tree["justice_div"], effective_on=MERGER_DAY, move_children_to=construction
        )

    assert state() == before


@pytest.mark.parametrize("target", ["district", "an_binh"])
def test_given_children_moved_into_the_unit_itself_when_dissolving_then_it_is_refused(
    district, admin_user, state, target
):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        dissolve_organisation(
            by=admin_user, organisation=district["district"], effective_on=MERGER_DAY, move_children_to=district[target]
        )
    assert caught.value.errors == [FieldError("move_children_to", "Không thể chuyển đơn vị trực thuộc vào chính nó.")]
    assert state() == before


# --- checks added with the management API: a successor and a new parent must exist on the day --------


def test_given_the_unit_itself_as_successor_when_dissolving_then_it_is_refused(district, admin_user, state):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        dissolve_organisation(
            by=admin_user, organisation=district["district"], effective_on=MERGER_DAY, successor=district["district"]
        )
    assert caught.value.errors == [FieldError("successor", "Đơn vị kế thừa không được là chính đơn vị bị giải thể.")]
    assert state() == before


@pytest.mark.parametrize("field", ["successor", "move_children_to"])
def test_given_a_successor_or_new_parent_that_has_ended_when_dissolving_then_it_is_refused(
    district, admin_user, state, field
):
    # UBND xã Cũ ended on 31/12/2024: it cannot take over anything on 1/7/2025
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        dissolve_organisation(
            by=admin_user, organisation=district["an_binh"], effective_on=MERGER_DAY, **{field: district["ended"]}
        )
    assert caught.value.errors == [FieldError(field, "UBND xã Cũ không có hiệu lực vào ngày 01/07/2025.")]
    assert state() == before


def test_given_a_successor_in_another_agency_when_a_department_administrator_dissolves_then_it_is_refused(
    tree, make_officer, state
):
    # Naming a successor writes to its history: like a merge, it must be the officer's to manage
    justice_admin = make_officer("administrator", tree["justice"])
    before = state()
    with pytest.raises(PermissionDenied) as caught:
        dissolve_organisation(
            by=justice_admin, organisation=tree["justice_div"], effective_on=MERGER_DAY, successor=tree["finance"]
        )
    assert caught.value.message == DENIED_MANAGE
    assert state() == before


@pytest.mark.parametrize("operation", ["merge", "dissolve"])
def test_given_the_first_representable_day_when_ending_a_unit_then_it_is_a_field_error_not_a_crash(
    tree, admin_user, state, operation
):
    before = state()
    with pytest.raises(ValidationFailed) as caught:
        if operation == "merge":
            merge_organisations(
                by=admin_user, sources=[tree["justice_div"]], successor=tree["finance_div"], effective_on=date.min
            )
        else:
            dissolve_organisation(by=admin_user, organisation=tree["justice_div"], effective_on=date.min)
    assert caught.value.errors == [FieldError("effective_on", "Ngày hiệu lực không hợp lệ.")]
    assert state() == before


def test_given_an_invalid_email_when_creating_or_updating_then_the_email_field_is_named(tree, admin_user, state):
    before = state()
    with pytest.raises(ValidationFailed) as created:
        create_organisation(
            by=admin_user,
            parent=tree["justice"],
            name="Phòng Pháp chế",
            kind=Kind.DIVISION,
            code="H98.101.03",
            email="phapche@",
        )
    with pytest.raises(ValidationFailed) as updated:
        update_organisation(by=admin_user, organisation=tree["justice"], email="khong-phai-email")
    assert created.value.errors == [FieldError("email", "Địa chỉ thư điện tử không hợp lệ.")]
    assert updated.value.errors == [FieldError("email", "Địa chỉ thư điện tử không hợp lệ.")]
    assert state() == before


def test_given_a_code_taken_between_the_check_and_the_write_when_updating_then_it_is_a_conflict(
    tree, admin_user, state, monkeypatch
):
    from egov.core.errors import Conflict
    from egov.organisations import services

    # The uniqueness check passes (another request has not committed yet), the unique index refuses
    monkeypatch.setattr(services, "_validate", lambda **kwargs: [])
    before = state()
    with pytest.raises(Conflict) as caught:
        update_organisation(by=admin_user, organisation=tree["justice"], code="H98.102")
    assert (caught.value.status, caught.value.message) == (409, "Mã định danh vừa được dùng cho đơn vị khác.")
    assert state() == before
