"""The tracking register (sổ theo dõi hồ sơ: TT 01/2018 Mẫu 06, 2025 set Mẫu 07) as Excel and as PDF.

The yearly register of a busy centre holds tens of thousands of dossiers, so :func:`register_xlsx`
streams: openpyxl's write-only workbook writes each row as it comes and keeps none, ``rows`` may be a
generator (a queryset's ``.iterator()`` mapped to :class:`RegisterRow`). Dates are real Excel dates
in local time (Excel has no time zones), shown ``dd/mm/yyyy hh:mm``. The sheet prints on A4
landscape, one page wide, with the header row repeated on every page and frozen on screen.

:func:`register_pdf` renders the set's register template; WeasyPrint lays out every row in memory,
so keep it to a month or so (a few thousand rows) and use Excel for the year.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from copy import copy
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from egov.forms.contexts import RegisterContext, RegisterRow

__all__ = ["RegisterRow", "register_xlsx", "register_pdf", "COLUMNS", "HEADER_ROW"]

# (header, width in characters, RegisterRow attribute or None for the running number). DOMAIN §4.
COLUMNS: tuple[tuple[str, float, str | None], ...] = (
    ("TT", 6, None),
    ("Mã hồ sơ", 27, "dossier_code"),
    ("Trích yếu nội dung", 34, "summary"),
    ("Tổ chức, cá nhân", 24, "applicant_name"),
    ("Địa chỉ", 32, "address"),
    ("Số điện thoại", 14, "phone"),
    ("Ngày nhận", 16.5, "received_at"),
    ("Hẹn trả", 16.5, "due_at"),
    ("Ngày trả", 16.5, "returned_at"),
    ("Cán bộ tiếp nhận", 20, "receiving_officer"),
    ("Thủ tục hành chính", 34, "procedure_name"),
    ("Cơ quan chủ trì", 24, "lead_agency"),
    ("Ghi chú", 24, "notes"),
)
HEADER_ROW = 4  # 1 unit, 2 title, 3 period, 4 column headers; data from row 5
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_DATE_ATTRS = frozenset({"received_at", "due_at", "returned_at"})

_thin = Side(style="thin", color="000000")


def _styles(wb: Workbook) -> None:
    for style in (
        NamedStyle(
            "reg_header",
            font=Font(name="Times New Roman", bold=True, size=11),
            fill=PatternFill("solid", fgColor="D9E2F3"),
            border=Border(left=_thin, right=_thin, top=_thin, bottom=_thin),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(
            "reg_text",
            font=Font(name="Times New Roman", size=11),
            alignment=Alignment(vertical="top", wrap_text=True),
        ),
        NamedStyle(
            "reg_datetime",
            font=Font(name="Times New Roman", size=11),
            number_format=DATETIME_FORMAT,
            alignment=Alignment(horizontal="center", vertical="top"),
        ),
        NamedStyle(
            "reg_number",
            font=Font(name="Times New Roman", size=11),
            alignment=Alignment(horizontal="center", vertical="top"),
        ),
        NamedStyle(
            "reg_title",
            font=Font(name="Times New Roman", bold=True, size=14),
            alignment=Alignment(horizontal="center", vertical="center"),
        ),
        NamedStyle(
            "reg_subtitle",
            font=Font(name="Times New Roman", italic=True, size=12),
            alignment=Alignment(horizontal="center", vertical="center"),
        ),
        NamedStyle("reg_unit", font=Font(name="Times New Roman", bold=True, size=11)),
    ):
        wb.add_named_style(style)


def _excel_datetime(value: datetime | date | None):
    """Local, naive (Excel has no time zones)."""
    if value is None:
        return None
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


class _Cells:
    """Makes styled write-only cells, resolving each named style once.

    Assigning ``cell.style = "name"`` looks the style up and copies it for every cell, about a
    quarter of the run on a 10,000-row register; copying the resolved style array is cheap.
    """

    def __init__(self, ws) -> None:
        self.ws = ws
        self.resolved: dict[str, object] = {}

    def __call__(self, value, style: str) -> WriteOnlyCell:
        resolved = self.resolved.get(style)
        if resolved is None:
            probe = WriteOnlyCell(self.ws)
            probe.style = style
            resolved = self.resolved[style] = probe._style
        cell = WriteOnlyCell(self.ws, value=value)
        cell._style = copy(resolved)
        return cell


def register_xlsx(
    rows: Iterable[RegisterRow],
    *,
    title: str = "SỔ THEO DÕI HỒ SƠ",
    period_text: str,
    unit_name: str = "",
) -> bytes:
    """The register as an .xlsx file. ``rows`` is consumed once, in order (a generator is fine)."""
    wb = Workbook(write_only=True)
    _styles(wb)
    wb.properties.title = f"{title} {period_text}".strip()
    wb.properties.creator = "egov"
    ws = wb.create_sheet(title="Sổ theo dõi")
    last_col = get_column_letter(len(COLUMNS))

    # Everything below must be set before the first row is written (write-only sheets stream).
    for index, (_, width, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.right.text = "Trang &P/&N"
    ws.oddFooter.right.size = 9
    for row in range(1, HEADER_ROW):
        ws.merged_cells.add(f"A{row}:{last_col}{row}")
    ws.row_dimensions[2].height = 22
    ws.row_dimensions[HEADER_ROW].height = 32

    cell = _Cells(ws)
    ws.append([cell(unit_name, "reg_unit")] if unit_name else [])
    ws.append([cell(title, "reg_title")])
    ws.append([cell(period_text, "reg_subtitle")])
    ws.append([cell(header, "reg_header") for header, _, _ in COLUMNS])

    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - count is the number written
        out = [cell(count, "reg_number")]
        for _, _, attr in COLUMNS[1:]:
            value = getattr(row, attr)
            if attr in _DATE_ATTRS:
                out.append(cell(_excel_datetime(value), "reg_datetime") if value is not None else None)
            else:
                out.append(cell(value, "reg_text") if value else None)
        ws.append(out)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW + max(count, 1)}"

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def register_pdf(
    rows: Iterable[RegisterRow],
    *,
    form_set: str,
    issuing_unit_name: str,
    period_text: str,
    title: str = "SỔ THEO DÕI HỒ SƠ",
    parent_unit_name: str = "",
    place_name: str = "",
    issued_on: date | None = None,
    base_url: str | None = None,
) -> bytes:
    """The register as a PDF from the set's register template (A4 landscape, header row on each page)."""
    from egov.forms.rendering import render_pdf_for

    context = RegisterContext(
        issuing_unit_name=issuing_unit_name,
        parent_unit_name=parent_unit_name,
        place_name=place_name,
        issued_on=issued_on,
        period_text=period_text,
        title=title,
        rows=tuple(rows),
    )
    return render_pdf_for(form_set=form_set, context=context, base_url=base_url)
