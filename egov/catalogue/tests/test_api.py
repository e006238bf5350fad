"""The public catalogue API: search with keyset pagination, detail, fields; query counts."""

from __future__ import annotations

import pytest

from egov.catalogue import services
from egov.catalogue.models import Procedure
from egov.catalogue.specs import ComponentSpec
from egov.catalogue.tests import factories

URL = "/api/v1/procedures"
BIRTH, MARRIAGE, BUSINESS, RECORD = (
    factories.BIRTH,
    factories.MARRIAGE,
    factories.HOUSEHOLD_BUSINESS,
    factories.CRIMINAL_RECORD,
)


def codes(body) -> list[str]:
    return [item["code"] for item in body["items"]]


def test_given_the_catalogue_when_listing_then_active_procedures_come_by_code_with_their_summary(client, procedures):
    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert codes(body) == [MARRIAGE, BIRTH, RECORD, BUSINESS]
    assert body["next_cursor"] is None
    assert body["items"][3] == {
        "code": BUSINESS,
        "name": "Đăng ký thành lập hộ kinh doanh",
        "field": {"code": "G13-DK01", "name": "Thành lập và hoạt động của hộ kinh doanh"},
        "levels": ["commune"],
        "online_level": "mot_phan",
        "applicant_types": ["citizen", "business"],
        "channels": [1, 2],
        "is_active": True,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "dang ky khai sinh"}, [BIRTH]),
        ({"q": "ĐĂNG KÝ KẾT HÔN"}, [MARRIAGE]),
        ({"q": "d"}, [MARRIAGE, BIRTH, BUSINESS, RECORD]),
        ({"q": "1.001193"}, [BIRTH]),
        ({"field": "G09-HT01"}, [MARRIAGE, BIRTH]),
        ({"agency": "H98.101"}, [RECORD]),
        ({"agency": "000.00.61.H98"}, [MARRIAGE, BIRTH, BUSINESS]),
        ({"level": "department"}, [RECORD]),
        ({"online_level": "mot_phan"}, [BUSINESS]),
        ({"q": "dang ky", "agency": "H98.301", "level": "commune", "online_level": "toan_trinh"}, [MARRIAGE, BIRTH]),
    ],
)
def test_given_search_parameters_when_listing_then_only_matching_procedures_come(client, procedures, params, expected):
    response = client.get(URL, params)

    assert response.status_code == 200
    assert codes(response.json()) == expected


def test_given_a_page_size_when_following_next_cursor_then_pages_cover_the_results_once_in_rank_order(
    client, procedures
):
    first = client.get(URL, {"q": "d", "limit": 2}).json()
    second = client.get(URL, {"q": "d", "limit": 2, "after": first["next_cursor"]}).json()

    assert (codes(first), codes(second)) == ([MARRIAGE, BIRTH], [BUSINESS, RECORD])
    # The cursor is the last row's rank and code: name prefix (1), then phrase (2).
    assert (first["next_cursor"], second["next_cursor"]) == (f"1:{BIRTH}", None)
    plain = client.get(URL, {"limit": 3}).json()
    assert (codes(plain), plain["next_cursor"]) == ([MARRIAGE, BIRTH, RECORD], f"0:{RECORD}")
    assert codes(client.get(URL, {"after": plain["next_cursor"]}).json()) == [BUSINESS]


def test_stopped_procedures_are_not_listed_but_their_detail_stays_readable(client, procedures):
    services.set_procedure_active(by=None, procedure=procedures[MARRIAGE], is_active=False)

    assert codes(client.get(URL, {"q": "ket hon"}).json()) == []
    detail = client.get(f"{URL}/{MARRIAGE}")
    assert (detail.status_code, detail.json()["is_active"]) == (200, False)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"agency": "H98.999"}, "agency", "Không tìm thấy cơ quan có mã định danh 'H98.999'."),
        ({"field": "G99-XX01"}, "field", "Không tìm thấy lĩnh vực có mã 'G99-XX01'."),
        ({"after": "khong-phai-con-tro"}, "after", "Con trỏ trang không hợp lệ."),
        ({"limit": 0}, "limit", "Phải lớn hơn hoặc bằng 1."),
        ({"limit": 201}, "limit", "Phải nhỏ hơn hoặc bằng 200."),
        ({"q": "x" * 201}, "q", "Quá dài (tối đa 200 ký tự)."),
    ],
)
def test_given_bad_parameters_when_listing_then_422_names_the_parameter(client, procedures, params, field, message):
    response = client.get(URL, params)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": message}]


def test_given_an_unknown_level_when_listing_then_422_names_the_level(client, procedures):
    response = client.get(URL, {"level": "ward"})

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "level"
    assert error["message"].startswith("Giá trị phải là một trong: ") and "'commune'" in error["message"]


