"""The import_catalogue command: progress as percentages, every error in Vietnamese, nothing written on error."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from egov.catalogue import services
from egov.catalogue.models import Field, Procedure
from egov.catalogue.tests import factories


def run(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_catalogue", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_given_a_workbook_when_importing_then_progress_is_printed_in_percent(procedures, tmp_path):
    path = tmp_path / "danh-muc.xlsx"
    path.write_bytes(services.export_excel(Procedure.objects.all()))
    Procedure.objects.all().delete()

    out, err = run(path)

    assert out.splitlines() == [
        "Đang ghi: 0% (0/4 thủ tục)",
        "Đang ghi: 20% (1/4 thủ tục)",
        "Đang ghi: 50% (2/4 thủ tục)",
        "Đang ghi: 70% (3/4 thủ tục)",
        "Đang ghi: 100% (4/4 thủ tục)",
        "Đã nhập danh-muc.xlsx: thêm 4, cập nhật 0, không đổi 0 thủ tục; thêm 0, cập nhật 0 lĩnh vực.",
    ]
    assert err == ""
    assert Procedure.objects.count() == 4


def test_given_a_json_file_with_errors_then_each_is_printed_and_nothing_is_written(procedures, tmp_path, state):
    document = services.export_json(Procedure.objects.filter(code=factories.BIRTH))
    document["procedures"][0]["name"] = ""
    document["procedures"][0]["fees"][0]["amount"] = "miễn"
    document["fields"][0]["name"] = "Hộ tịch (đổi tên)"
    path = tmp_path / "danh-muc.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = state()

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_catalogue", str(path), stdout=out, stderr=err)

    assert str(caught.value) == "Tệp có 2 lỗi; không có dữ liệu nào được ghi."
    assert err.getvalue().splitlines() == [
        "procedures[0].fees[0].amount: Mức thu phải là số đồng (số nguyên không âm). "
        "Phải là số nguyên không âm, không phải 'miễn'.",
        "procedures[0].name: Tên thủ tục không được để trống.",
    ]
    assert out.getvalue() == ""
    assert state() == before
    assert Field.objects.get(code="G09-HT01").name == "Hộ tịch"


@pytest.mark.parametrize(
    ("name", "message"),
    [("khong-co.xlsx", "Không tìm thấy tệp {path}."), ("danh-muc.csv", "Chỉ nhập được tệp .xlsx hoặc .json.")],
)
def test_given_a_missing_or_unsupported_file_then_the_command_says_so(db, tmp_path, name, message):
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text("x")

    with pytest.raises(CommandError) as caught:
        run(path)

    assert str(caught.value) == message.format(path=path)
