"""Excel import and export: the documented layout, exact round trips, every bad cell reported, all or
nothing, progress."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from egov.catalogue import services
from egov.catalogue.exchange import ImportFailed
from egov.catalogue.models import Field, Procedure, ProcedureComponent
from egov.catalogue.specs import ComponentSpec, DurationSpec, FeeSpec, ProcedureSpec, ResultSpec, spec_from_procedure
from egov.catalogue.tests import factories
from egov.catalogue.workbook import SHEETS

SHEET_NAMES = ["ThuTuc", "ThanhPhan", "ThoiHan", "PhiLePhi", "KetQua", "CoQuan", "LinhVuc", "HuongDan"]


def specs() -> list[ProcedureSpec]:
    return [
        spec_from_procedure(p)
        for p in Procedure.objects.order_by("code").prefetch_related(
            "agencies", "components", "durations", "fees", "results"
        )
    ]


def values(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def set_cell(ws, row: int, header: str, value) -> None:
    column = [c.value for c in ws[1]].index(header) + 1
    ws.cell(row=row, column=column, value=value)


def errors_of(caught) -> list[tuple[str, str]]:
    return [(e.location, e.message) for e in caught.value.row_errors]


# --- layout ----------------------------------------------------------------------------------------


def test_the_export_has_one_sheet_per_part_with_the_documented_headers_and_one_row_per_item(procedures):
    data = services.export_excel(Procedure.objects.filter(code=factories.BIRTH))

    sheets = values(data)
    assert list(sheets) == SHEET_NAMES
    assert sheets["ThuTuc"] == [
        (
            "Mã thủ tục",
            "Tên thủ tục",
            "Mã lĩnh vực",
            "Cấp thực hiện",
            "Mức độ DVC trực tuyến",
            "Lý do một phần",
            "Đối tượng thực hiện",
            "Cách thức nộp",
            "Trình tự thực hiện",
            "Yêu cầu, điều kiện",
            "Căn cứ pháp lý",
            "Kết quả thực hiện",
            "Đang áp dụng",
        ),
        (
            factories.BIRTH,
            "Đăng ký khai sinh",
            "G09-HT01",
            "commune",
            "toan_trinh",
            None,
            "citizen",
            "1; 2; 3",
            "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
            None,
            "Luật Hộ tịch năm 2014",
            "Giấy khai sinh (bản chính)",
            "có",
        ),
    ]
    assert sheets["ThanhPhan"][1:] == [
        (factories.BIRTH, 1, "Tờ khai đăng ký khai sinh theo mẫu", 1, 0, 0, "có", None, None),
        (factories.BIRTH, 2, "Giấy chứng sinh", 1, 0, 0, "có", None, "Hoặc văn bản của người làm chứng"),
    ]
    assert sheets["ThoiHan"][1:] == [
        (factories.BIRTH, 1, 1, "working_days", "Ngay trong ngày"),
        (factories.BIRTH, 2, 1, "working_days", None),
    ]
    assert sheets["PhiLePhi"][1:] == [
        (factories.BIRTH, "charge", "Lệ phí đăng ký khai sinh", 0, "Miễn khi đăng ký đúng hạn"),
    ]
    assert sheets["KetQua"][1:] == [(factories.BIRTH, "Giấy khai sinh (bản chính)")]
    assert sheets["CoQuan"][1:] == [(factories.BIRTH, "H98.301", "UBND xã Thử Nghiệm")]
    assert sheets["LinhVuc"][1:] == [("G09-HT01", "Hộ tịch", "Bộ Tư pháp")]


def test_an_empty_selection_gives_the_blank_template(db):
    sheets = values(services.export_excel(Procedure.objects.none()))

    assert list(sheets) == SHEET_NAMES
    assert all(len(sheets[sheet.name]) == 1 for sheet in SHEETS)  # headers only
    assert (
        sheets["HuongDan"][0][0] == "Mẫu nhập danh mục thủ tục hành chính. Chi tiết: egov/catalogue/EXCEL_TEMPLATE.md"
    )


def test_the_template_document_lists_every_sheet_and_column():
    from pathlib import Path

    doc = (Path(services.__file__).parent / "EXCEL_TEMPLATE.md").read_text(encoding="utf-8")
    for sheet in SHEETS:
        assert f"`{sheet.name}`" in doc
        for column in sheet.columns:
            assert f"| {column.header} |" in doc, (sheet.name, column.header)


# --- round trips -----------------------------------------------------------------------------------


def test_given_the_export_when_importing_it_back_then_nothing_changes(procedures, state):
    data = services.export_excel(Procedure.objects.all())
    before = state()

    summary = services.import_excel(by=None, file=data)

    assert (summary.created, summary.updated, summary.unchanged, summary.fields_created) == (0, 0, 4, 0)
    assert state() == before


def test_given_the_export_when_importing_it_into_an_empty_catalogue_then_the_same_procedures_come_back(procedures):
    original = specs()
    data = services.export_excel(Procedure.objects.all())
    Procedure.objects.all().delete()
    Field.objects.all().delete()

    summary = services.import_excel(by=None, file=data)

    assert (summary.created, summary.fields_created) == (4, 3)
    assert specs() == original
    assert values(services.export_excel(Procedure.objects.all())) == values(data)


def test_text_that_looks_like_a_formula_or_spans_lines_round_trips_as_text(procedures):
    spec = factories.birth(
        requirements="=1+1 là chữ, không phải công thức\nvà có hai dòng",
        components=(ComponentSpec(name='=HYPERLINK("x")', originals=1, note="-5 là ghi chú"),),
        durations=(DurationSpec(channel=1, amount=Decimal("0.25"), unit="working_days"),),
    )
    services.update_procedure(by=None, procedure=procedures[factories.BIRTH], spec=spec)
    data = services.export_excel(Procedure.objects.filter(code=factories.BIRTH))
    Procedure.objects.filter(code=factories.BIRTH).delete()

    services.import_excel(by=None, file=data)

    assert spec_from_procedure(Procedure.objects.get(code=factories.BIRTH)) == spec


# --- all or nothing --------------------------------------------------------------------------------


def test_given_bad_rows_in_several_sheets_when_importing_then_each_is_reported_and_nothing_is_written(
    procedures, state
):
    book = workbook(services.export_excel(Procedure.objects.all()))
    # A valid new procedure that must not be written either.
    book["ThuTuc"].append(
        ["1.000002.000.00.00.H98", "Thủ tục mới hợp lệ", "G09-HT01", "commune", "toan_trinh", None, "citizen", "1"]
    )
    book["CoQuan"].append(["1.000002.000.00.00.H98", "H98.301"])
    # ThuTuc row 2 is Đăng ký kết hôn (codes are sorted): a level that does not exist.
    set_cell(book["ThuTuc"], 2, "Cấp thực hiện", "tinh")
    # A procedure with a malformed code and no agency.
    book["ThuTuc"].append(["1.0011", "Thủ tục lỗi", "G09-HT01", "commune", "toan_trinh", None, "citizen", "1"])
    set_cell(book["ThanhPhan"], 3, "Bản chính", "hai")  # Đăng ký khai sinh, first component
    set_cell(book["ThoiHan"], 4, "Thời hạn", "abc")  # Đăng ký khai sinh, online
    set_cell(book["PhiLePhi"], 3, "Mức thu (đồng)", -5)  # Lý lịch tư pháp
    book["KetQua"].append(["9.999999.000.00.00.H98", "Giấy lạ"])
    set_cell(book["CoQuan"], 3, "Mã cơ quan", "H98.999")  # Đăng ký khai sinh
    book["LinhVuc"].append(["G09 CT01", "Chứng thực"])
    before = state()

    with pytest.raises(ImportFailed) as caught:
        services.import_excel(by=None, file=save(book))

    assert caught.value.message == "Tệp có 9 lỗi; không có dữ liệu nào được ghi."
    assert errors_of(caught) == [
        (
            "ThuTuc!D2",
            "Bảng ThuTuc, dòng 2, cột Cấp thực hiện (ô D2): Cấp thực hiện 'tinh' không hợp lệ; dùng một trong: "
            "province (Cấp tỉnh), department (Cấp sở, ban, ngành), district (Cấp huyện), commune (Cấp xã).",
        ),
        (
            "ThuTuc!A7",
            "Bảng ThuTuc, dòng 7, cột Mã thủ tục (ô A7): Mã thủ tục '1.0011' không đúng dạng: số thủ tục quốc gia "
            "và mã cơ quan công bố, ví dụ 1.001193.000.00.00.H99.",
        ),
        (
            "ThuTuc!A7",
            "Bảng ThuTuc, dòng 7, cột Mã thủ tục (ô A7): Cần ít nhất một cơ quan thực hiện. (bảng CoQuan)",
        ),
        (
            "ThanhPhan!D3",
            "Bảng ThanhPhan, dòng 3, cột Bản chính (ô D3): Phải là số nguyên không âm, không phải 'hai'.",
        ),
        ("ThoiHan!C4", "Bảng ThoiHan, dòng 4, cột Thời hạn (ô C4): Phải là số (ví dụ 0,5 hoặc 20), không phải 'abc'."),
        (
            "PhiLePhi!D3",
            "Bảng PhiLePhi, dòng 3, cột Mức thu (đồng) (ô D3): Mức thu phải là số đồng (số nguyên không âm). "
            "Không được là số âm.",
        ),
        (
            "KetQua!A6",
            "Bảng KetQua, dòng 6, cột Mã thủ tục (ô A6): Mã thủ tục 9.999999.000.00.00.H98 không có trong bảng ThuTuc.",
        ),
        ("CoQuan!B3", "Bảng CoQuan, dòng 3, cột Mã cơ quan (ô B3): Không tìm thấy cơ quan có mã định danh 'H98.999'."),
        (
            "LinhVuc!A5",
            "Bảng LinhVuc, dòng 5, cột Mã lĩnh vực (ô A5): Mã lĩnh vực 'G09 CT01' không đúng dạng MX1X2-LV "
            "(TT 01/2018/TT-VPCP): mã cơ quan quản lý và mã lĩnh vực, ví dụ G09-TP01.",
        ),
    ]
    assert [e.as_dict() for e in caught.value.errors][0] == {
        "field": "ThuTuc!D2",
        "message": errors_of(caught)[0][1],
    }
    assert state() == before


def test_given_a_repeated_code_or_component_order_then_the_repeat_is_reported(procedures, state):
    book = workbook(services.export_excel(Procedure.objects.filter(code=factories.BIRTH)))
    book["ThuTuc"].append([c.value for c in book["ThuTuc"][2]])
    set_cell(book["ThanhPhan"], 3, "Thứ tự", 1)
    before = state()

    with pytest.raises(ImportFailed) as caught:
        services.import_excel(by=None, file=save(book))

    assert errors_of(caught) == [
        (
            "ThuTuc!A3",
            "Bảng ThuTuc, dòng 3, cột Mã thủ tục (ô A3): Mã thủ tục 1.001193.000.00.00.H98 bị lặp lại trong tệp.",
        ),
        ("ThanhPhan!B3", "Bảng ThanhPhan, dòng 3, cột Thứ tự (ô B3): Thứ tự 1 bị lặp lại (đã có ở dòng 2)."),
    ]
    assert state() == before


def test_given_a_missing_sheet_or_column_then_it_is_named(procedures):
    book = workbook(services.export_excel(Procedure.objects.all()))
    del book["ThuTuc"]
    book["ThoiHan"].delete_cols(4)  # "Đơn vị tính"

    with pytest.raises(ImportFailed) as caught:
        services.import_excel(by=None, file=save(book))

    assert errors_of(caught) == [
        ("ThuTuc", "Bảng ThuTuc: Thiếu bảng (trang tính) này."),
        ("ThoiHan!1", "Bảng ThoiHan, dòng 1: Thiếu cột 'Đơn vị tính'."),
    ]


@pytest.mark.parametrize("content", [b"", b"Ma thu tuc;Ten\n1;2\n", b"PK\x03\x04 broken zip"])
def test_given_a_file_that_is_not_a_workbook_then_the_file_is_refused(db, content):
    with pytest.raises(ImportFailed) as caught:
        services.import_excel(by=None, file=content)

    assert errors_of(caught) == [("file", "Không đọc được tệp: cần tệp Excel .xlsx theo mẫu (EXCEL_TEMPLATE.md).")]


# --- what people type ------------------------------------------------------------------------------


def test_vietnamese_labels_and_local_number_formats_are_accepted(fields):
    book = workbook(services.export_excel(Procedure.objects.none()))
    code = "2.000720.000.00.00.H98"
    book["ThuTuc"].append(
        [
            code,
            "Đăng ký hộ kinh doanh",
            "G13-DK01",
            "Cấp xã",
            "Toàn trình",
            None,
            "Công dân; doanh nghiep",
            "Trực tiếp; 2",
            None,
            None,
            None,
            None,
            "Không",
        ]
    )
    book["ThanhPhan"].append([code, None, "Giấy đề nghị", None, None, "1", "x"])
    book["ThoiHan"].append([code, "Trực tuyến", "0,5", "Ngày làm việc"])
    book["PhiLePhi"].append([code, "Lệ phí", "Lệ phí đăng ký", "75.000 đồng"])
    book["KetQua"].append([code, "Giấy chứng nhận đăng ký hộ kinh doanh"])
    book["CoQuan"].append([code, "000.00.61.H98", "ignored"])

    services.import_excel(by=None, file=save(book))

    assert specs() == [
        ProcedureSpec(
            code=code,
            name="Đăng ký hộ kinh doanh",
            field="G13-DK01",
            levels=("commune",),
            agencies=("H98.301",),
            online_level="toan_trinh",
            applicant_types=("citizen", "business"),
            channels=(1, 2),
            is_active=False,
            components=(ComponentSpec(name="Giấy đề nghị", photocopies=1, required=True),),
            durations=(DurationSpec(channel=2, amount=Decimal("0.50"), unit="working_days"),),
            fees=(FeeSpec(kind="charge", name="Lệ phí đăng ký", amount=75000),),
            results=(ResultSpec(name="Giấy chứng nhận đăng ký hộ kinh doanh"),),
        )
    ]


def test_a_new_field_in_the_same_file_can_be_used_by_its_procedures(tree):
    book = workbook(services.export_excel(Procedure.objects.none()))
    code = "2.000815.000.00.00.H98"
    book["LinhVuc"].append(["G09-CT01", "Chứng thực", "Bộ Tư pháp"])
    book["ThuTuc"].append(
        [
            code,
            "Chứng thực bản sao từ bản chính",
            "G09-CT01",
            "commune",
            "mot_phan",
            "Xuất trình bản chính",
            "citizen",
            "1",
        ]
    )
    book["CoQuan"].append([code, "H98.301"])

    summary = services.import_excel(by=None, file=save(book))

    assert (summary.fields_created, summary.created) == (1, 1)
    assert Procedure.objects.get(code=code).field.name == "Chứng thực"


def test_an_updated_workbook_updates_the_procedure_and_keeps_its_unchanged_components(procedures):
    book = workbook(services.export_excel(Procedure.objects.filter(code=factories.BIRTH)))
    set_cell(book["ThuTuc"], 2, "Tên thủ tục", "Đăng ký khai sinh (cập nhật)")
    book["ThanhPhan"].delete_rows(2)  # the form goes, the birth certificate stays
    kept = ProcedureComponent.objects.get(procedure__code=factories.BIRTH, name="Giấy chứng sinh").pk

    summary = services.import_excel(by=None, file=save(book))

    assert (summary.updated, summary.unchanged) == (1, 0)
    procedure = Procedure.objects.get(code=factories.BIRTH)
    assert procedure.name == "Đăng ký khai sinh (cập nhật)"
    assert list(procedure.components.values_list("pk", "order", "name")) == [(kept, 1, "Giấy chứng sinh")]


# --- progress --------------------------------------------------------------------------------------


def test_progress_is_reported_from_zero_to_every_procedure(fields):
    book = workbook(services.export_excel(Procedure.objects.none()))
    for n in range(1, 4):
        code = f"1.00000{n}.000.00.00.H98"
        book["ThuTuc"].append([code, f"Thủ tục {n}", "G09-HT01", "commune", "toan_trinh", None, "citizen", "1"])
        book["CoQuan"].append([code, "H98.301"])
    calls = []

    services.import_excel(by=None, file=save(book), progress=lambda done, total: calls.append((done, total)))

    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_progress_of_a_large_import_is_reported_about_a_hundred_times(fields):
    specs_ = [factories.birth(code=f"1.{n:06d}.000.00.00.H98", name=f"Thủ tục số {n}") for n in range(1, 206)]
    calls = []

    services.import_catalogue(by=None, procedures=specs_, progress=lambda done, total: calls.append((done, total)))

    assert calls[0] == (0, 205) and calls[-1] == (205, 205)
    assert [done for done, _ in calls] == [0, *range(2, 205, 2), 205]
    assert Procedure.objects.count() == 205