def test_given_a_code_when_getting_the_detail_then_everything_about_the_procedure_comes(client, procedures):
    response = client.get(f"{URL}/{RECORD}")

    assert response.status_code == 200
    assert response.json() == {
        "code": RECORD,
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "field": {"code": "G09-LL01", "name": "Lý lịch tư pháp"},
        "levels": ["department"],
        "online_level": "toan_trinh",
        "applicant_types": ["citizen"],
        "channels": [1, 2, 3],
        "is_active": True,
        "mot_phan_reason": "",
        "steps": "",
        "requirements": "",
        "legal_basis": "",
        "result_description": "",
        "agencies": [{"code": "H98.101", "legacy_code": "000.00.01.H98", "name": "Sở Tư pháp"}],
        "components": [
            {
                "id": Procedure.objects.get(code=RECORD).components.get().pk,
                "order": 1,
                "name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                "originals": 1,
                "certified_copies": 0,
                "photocopies": 0,
                "required": True,
                "template_url": None,
                "note": "",
            }
        ],
        "durations": [
            {"channel": 1, "amount": "10", "unit": "working_days", "note": ""},
            {"channel": 2, "amount": "0.5", "unit": "working_days", "note": "Thử nghiệm"},
            {"channel": 3, "amount": "15", "unit": "calendar_days", "note": ""},
        ],
        "fees": [{"kind": "fee", "name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 200000, "note": ""}],
        "results": [{"name": "Phiếu lý lịch tư pháp số 1"}],
    }


def test_a_component_template_is_given_as_a_download_address(client, fields):
    services.create_procedure(
        by=None,
        spec=factories.birth(
            components=(ComponentSpec(name="Tờ khai", originals=1, template="catalogue/templates/to-khai.docx"),)
        ),
    )

    [component] = client.get(f"{URL}/{BIRTH}").json()["components"]

    # Not a /media/ address: stored files are only served through views (issue #9).
    assert component["template_url"] == f"/thu-tuc/{BIRTH}/mau/{component['id']}/"


def test_given_an_unknown_code_when_getting_the_detail_then_404_in_vietnamese(client, procedures):
    response = client.get(f"{URL}/1.999999.000.00.00.H98")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy thủ tục có mã '1.999999.000.00.00.H98'."}


def test_the_fields_come_with_their_number_of_active_procedures(client, procedures):
    services.set_procedure_active(by=None, procedure=procedures[MARRIAGE], is_active=False)

    response = client.get(f"{URL}/fields")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"code": "G09-HT01", "name": "Hộ tịch", "managing_sector": "Bộ Tư pháp", "procedure_count": 1},
            {"code": "G09-LL01", "name": "Lý lịch tư pháp", "managing_sector": "Bộ Tư pháp", "procedure_count": 1},
            {
                "code": "G13-DK01",
                "name": "Thành lập và hoạt động của hộ kinh doanh",
                "managing_sector": "Bộ Tài chính",
                "procedure_count": 1,
            },
        ],
        "next_cursor": None,
    }
    page = client.get(f"{URL}/fields", {"limit": 2}).json()
    assert ([f["code"] for f in page["items"]], page["next_cursor"]) == (["G09-HT01", "G09-LL01"], "G09-LL01")
    rest = client.get(f"{URL}/fields", {"after": "G09-LL01"}).json()
    assert [f["code"] for f in rest["items"]] == ["G13-DK01"]


# --- query counts ----------------------------------------------------------------------------------


@pytest.fixture
def many(procedures):
    for n in range(1, 41):
        services.create_procedure(
            by=None, spec=factories.birth(code=f"1.{n:06d}.000.00.00.H98", name=f"Đăng ký thủ tục số {n:02d}")
        )


def test_the_list_takes_one_query_whatever_the_page_size(client, many, django_assert_num_queries):
    with django_assert_num_queries(1):
        small = client.get(URL, {"limit": 2, "q": "dang ky"})
    with django_assert_num_queries(1):
        large = client.get(URL, {"limit": 50, "q": "dang ky"})
    # Filters by field and agency each add their lookup, once.
    with django_assert_num_queries(3):
        filtered = client.get(URL, {"limit": 50, "field": "G09-HT01", "agency": "H98.301"})

    assert (len(small.json()["items"]), len(large.json()["items"]), len(filtered.json()["items"])) == (2, 43, 42)


def test_the_detail_takes_six_queries_whatever_its_size(client, many, fields, django_assert_num_queries):
    big = factories.birth(
        code="1.100000.000.00.00.H98",
        components=tuple(ComponentSpec(name=f"Giấy tờ {n}", originals=1) for n in range(30)),
    )
    services.create_procedure(by=None, spec=big)

    with django_assert_num_queries(6):
        small = client.get(f"{URL}/{BIRTH}")
    with django_assert_num_queries(6):
        large = client.get(f"{URL}/1.100000.000.00.00.H98")

    assert (len(small.json()["components"]), len(large.json()["components"])) == (2, 30)


def test_the_fields_take_one_query(client, many, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"{URL}/fields")
    assert response.json()["items"][0]["procedure_count"] == 42


def test_a_component_template_is_served_by_its_view_as_a_sandboxed_download(client, fields, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "catalogue" / "templates").mkdir(parents=True)
    (tmp_path / "catalogue" / "templates" / "to-khai.html").write_bytes(b"<html><script>alert(1)</script>")
    services.create_procedure(
        by=None,
        spec=factories.birth(
            components=(ComponentSpec(name="Tờ khai", originals=1, template="catalogue/templates/to-khai.html"),)
        ),
    )
    [component] = client.get(f"{URL}/{BIRTH}").json()["components"]

    response = client.get(component["template_url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="to-khai.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].endswith("; sandbox")
    assert client.get(f"/thu-tuc/{BIRTH}/mau/{component['id'] + 1}/").status_code == 404
