"""The score page, its drill-down and Excel export, the dashboard, and the open data: who sees
what, exact figures, the rows behind a figure, and the number of queries."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

MARCH = {"ky": "2027-03", "cap": "so-nganh"}


@pytest.fixture
def leaders(world, make_officer):
    return {
        "justice": make_officer("agency_leader", world["justice"], username="ld.stp"),
        "finance": make_officer("agency_leader", world["finance"], username="ld.stc"),
        "province": make_officer("administrator", world["province"], username="qt.tinh"),
    }


def page(client, user, url, params=None):
    client.force_login(user)
    return client.get(url, params or {})


def test_a_leader_sees_only_their_agency_with_formula_and_figures(client, dataset, leaders, qd766):
    response = page(client, leaders["justice"], "/bao-cao/diem/", MARCH | {"bo": qd766.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sở Tư pháp" in html and "Sở Tài chính" not in html
    assert "30,5" in html  # the total, Vietnamese decimal comma
    assert "Số hồ sơ giải quyết xong trước hoặc đúng hạn ÷ số hồ sơ giải quyết xong trong kỳ × 100" in html
    assert "?do=on_time&amp;ky=2027-03&amp;don-vi=H98.101&amp;phan=tu-so" in html


def test_the_province_sees_both_departments_ranked(client, dataset, leaders, qd766):
    html = page(client, leaders["province"], "/bao-cao/diem/", MARCH | {"bo": qd766.pk}).content.decode()
    assert html.index("Sở Tài chính") < html.index("Sở Tư pháp")  # 32 before 30.5


def test_province_level(client, dataset, leaders, qd766):
    html = page(client, leaders["province"], "/bao-cao/diem/", {"ky": "2027-03", "cap": "tinh"}).content.decode()
    assert "UBND tỉnh Thử Nghiệm" in html
    # on time for the whole province: 3 of 5
    assert 'phan=tu-so" aria-label="Tử số: 3 hồ sơ trước hạn và đúng hạn"' in html


@pytest.mark.parametrize("who", ["specialist", "citizen"])
def test_others_are_refused(client, dataset, officers, citizen, who):
    user = citizen if who == "citizen" else officers["specialist"]
    for url in (
        "/bao-cao/diem/",
        "/bao-cao/dieu-hanh/",
        "/bao-cao/diem.xlsx",
        "/bao-cao/dieu-hanh/ho-so/?loai=qua-han",
    ):
        assert page(client, user, url, MARCH).status_code == 403, url
    assert page(client, user, "/bao-cao/dieu-hanh/du-lieu.json").status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get("/bao-cao/diem/").status_code == 302


def test_a_bad_period_says_which_field(client, dataset, leaders):
    response = page(client, leaders["justice"], "/bao-cao/diem/", {"ky": "2027-13"})
    assert response.status_code == 400
    assert "Tháng của kỳ báo cáo phải từ 01 đến 12." in response.content.decode()


def drill(client, user, part, unit="H98.101", measure="on_time"):
    return page(client, user, "/bao-cao/diem/ho-so/", {"do": measure, "ky": "2027-03", "don-vi": unit, "phan": part})


@pytest.mark.parametrize(
    ("part", "names"), [("tu-so", ["d1", "d2"]), ("con-lai", ["d3", "d6"]), ("mau-so", ["d1", "d2", "d3", "d6"])]
)
def test_the_drill_down_lists_exactly_the_counted_dossiers(client, dataset, leaders, part, names):
    html = drill(client, leaders["justice"], part).content.decode()
    listed = {n for n in ("d1", "d2", "d3", "d4", "d5", "d6") if f'href="/can-bo/ho-so/{dataset[n].code}/"' in html}
    assert listed == set(names)


def test_the_drill_down_of_feedback_lists_feedback(client, dataset, leaders):
    html = drill(client, leaders["justice"], "mau-so", measure="feedback_on_time").content.decode()
    assert [c for c in ("PA1", "PA2", "PA3", "PA4") if f"/can-bo/phan-anh/{c}/" in html] == ["PA1", "PA2", "PA3"]


def test_the_drill_down_refuses_another_agency(client, dataset, leaders):
    assert drill(client, leaders["finance"], "mau-so", unit="H98.101").status_code == 403


def test_the_drill_down_pages_by_keyset(client, dataset, leaders, monkeypatch):
    from egov.reports import views

    monkeypatch.setattr(views, "PAGE", 3)
    first = drill(client, leaders["justice"], "mau-so").content.decode()
    assert first.count('href="/can-bo/ho-so/') == 3 and "sau=" in first
    after = str(dataset["d3"].pk)
    second = page(
        client,
        leaders["justice"],
        "/bao-cao/diem/ho-so/",
        {"do": "on_time", "ky": "2027-03", "don-vi": "H98.101", "phan": "mau-so", "sau": after},
    ).content.decode()
    assert second.count('href="/can-bo/ho-so/') == 1 and dataset["d6"].code in second


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_score_page_queries_do_not_grow_with_agencies_or_dossiers(client, dataset, leaders, qd766, world, officers):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation
    from egov.reports.tests.conftest import receive

    client.force_login(leaders["province"])
    params = MARCH | {"bo": qd766.pk}
    client.get("/bao-cao/diem/", params)  # warm the session
    before = count_queries(client, "/bao-cao/diem/", params)
    create_organisation(
        by=None,
        parent=world["province"],
        name="Sở Xây dựng",
        kind=Kind.DEPARTMENT,
        code="H98.103",
        legacy_code="000.00.03.H98",
    )
    for _ in range(3):
        receive(world, officers["desk"])
    assert count_queries(client, "/bao-cao/diem/", params) == before
    # session, user, grants, published sets, the chosen set with its grades, groups, indicators and
    # thresholds (5), the units, one grouped query per measure (7), the nav's back-office check, and
    # the session's save (savepoint, update, release)
    assert before == 21


def test_the_dashboard_queries_are_fixed(client, dataset, leaders, world, officers):
    from egov.reports.tests.conftest import receive

    client.force_login(leaders["province"])
    client.get("/bao-cao/dieu-hanh/")
    before = count_queries(client, "/bao-cao/dieu-hanh/", {})
    for _ in range(3):
        receive(world, officers["desk"])
    assert count_queries(client, "/bao-cao/dieu-hanh/", {}) == before
    # session, user, grants, per agency, per field, trend (2), the nav's back-office check, the
    # session's save (3)
    assert before == 11


def test_excel_opens_with_the_right_values(client, dataset, leaders, qd766):
    from openpyxl import load_workbook

    response = page(client, leaders["province"], "/bao-cao/diem.xlsx", MARCH | {"bo": qd766.pk})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[4]]
    assert header[:5] == ["Xếp hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm", "Xếp loại"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5)]
    assert [r[:4] for r in rows] == [[1, "H98.102", "Sở Tài chính", 32], [2, "H98.101", "Sở Tư pháp", 30.5]]
    on_time = header.index("2.1 tử số")
    assert rows[1][on_time : on_time + 4] == [2, 4, 50, 10]
    assert book.worksheets[1]["D3"].value.startswith("Số phản ánh, kiến nghị trả lời trong hạn")


def test_the_dashboard_figures_and_lists(client, dataset, leaders):
    response = page(client, leaders["justice"], "/bao-cao/dieu-hanh/du-lieu.json")
    data = response.json()
    # now 12/3/2027: d4 is the only dossier in progress, and overdue (due 5/3); received this month:
    # d1–d4 (1/3); finished this month: d1, d2, d3, d6
    assert data["totals"] == {
        "nhan-hom-nay": 0,
        "nhan-thang-nay": 4,
        "dang-xu-ly": 1,
        "qua-han": 1,
        "xong-thang-nay": 4,
    }
    assert [r["name"] for r in data["by_agency"]] == ["Sở Tư pháp"]
    march = next(m for m in data["trend"] if m["month"] == "2027-03")
    assert march == {"month": "2027-03", "received": 4, "finished": 4, "late": 2}
    html = page(
        client, leaders["justice"], "/bao-cao/dieu-hanh/ho-so/", {"loai": "qua-han", "don-vi": "H98.101"}
    ).content.decode()
    assert f"/can-bo/ho-so/{dataset['d4'].code}/" in html and dataset["d1"].code not in html
    dashboard = page(client, leaders["justice"], "/bao-cao/dieu-hanh/").content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in dashboard and 'id="table-agency"' in dashboard


def test_open_data_csv_and_json(client, dataset):
    response = client.get("/thong-ke/du-lieu.csv", {"ky": "2027-03"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0]
        == "ky,tu_ngay,den_ngay,theo,key,label,received,finished,on_time,late,open_overdue,online,digitised,reused"
    )
    # received in 15/2–14/3: justice d1–d4 (d6 was received on 1/2), finance d5
    assert lines[1:] == [
        "2027-03,2027-02-15,2027-03-14,co-quan,H98.102,Sở Tài chính,1,1,1,0,0,1,0,0",
        "2027-03,2027-02-15,2027-03-14,co-quan,H98.101,Sở Tư pháp,4,3,2,1,1,2,2,1",
    ]
    body = json.loads(client.get("/thong-ke/du-lieu.json", {"ky": "2027-Q1", "theo": "linh-vuc"}).content)
    assert body["period"] == {"key": "2027-Q1", "kind": "quarter", "start": "2026-12-15", "end": "2027-03-14"}
    assert body["rows"] == [
        {
            "key": "G09-TP01",
            "label": "Chứng thực",
            "received": 6,
            "finished": 5,
            "on_time": 3,
            "late": 2,
            "open_overdue": 1,
            "online": 3,
            "digitised": 2,
            "reused": 1,
        }
    ]  # fmt: skip  (the quarter's window holds d6, received 1/2, too)
    assert client.get("/thong-ke/du-lieu.json", {"ky": "x"}).status_code == 400


def test_no_personal_data_in_open_data(client, dataset):
    assert "Nguyễn Văn An" not in client.get("/thong-ke/du-lieu.csv", {"ky": "2027-03"}).content.decode()
