"""The back office of the catalogue: the procedure page is one service call (form and inline rows),
errors land on the field or row they name, and only whole-province catalogue managers may change it."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.audit.models import AuditRecord
from egov.catalogue import services
from egov.catalogue.models import Field, Procedure, ProcedureComponent
from egov.catalogue.specs import spec_from_procedure
from egov.catalogue.tests import factories

LIST_URL = "/admin/catalogue/procedure/"
ADD_URL = "/admin/catalogue/procedure/add/"
IMPORT_URL = "/admin/catalogue/procedure/import/"
FIELD_ADD_URL = "/admin/catalogue/field/add/"


def _value(bound) -> object:
    value = bound.value()
    if isinstance(bound.field, forms.BooleanField):
        return "on" if value else None
    if isinstance(bound.field, forms.FileField):
        return None
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return "" if value is None else str(value)


def page_data(page) -> dict:
    """What the browser would post back for the page as shown."""
    data = {}
    for bound in page.context["adminform"].form:
        value = _value(bound)
        if value is not None:
            data[bound.html_name] = value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            for bound in form:
                value = _value(bound)
                if value is not None:
                    data[bound.html_name] = value
    return data


def add_rows(data: dict, prefix: str, rows: list[dict]) -> None:
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for i, row in enumerate(rows, start=start):
        for name, value in row.items():
            data[f"{prefix}-{i}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(start + len(rows))


def new_procedure_data(client, tree, fields) -> dict:
    data = page_data(client.get(ADD_URL))
    data.update(
        code="1.001193.000.00.00.H98",
        name="Đăng ký khai sinh",
        field=str(fields["G09-HT01"].pk),
        levels=["commune"],
        agencies=[str(tree["commune"].pk)],
        online_level="toan_trinh",
        applicant_types=["citizen"],
        channels=["1", "2"],
        legal_basis="Luật Hộ tịch năm 2014",
        is_active="on",
    )
    add_rows(
        data,
        "components",
        [
            {
                "order": "",
                "name": "Tờ khai đăng ký khai sinh theo mẫu",
                "originals": "1",
                "certified_copies": "0",
                "photocopies": "0",
                "required": "on",
                "note": "",
            },
            {
                "order": "",
                "name": "Giấy chứng sinh",
                "originals": "1",
                "certified_copies": "0",
                "photocopies": "0",
                "required": "on",
                "note": "",
            },
        ],
    )
    add_rows(data, "durations", [{"channel": "1", "amount": "1", "unit": "working_days", "note": "Ngay trong ngày"}])
    add_rows(data, "fees", [{"kind": "charge", "name": "Lệ phí đăng ký khai sinh", "amount": "0", "note": ""}])
    add_rows(data, "results", [{"name": "Giấy khai sinh (bản chính)"}])
    return data


# --- adding and changing through the service --------------------------------------------------------


def test_an_administrator_adds_a_procedure_with_its_rows_in_one_audited_service_call(
    client, tree, fields, administrator, state
):
    client.force_login(administrator)
    data = new_procedure_data(client, tree, fields)
    before = state()

    response = client.post(ADD_URL, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert response["Location"] == LIST_URL
    stored = spec_from_procedure(Procedure.objects.get(code=factories.BIRTH))
    assert [c.name for c in stored.components] == ["Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh"]
    assert (stored.levels, stored.channels, stored.agencies, stored.fees[0].amount, stored.results[0].name) == (
        ("commune",),
        (1, 2),
        ("H98.301",),
        0,
        "Giấy khai sinh (bản chính)",
    )
    assert state()["audit"] == before["audit"] + 1  # validation wrote nothing; the save wrote once
    record = AuditRecord.objects.order_by("-seq").first()
    assert (record.action, record.actor_id, record.channel) == ("catalogue.procedure.create", administrator.pk, "web")


def test_errors_of_the_service_appear_on_their_field_and_inline_row_and_nothing_is_written(
    client, tree, fields, administrator, state
):
    client.force_login(administrator)
    data = new_procedure_data(client, tree, fields)
    data["levels"] = []
    data["online_level"] = "mot_phan"
    data["durations-0-amount"] = "0"
    before = state()

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "levels": ["Cần ít nhất một cấp thực hiện."],
        "mot_phan_reason": ["Dịch vụ công trực tuyến một phần phải nêu lý do (bắt buộc từ ngày 01/07/2026)."],
    }
    durations = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "durations")
    assert durations.forms[0].errors == {"amount": ["Thời hạn phải lớn hơn 0 và không quá 99.999,99."]}
    assert state() == before


def test_an_error_only_on_an_inline_row_keeps_the_page_open(client, tree, fields, administrator, state):
    client.force_login(administrator)
    data = new_procedure_data(client, tree, fields)
    data["components-1-name"] = "Tờ khai đăng ký khai sinh theo mẫu"
    before = state()

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    components = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "components")
    assert components.forms[1].errors == {"name": ["Thành phần hồ sơ 'Tờ khai đăng ký khai sinh theo mẫu' bị lặp lại."]}
    assert state() == before


def test_an_administrator_changes_a_procedure_and_a_kept_component_keeps_its_id(client, procedures, administrator):
    client.force_login(administrator)
    procedure = procedures[factories.BIRTH]
    url = f"{LIST_URL}{procedure.pk}/change/"
    data = page_data(client.get(url))
    kept = ProcedureComponent.objects.get(procedure=procedure, name="Giấy chứng sinh").pk
    data["name"] = "Đăng ký khai sinh (sửa)"
    data["components-0-DELETE"] = "on"  # the form; the birth certificate stays

    response = client.post(url, data)

    assert response.status_code == 302
    stored = Procedure.objects.get(pk=procedure.pk)
    assert stored.name == "Đăng ký khai sinh (sửa)"
    assert list(stored.components.values_list("pk", "order", "name")) == [(kept, 1, "Giấy chứng sinh")]
    record = AuditRecord.objects.order_by("-seq").first()
    assert (record.action, record.actor_id, record.after["name"]) == (
        "catalogue.procedure.update",
        administrator.pk,
        "Đăng ký khai sinh (sửa)",
    )


def test_uploading_a_template_in_the_component_row_stores_it(client, procedures, administrator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(administrator)
    procedure = procedures[factories.BIRTH]
    url = f"{LIST_URL}{procedure.pk}/change/"
    data = page_data(client.get(url))
    data["components-0-template"] = SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4\n%%EOF\n")

    response = client.post(url, data)

    assert response.status_code == 302
    component = ProcedureComponent.objects.get(procedure=procedure, order=1)
    assert component.template.name == "catalogue/templates/to-khai.pdf"
    assert (tmp_path / "catalogue/templates/to-khai.pdf").exists()


# --- who may do what -------------------------------------------------------------------------------


def test_a_specialist_is_sent_to_sign_in(client, procedures, specialist, state):
    client.force_login(specialist)
    before = state()

    page = client.get(ADD_URL)

    assert (page.status_code, page["Location"]) == (302, f"/admin/login/?next={ADD_URL}")
    assert state() == before


def test_a_department_administrator_cannot_open_the_catalogue(client, procedures, tree, fields, make_officer, state):
    client.force_login(make_officer("administrator", tree["justice"], username="quantri.stp"))
    before = state()

    responses = [
        client.get(LIST_URL),
        client.get(ADD_URL),
        client.post(ADD_URL, {"code": "1.000001.000.00.00.H98"}),
        client.get(IMPORT_URL),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert state() == before


def test_an_evaluator_may_look_and_export_but_not_change(client, procedures, tree, make_officer, state):
    client.force_login(make_officer("evaluator", tree["province"]))
    procedure = procedures[factories.BIRTH]
    url = f"{LIST_URL}{procedure.pk}/change/"
    before = state()

    listing = client.get(LIST_URL)
    view = client.get(url)
    changed = client.post(url, {"name": "Không được sửa"})
    added = client.get(ADD_URL)
    imported = client.get(IMPORT_URL)

    assert (listing.status_code, view.status_code) == (200, 200)
    assert (changed.status_code, added.status_code, imported.status_code) == (403, 403, 403)
    assert state() == before


# --- list, actions, import ------------------------------------------------------------------------


def test_the_list_search_ignores_case_and_diacritics(client, procedures, administrator):
    client.force_login(administrator)

    response = client.get(LIST_URL, {"q": "DANG KY khai sinh"})

    assert [p.code for p in response.context["cl"].result_list] == [factories.BIRTH]


@pytest.mark.parametrize("action", ["export_excel", "export_json"])
def test_exporting_the_selected_procedures(client, procedures, administrator, action):
    client.force_login(administrator)
    selected = [procedures[factories.BIRTH].pk, procedures[factories.MARRIAGE].pk]

    response = client.post(LIST_URL, {"action": action, "_selected_action": selected})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="danh-muc-thu-tuc-')
    if action == "export_json":
        document = json.loads(response.content)
        assert [p["code"] for p in document["procedures"]] == [factories.MARRIAGE, factories.BIRTH]
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert [row[0] for row in book["ThuTuc"].iter_rows(min_row=2, values_only=True)] == [
            factories.MARRIAGE,
            factories.BIRTH,
        ]


def test_stopping_the_selected_procedures_goes_through_the_service(client, procedures, administrator):
    client.force_login(administrator)

    client.post(LIST_URL, {"action": "stop_applying", "_selected_action": [procedures[factories.MARRIAGE].pk]})

    assert Procedure.objects.get(code=factories.MARRIAGE).is_active is False
    assert AuditRecord.objects.order_by("-seq").first().actor_id == administrator.pk


def test_the_blank_template_is_offered(client, procedures, administrator):
    client.force_login(administrator)

    response = client.get("/admin/catalogue/procedure/template/")

    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "ThuTuc"


def test_importing_a_good_file_on_the_import_page(client, procedures, administrator):
    client.force_login(administrator)
    document = services.export_json(Procedure.objects.filter(code=factories.BIRTH))
    document["procedures"][0]["name"] = "Đăng ký khai sinh (nhập lại)"
    upload = SimpleUploadedFile("danh-muc.json", json.dumps(document).encode(), content_type="application/json")

    response = client.post(IMPORT_URL, {"file": upload})

    assert (response.status_code, response["Location"]) == (302, LIST_URL)
    assert Procedure.objects.get(code=factories.BIRTH).name == "Đăng ký khai sinh (nhập lại)"
    assert AuditRecord.objects.filter(action="catalogue.import", actor=administrator).count() == 1


def test_importing_a_bad_file_on_the_import_page_lists_every_error(client, procedures, administrator, state):
    client.force_login(administrator)
    book = openpyxl.load_workbook(io.BytesIO(services.export_excel(Procedure.objects.all())))
    book["ThuTuc"]["B2"] = ""
    book["ThoiHan"]["D2"] = "tuần"
    out = io.BytesIO()
    book.save(out)
    before = state()

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("danh-muc.xlsx", out.getvalue())})

    assert response.status_code == 200
    assert [(e.location, e.reason) for e in response.context["row_errors"]] == [
        ("ThuTuc!B2", "Tên thủ tục không được để trống."),
        (
            "ThoiHan!D2",
            "Đơn vị tính 'tuần' không hợp lệ; dùng một trong: working_days (Ngày làm việc), "
            "working_hours (Giờ làm việc), calendar_days (Ngày).",
        ),
    ]
    assert "Bảng ThoiHan, dòng 2" in response.content.decode()
    assert state() == before


# --- fields --------------------------------------------------------------------------------------------


def test_an_administrator_adds_a_field_through_the_service_and_sees_its_errors(client, tree, administrator):
    client.force_login(administrator)

    bad = client.post(FIELD_ADD_URL, {"code": "CT01", "name": "Chứng thực", "managing_sector": ""})
    good = client.post(FIELD_ADD_URL, {"code": "G09-CT01", "name": "Chứng thực", "managing_sector": "Bộ Tư pháp"})

    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors == {
        "code": [
            "Mã lĩnh vực 'CT01' không đúng dạng MX1X2-LV (TT 01/2018/TT-VPCP): "
            "mã cơ quan quản lý và mã lĩnh vực, ví dụ G09-TP01."
        ]
    }
    assert good.status_code == 302
    assert Field.objects.get(code="G09-CT01").managing_sector == "Bộ Tư pháp"
    assert AuditRecord.objects.order_by("-seq").first().action == "catalogue.field.create"


def test_with_an_effective_date_the_admin_records_a_new_version_and_keeps_the_current_one(
    client, procedures, administrator
):
    from datetime import date, timedelta

    from egov.catalogue.models import ProcedureVersion

    client.force_login(administrator)
    procedure = procedures[factories.BIRTH]
    url = f"{LIST_URL}{procedure.pk}/change/"
    data = page_data(client.get(url))
    later = date.today() + timedelta(days=30)
    data |= {"name": "Đăng ký khai sinh (mới)", "effective_from": later.isoformat(), "decision": "QĐ 45/QĐ-UBND"}

    response = client.post(url, data)

    assert response.status_code == 302
    assert Procedure.objects.get(pk=procedure.pk).name == procedure.name  # not overwritten
    latest = ProcedureVersion.objects.filter(procedure=procedure).order_by("-number").first()
    assert (latest.number, latest.effective_from, latest.decision, latest.applied_at) == (
        2,
        later,
        "QĐ 45/QĐ-UBND",
        None,
    )
    assert latest.content["name"] == "Đăng ký khai sinh (mới)"

    # The same date again is refused next to the field, and nothing is added.
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["effective_from"] == [
        f"Ngày có hiệu lực phải sau ngày {later:%d/%m/%Y} của phiên bản gần nhất."
    ]
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 2
