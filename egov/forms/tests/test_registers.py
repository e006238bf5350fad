"""The tracking register (Mẫu 06 / 2025 Mẫu 07) as Excel, re-read with openpyxl, and as PDF."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from egov.forms.contexts import RegisterRow
from egov.forms.registers import COLUMNS, HEADER_ROW, register_pdf, register_xlsx
from egov.forms.samples import sample_register_rows
from egov.forms.tests.conftest import A4_LANDSCAPE, needs_pdftotext, pdf_pages, pdf_text

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

HEADERS = [
    "TT",
    "Mã hồ sơ",
    "Trích yếu nội dung",
    "Tổ chức, cá nhân",
    "Địa chỉ",
    "Số điện thoại",
    "Ngày nhận",
    "Hẹn trả",
    "Ngày trả",
    "Cán bộ tiếp nhận",
    "Thủ tục hành chính",
    "Cơ quan chủ trì",
    "Ghi chú",
]

ROWS = [
    RegisterRow(
        dossier_code="000.00.20.H99-260105-0001",
        summary="Cấp phiếu lý lịch tư pháp số 1",
        applicant_name="Nguyễn Văn An",
        address="Số 3, phường Đông Thành, tỉnh Sơn Nam",
        phone="0912 345 678",
        received_at=datetime(2026, 1, 5, 8, 15, tzinfo=HCM),
        due_at=datetime(2026, 1, 14, 16, 30, tzinfo=HCM),
        returned_at=datetime(2026, 1, 13, 9, 0, tzinfo=HCM),
        receiving_officer="Lê Thu Trang",
        procedure_name="Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        lead_agency="Sở Tư pháp",
        notes="Trả qua bưu điện",
    ),
    RegisterRow(
        dossier_code="000.00.20.H99-260105-0002",
        applicant_name="Công ty TNHH Hòa Bình",
        received_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC),  # 09:00 in Việt Nam
    ),
]


def read(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_the_cells_read_back_exactly():
    ws = read(register_xlsx(iter(ROWS), title="SỔ THEO DÕI HỒ SƠ", period_text="Năm 2026", unit_name="TTPVHCC TỈNH"))

    assert [c.value for c in ws[1]][:1] == ["TTPVHCC TỈNH"]
    assert ws["A2"].value == "SỔ THEO DÕI HỒ SƠ"
    assert ws["A3"].value == "Năm 2026"
    assert [c.value for c in ws[HEADER_ROW]] == HEADERS
    assert [c.value for c in ws[HEADER_ROW + 1]] == [
        1,
        "000.00.20.H99-260105-0001",
        "Cấp phiếu lý lịch tư pháp số 1",
        "Nguyễn Văn An",
        "Số 3, phường Đông Thành, tỉnh Sơn Nam",
        "0912 345 678",
        datetime(2026, 1, 5, 8, 15),
        datetime(2026, 1, 14, 16, 30),
        datetime(2026, 1, 13, 9, 0),
        "Lê Thu Trang",
        "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        "Sở Tư pháp",
        "Trả qua bưu điện",
    ]
    assert [c.value for c in ws[HEADER_ROW + 2]] == [2, "000.00.20.H99-260105-0002", None, "Công ty TNHH Hòa Bình"] + [
        None,
        None,
        datetime(2026, 1, 5, 9, 0),  # local time: Excel dates have no zone
    ] + [None] * 6
    assert ws.max_row == HEADER_ROW + 2


def test_dates_are_real_excel_dates_with_a_vietnamese_format():
    ws = read(register_xlsx(ROWS, period_text="Năm 2026"))
    cell = ws.cell(HEADER_ROW + 1, 7)

    assert cell.is_date
    assert cell.number_format == "dd/mm/yyyy hh:mm"
    # Stored as an Excel serial number (days since 1899-12-30), not as text.
    with zipfile.ZipFile(io.BytesIO(register_xlsx(ROWS, period_text="Năm 2026"))) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    raw = re.search(rf'<c r="G{HEADER_ROW + 1}"([^>]*)><v>([^<]+)</v>', sheet)
    cell_type = re.search(r'\bt="(\w+)"', raw.group(1))
    assert cell_type is None or cell_type.group(1) == "n"
    assert float(raw.group(2)) == pytest.approx(46027 + (8 * 60 + 15) / 1440)  # 05/01/2026 08:15


def test_layout_header_style_widths_freeze_and_a4_landscape_print_setup():
    ws = read(register_xlsx(ROWS, period_text="Năm 2026"))

    header = ws.cell(HEADER_ROW, 2)
    assert (header.font.b, header.fill.fgColor.rgb, header.alignment.wrap_text) == (True, "00D9E2F3", True)
    assert header.border.bottom.style == "thin"
    assert ws["A2"].font.b and ws["A2"].font.sz == 14
    assert [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, 14)] == [
        width for _, width, _ in COLUMNS
    ]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)  # 9 = A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_options.gridLines
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:M1", "A2:M2", "A3:M3"]
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:M{HEADER_ROW + 2}"


def test_an_empty_register_still_has_its_headers():
    ws = read(register_xlsx([], period_text="Tháng 02 năm 2026"))

    assert [c.value for c in ws[HEADER_ROW]] == HEADERS
    assert ws.max_row == HEADER_ROW


def test_ten_thousand_rows_stream_from_a_generator():
    rows = list(sample_register_rows(10_000))

    data = register_xlsx((row for row in rows), period_text="Năm 2026")
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    last = next(ws.iter_rows(min_row=HEADER_ROW + 10_000, max_row=HEADER_ROW + 10_000, values_only=True))
    assert last[0] == 10_000
    assert last[1] == rows[-1].dossier_code


@pytest.mark.django_db
@needs_pdftotext
def test_the_pdf_register_repeats_its_header_on_every_a4_landscape_page():
    pdf = register_pdf(
        sample_register_rows(60),
        form_set="tt01_2018",
        issuing_unit_name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        parent_unit_name="UBND TỈNH SƠN NAM",
        period_text="Tháng 01 năm 2026",
    )

    pages = pdf_pages(pdf)
    assert len(pages) >= 2 and set(pages) == {A4_LANDSCAPE}
    texts = pdf_text(pdf).split("\f")[: len(pages)]
    assert all("Cán bộ tiếp" in page and "Mã hồ sơ" in page for page in texts)
    assert "Mẫu số 06" in texts[0]
    assert f"Trang {len(pages)}/{len(pages)}" in texts[-1]
    assert "000.00.20.H99-" in texts[-1]
