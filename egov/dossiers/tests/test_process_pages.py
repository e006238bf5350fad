"""Internal processes edited on pages (issue #7, item 23): list, a new draft version from a form
validated by the process service, activation; who may do it, as a matrix."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egov.dossiers.models import ProcessDefinition

pytestmark = pytest.mark.django_db


def _step(n, name, agency, unit, role, hours, order=None):
    return {
        f"step-{n}-order": str(order if order is not None else n + 1),
        f"step-{n}-name": name,
        f"step-{n}-agency": agency,
        f"step-{n}-unit": unit,
        f"step-{n}-role": role,
        f"step-{n}-hours": hours,
    }


def _form(world, *steps, rows=None):
    data = {"procedure": world["procedure"].code, "agency": world["justice"].code}
    for step in steps:
        data |= step
    data["rows"] = str(rows if rows is not None else len(steps) + 3)
    return data


def _valid(world):
    return _form(
        world,
        _step(0, "Tiếp nhận", "H98.101", "H98.101.01", "receiving_officer", "2"),
        _step(1, "Thẩm định", "H98.101", "H98.101.02", "specialist", "6,5"),
        _step(2, "Ý kiến Sở Tài chính", "H98.102", "H98.102.02", "specialist", "4"),
        _step(3, "Ký duyệt", "H98.101", "H98.101", "agency_leader", "3,5"),
    )


@pytest.fixture
def justice_admin(world, make_officer):
    return make_officer("administrator", world["justice"], username="quantri.stp")


@pytest.fixture
def finance_admin(world, make_officer):
    return make_officer("administrator", world["finance"], username="quantri.stc")


def _versions(world):
    return list(
        ProcessDefinition.objects.filter(procedure=world["procedure"], agency=world["justice"])
        .order_by("version")
        .values_list("version", "state")
    )


# --- What an administrator of the agency does --------------------------------------------------


def test_the_list_shows_the_versions_of_the_agencies_one_manages(client, world, justice_admin):
    client.force_login(justice_admin)

    html = client.get("/can-bo/quy-trinh/").content.decode()

    assert world["procedure"].code in html
    assert f'href="/can-bo/quy-trinh/{world["process"].pk}/">Phiên bản 1</a>' in html
    assert "Đang áp dụng" in html


def test_a_new_version_is_saved_as_a_draft_with_its_steps(client, world, justice_admin):
    client.force_login(justice_admin)

    response = client.post("/can-bo/quy-trinh/moi/", _valid(world))

    process = ProcessDefinition.objects.get(procedure=world["procedure"], agency=world["justice"], version=2)
    assert (response.status_code, response["Location"]) == (302, f"/can-bo/quy-trinh/{process.pk}/")
    assert (process.state, process.total_hours) == ("draft", Decimal(16))
    assert list(
        process.steps.order_by("order").values_list("order", "name", "agency__code", "unit__code", "role", "hours")
    ) == [
        (1, "Tiếp nhận", "H98.101", "H98.101.01", "receiving_officer", Decimal(2)),
        (2, "Thẩm định", "H98.101", "H98.101.02", "specialist", Decimal("6.5")),
        (3, "Ý kiến Sở Tài chính", "H98.102", "H98.102.02", "specialist", Decimal(4)),
        (4, "Ký duyệt", "H98.101", "H98.101", "agency_leader", Decimal("3.5")),
    ]
    # Version 1 still serves new dossiers until the draft is activated.
    assert _versions(world) == [(1, "active"), (2, "draft")]
    page = client.get(f"/can-bo/quy-trinh/{process.pk}/").content.decode()
    assert "Ý kiến Sở Tài chính" in page and "liên thông</span>" in page


def test_activation_retires_the_previous_version(client, world, justice_admin):
    client.force_login(justice_admin)
    client.post("/can-bo/quy-trinh/moi/", _valid(world))
    draft = ProcessDefinition.objects.get(agency=world["justice"], version=2)

    response = client.post(f"/can-bo/quy-trinh/{draft.pk}/ap-dung/")

    assert (response.status_code, response["Location"]) == (302, f"/can-bo/quy-trinh/{draft.pk}/")
    assert _versions(world) == [(1, "retired"), (2, "active")]


def test_steps_not_adding_up_to_the_legal_time_are_refused_and_nothing_is_written(client, world, justice_admin):
    client.force_login(justice_admin)
    data = _valid(world) | {"step-3-hours": "5"}

    response = client.post("/can-bo/quy-trinh/moi/", data)

    html = response.content.decode()
    assert response.status_code == 422
    message = "Tổng thời gian các bước (17,5 giờ) phải bằng thời gian giải quyết theo quy định (16 giờ)."
    assert f'<p class="usa-error-message" id="steps-error">{message}</p>' in html
    assert f'<li><a href="#steps">{message}</a></li>' in html
    assert _versions(world) == [(1, "active")]
    # What was typed is kept.
    assert 'id="step-1-hours" name="step-1-hours" value="6,5"' in html


def test_a_unit_outside_its_agency_is_shown_on_its_row(client, world, justice_admin):
    client.force_login(justice_admin)
    # Row 3 says Sở Tư pháp but picks a division of Sở Tài chính.
    data = _valid(world) | {"step-2-agency": "H98.101"}

    response = client.post("/can-bo/quy-trinh/moi/", data)

    html = response.content.decode()
    assert response.status_code == 422
    assert (
        '<p class="usa-error-message" id="step-2-unit-error">Phòng Đăng ký kinh doanh không thuộc Sở Tư pháp.</p>'
        in html
    )
    assert '<a href="#step-2-unit">Dòng 3: Phòng Đăng ký kinh doanh không thuộc Sở Tư pháp.</a>' in html
    assert _versions(world) == [(1, "active")]


def test_unreadable_hours_and_a_missing_role_are_named_per_row(client, world, justice_admin):
    client.force_login(justice_admin)
    data = _valid(world) | {"step-0-hours": "hai", "step-1-role": ""}

    response = client.post("/can-bo/quy-trinh/moi/", data)

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="step-0-hours-error">Nhập số giờ làm việc, ví dụ 4 hoặc 7,5.</p>' in html
    assert _versions(world) == [(1, "active")]

    data = _valid(world) | {"step-1-role": ""}
    html = client.post("/can-bo/quy-trinh/moi/", data).content.decode()
    assert 'id="step-1-role-error">Vai trò &#x27;&#x27; không tồn tại.</p>' in html


def test_rows_follow_the_order_typed_and_blank_rows_are_ignored(client, world, justice_admin):
    client.force_login(justice_admin)
    data = _form(
        world,
        _step(0, "Ký duyệt", "H98.101", "H98.101", "agency_leader", "8", order=2),
        _step(1, "", "H98.101", "", "", ""),
        _step(2, "Thẩm định", "H98.101", "H98.101.02", "specialist", "8", order=1),
    )

    assert client.post("/can-bo/quy-trinh/moi/", data).status_code == 302

    process = ProcessDefinition.objects.get(agency=world["justice"], version=2)
    assert list(process.steps.values_list("order", "name")) == [(1, "Thẩm định"), (2, "Ký duyệt")]


def test_more_rows_without_javascript_keep_what_was_typed_and_write_nothing(client, world, justice_admin):
    client.force_login(justice_admin)
    data = _valid(world) | {"more": "1"}

    response = client.post("/can-bo/quy-trinh/moi/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="rows" value="10"' in html  # 7 rows posted + 3 new ones
    assert 'id="step-0-name" name="step-0-name" value="Tiếp nhận"' in html
    assert _versions(world) == [(1, "active")]


def test_a_new_version_starts_from_the_one_it_copies(client, world, justice_admin):
    client.force_login(justice_admin)

    html = client.get(f"/can-bo/quy-trinh/moi/?tu={world['process'].pk}").content.decode()

    assert 'id="step-2-name" name="step-2-name" value="Lấy ý kiến Sở Tài chính (liên thông)"' in html
    assert "Thời gian giải quyết theo quy định:</strong> 2 ngày làm việc (16 giờ làm việc)" in html


def test_the_list_page_takes_a_fixed_number_of_queries(client, world, justice_admin, django_assert_num_queries):
    client.force_login(justice_admin)
    client.get("/can-bo/quy-trinh/")  # warm the session

    # Session, user, positions, the back-office link, count, rows, the session's save...
    with django_assert_num_queries(9):
        client.get("/can-bo/quy-trinh/")
    client.post("/can-bo/quy-trinh/moi/", _valid(world))
    client.post("/can-bo/quy-trinh/moi/", _valid(world))
    with django_assert_num_queries(9):  # ... whatever the number of rows
        html = client.get("/can-bo/quy-trinh/").content.decode()
    assert html.count("Dự thảo</span>") == 2


# --- Who may do it -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "specialist", "other_agency_admin"])
def test_without_process_manage_on_the_agency_nothing_is_seen_or_changed(
    client, world, make_officer, finance_admin, who
):
    from egov.people.services import register_citizen

    process = world["process"]
    if who == "citizen":
        client.force_login(
            register_citizen(
                username="cd", full_name="Công Dân", password="Mk-thu-nghiem-2026", identity_number="001099012345"
            )
        )
    elif who == "specialist":
        client.force_login(make_officer("specialist", world["justice_div"], username="cv"))
    elif who == "other_agency_admin":
        client.force_login(finance_admin)

    list_page = client.get("/can-bo/quy-trinh/")
    detail = client.get(f"/can-bo/quy-trinh/{process.pk}/")
    create = client.post("/can-bo/quy-trinh/moi/", _valid(world))
    activate = client.post(f"/can-bo/quy-trinh/{process.pk}/ap-dung/")

    if who == "anonymous":
        assert {r.status_code for r in (list_page, detail, create, activate)} == {302}
        assert list_page["Location"] == "/dang-nhap/?next=/can-bo/quy-trinh/"
    elif who == "other_agency_admin":
        # Manages processes, but not Sở Tư pháp's: its version is not listed nor reachable.
        assert list_page.status_code == 200 and world["procedure"].code not in list_page.content.decode()
        assert (detail.status_code, create.status_code, activate.status_code) == (404, 403, 404)
    else:
        assert (list_page.status_code, detail.status_code, create.status_code, activate.status_code) == (
            403,
            404,
            403,
            404,
        )
    assert _versions(world) == [(1, "active")]


def test_a_province_administrator_manages_every_agency(client, world, make_officer):
    client.force_login(make_officer("administrator", world["province"], username="quantri.tinh"))

    assert client.post("/can-bo/quy-trinh/moi/", _valid(world)).status_code == 302
    assert _versions(world) == [(1, "active"), (2, "draft")]
