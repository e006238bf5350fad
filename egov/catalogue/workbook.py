"""The Excel layout of the catalogue (``EXCEL_TEMPLATE.md``): reading a workbook into specs, and
writing specs into a workbook that reads back unchanged.

One row of ``ThuTuc`` per procedure; its components, durations, fees, results and agencies are rows
of their own sheets, keyed by the procedure code; ``LinhVuc`` lists fields. Columns are found by
their header (any order, case and diacritics ignored); unknown sheets and columns are ignored, so
people may add their own notes.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from egov.catalogue.exchange import (
    MAX_ROWS,
    BadValue,
    Locator,
    Parsed,
    RowError,
    parse_bool,
    parse_choice,
    parse_choices,
    parse_decimal,
    parse_int,
    parse_money,
    parse_text,
)
from egov.catalogue.models import ApplicantType, Channel, DurationUnit, FeeKind, Level, OnlineLevel
from egov.catalogue.specs import (
    ComponentSpec,
    DurationSpec,
    FeeSpec,
    FieldSpec,
    ProcedureSpec,
    ResultSpec,
    plain_decimal,
)
from egov.catalogue.text import fold

__all__ = ["Column", "Sheet", "SHEETS", "read", "write"]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 16
    kind: str = "Chữ"  # the type, as documented
    example: str = ""
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    columns: tuple[Column, ...]
    required: bool = False

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def number(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns, start=1) if c.key == key)


def _codes(choices) -> str:
    return "; ".join(f"{m.value} ({m.label})" for m in choices)


_PROCEDURE = Column("procedure", "Mã thủ tục", True, 26, "Chữ", "1.001193.000.00.00.H99", "Mã thủ tục ở bảng ThuTuc.")

THU_TUC = Sheet(
    "ThuTuc",
    "Thủ tục hành chính: mỗi dòng một thủ tục",
    (
        Column(
            "code",
            "Mã thủ tục",
            True,
            26,
            "Chữ",
            "1.001193.000.00.00.H99",
            "Số thủ tục quốc gia và mã cơ quan công bố (QCVN 102:2016). Là khóa: trùng mã thì cập nhật.",
        ),
        Column("name", "Tên thủ tục", True, 50, "Chữ", "Đăng ký khai sinh"),
        Column("field", "Mã lĩnh vực", True, 12, "Chữ", "G09-HT01", "Có trong hệ thống hoặc ở bảng LinhVuc."),
        Column("levels", "Cấp thực hiện", True, 16, "Danh sách", "commune", _codes(Level)),
        Column("online_level", "Mức độ DVC trực tuyến", True, 14, "Một giá trị", "toan_trinh", _codes(OnlineLevel)),
        Column(
            "mot_phan_reason",
            "Lý do một phần",
            False,
            30,
            "Chữ",
            "Phải xuất trình bản chính giấy tờ để đối chiếu",
            "Bắt buộc khi mức độ là mot_phan (từ 01/7/2026); để trống với mức độ khác.",
        ),
        Column("applicant_types", "Đối tượng thực hiện", True, 16, "Danh sách", "citizen", _codes(ApplicantType)),
        Column("channels", "Cách thức nộp", True, 12, "Danh sách", "1; 2; 3", _codes(Channel)),
        Column("steps", "Trình tự thực hiện", False, 50, "Chữ nhiều dòng", "Bước 1: Nộp hồ sơ..."),
        Column("requirements", "Yêu cầu, điều kiện", False, 40, "Chữ nhiều dòng"),
        Column("legal_basis", "Căn cứ pháp lý", False, 40, "Chữ nhiều dòng", "Luật Hộ tịch năm 2014"),
        Column("result_description", "Kết quả thực hiện", False, 30, "Chữ nhiều dòng", "Giấy khai sinh (bản chính)"),
        Column("is_active", "Đang áp dụng", False, 10, "Có/không", "có", "Để trống là có."),
    ),
    required=True,
)
THANH_PHAN = Sheet(
    "ThanhPhan",
    "Thành phần hồ sơ: mỗi dòng một giấy tờ",
    (
        _PROCEDURE,
        Column("order", "Thứ tự", False, 8, "Số nguyên", "1", "Thứ tự trong hồ sơ; để trống là theo thứ tự dòng."),
        Column("name", "Tên thành phần hồ sơ", True, 50, "Chữ", "Tờ khai đăng ký khai sinh theo mẫu"),
        Column("originals", "Bản chính", False, 10, "Số nguyên", "1", "Để trống là 0."),
        Column("certified_copies", "Bản sao chứng thực", False, 10, "Số nguyên", "0", "Để trống là 0."),
        Column("photocopies", "Bản sao", False, 10, "Số nguyên", "0", "Để trống là 0."),
        Column("required", "Bắt buộc", False, 10, "Có/không", "có", "Để trống là có."),
        Column(
            "template",
            "Tệp mẫu",
            False,
            36,
            "Chữ",
            "catalogue/templates/to-khai-khai-sinh.docx",
            "Đường dẫn tệp mẫu đã tải lên (trong catalogue/templates/); tải tệp lên ở trang quản trị.",
        ),
        Column("note", "Ghi chú", False, 30, "Chữ"),
    ),
)
THOI_HAN = Sheet(
    "ThoiHan",
    "Thời hạn giải quyết theo từng cách thức nộp: mỗi dòng một kênh",
    (
        _PROCEDURE,
        Column("channel", "Kênh nộp", True, 10, "Một giá trị", "1", _codes(Channel)),
        Column("amount", "Thời hạn", True, 10, "Số", "1", "Lớn hơn 0, tối đa 2 chữ số thập phân (0,5 hoặc 0.5)."),
        Column("unit", "Đơn vị tính", True, 16, "Một giá trị", "working_days", _codes(DurationUnit)),
        Column(
            "note",
            "Ghi chú",
            False,
            40,
            "Chữ",
            "Trường hợp nhận hồ sơ sau 15 giờ thì trả trong ngày làm việc tiếp theo",
        ),
    ),
)
PHI_LE_PHI = Sheet(
    "PhiLePhi",
    "Phí, lệ phí: mỗi dòng một khoản (theo thứ tự dòng)",
    (
        _PROCEDURE,
        Column("kind", "Loại", True, 10, "Một giá trị", "charge", _codes(FeeKind)),
        Column("name", "Tên phí, lệ phí", True, 40, "Chữ", "Lệ phí đăng ký khai sinh"),
        Column("amount", "Mức thu (đồng)", True, 14, "Số nguyên", "0", "Số đồng; 0 nếu miễn. Chấp nhận 75.000."),
        Column("note", "Ghi chú", False, 40, "Chữ", "Miễn lệ phí khi đăng ký đúng hạn"),
    ),
)
KET_QUA = Sheet(
    "KetQua",
    "Giấy tờ kết quả: mỗi dòng một giấy tờ (theo thứ tự dòng)",
    (_PROCEDURE, Column("name", "Tên giấy tờ kết quả", True, 50, "Chữ", "Giấy khai sinh (bản chính)")),
)
CO_QUAN = Sheet(
    "CoQuan",
    "Cơ quan thực hiện: mỗi dòng một cơ quan",
    (
        _PROCEDURE,
        Column("agency", "Mã cơ quan", True, 16, "Chữ", "H99.301", "Mã định danh QĐ 20/2020 hoặc QCVN 102:2016."),
        Column(
            "agency_name", "Tên cơ quan (tham khảo)", False, 40, "Chữ", "UBND phường Sơn Nam", "Không đọc khi nhập."
        ),
    ),
)
LINH_VUC = Sheet(
    "LinhVuc",
    "Lĩnh vực: thêm mới hoặc cập nhật theo mã",
    (
        Column("code", "Mã lĩnh vực", True, 12, "Chữ", "G09-HT01", "Dạng MX1X2-LV (TT 01/2018/TT-VPCP)."),
        Column("name", "Tên lĩnh vực", True, 40, "Chữ", "Hộ tịch"),
        Column("managing_sector", "Cơ quan quản lý ngành", False, 30, "Chữ", "Bộ Tư pháp"),
    ),
)
SHEETS: tuple[Sheet, ...] = (THU_TUC, THANH_PHAN, THOI_HAN, PHI_LE_PHI, KET_QUA, CO_QUAN, LINH_VUC)
_RANK = {sheet.name: rank for rank, sheet in enumerate(SHEETS)}
# Paths of ProcedureSpec children -> the sheet that holds them.
_CHILD_SHEETS = {"components": THANH_PHAN, "durations": THOI_HAN, "fees": PHI_LE_PHI, "results": KET_QUA}
_CHILD_SHEETS["agencies"] = CO_QUAN


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


class _ExcelLocator(Locator):
    def __init__(self) -> None:
        self.field_rows: list[int] = []
        # Per procedure: "" -> its ThuTuc row; "components[2]" -> that component's ThanhPhan row...
        self.procedure_rows: list[dict[str, int]] = []

    def field(self, index: int, path: str, reason: str) -> RowError:
        key = path if path in {c.key for c in LINH_VUC.columns} else "code"
        return _error(LINH_VUC, self.field_rows[index], key, reason)

    def procedure(self, index: int, path: str, reason: str) -> RowError:
        rows = self.procedure_rows[index]
        head, _, tail = path.partition(".")
        name = head.split("[", 1)[0]
        if name in _CHILD_SHEETS:
            sheet = _CHILD_SHEETS[name]
            if head in rows:
                key = tail or ("agency" if name == "agencies" else "name")
                return _error(sheet, rows[head], key, reason)
            # The list as a whole (e.g. no agency at all): the procedure's own row.
            return _error(THU_TUC, rows[""], "code", f"{reason} (bảng {sheet.name})")
        key = name if name in {c.key for c in THU_TUC.columns} else "code"
        return _error(THU_TUC, rows[""], key, reason)


def _error(sheet: Sheet, row: int, key: str, reason: str) -> RowError:
    return RowError.excel(sheet.name, row, sheet.column(key).header, sheet.number(key), reason, rank=_RANK[sheet.name])


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def _read_sheet(workbook, sheet: Sheet, errors: list[RowError]) -> list[_Row] | None:
    """The data rows of ``sheet`` keyed by column, or None when the sheet or a column is missing."""
    worksheets = {fold(name): name for name in workbook.sheetnames}
    if fold(sheet.name) not in worksheets:
        if sheet.required:
            errors.append(
                RowError.excel(sheet.name, 0, "", None, "Thiếu bảng (trang tính) này.", rank=_RANK[sheet.name])
            )
        return None
    rows = workbook[worksheets[fold(sheet.name)]].iter_rows(values_only=True)
    header = next(rows, None) or ()
    wanted = {fold(c.header): c.key for c in sheet.columns} | {fold(c.key): c.key for c in sheet.columns}
    positions: dict[str, int] = {}
    for position, value in enumerate(header):
        key = wanted.get(fold(str(value))) if value is not None else None
        if key is not None and key not in positions:
            positions[key] = position
    missing = [c for c in sheet.columns if c.required and c.key not in positions]
    for column in missing:
        errors.append(
            RowError.excel(sheet.name, 1, column.header, None, f"Thiếu cột '{column.header}'.", rank=_RANK[sheet.name])
        )
    if missing:
        return None
    result = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            errors.append(
                RowError.excel(
                    sheet.name, number, "", None, f"Quá {MAX_ROWS:,} dòng.".replace(",", "."), rank=_RANK[sheet.name]
                )
            )
            break
        cells = {key: values[pos] if pos < len(values) else None for key, pos in positions.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        result.append(_Row(number, cells))
    return result


class _RowReader:
    """Parses the cells of one row, collecting an error per bad cell."""

    def __init__(self, sheet: Sheet, row: _Row, errors: list[RowError]) -> None:
        self.sheet, self.row, self.errors = sheet, row, errors
        self.ok = True

    def __call__(self, key: str, parse, *args, **kwargs):
        try:
            return parse(self.row.values.get(key), *args, **kwargs)
        except BadValue as exc:
            self.ok = False
            self.errors.append(_error(self.sheet, self.row.number, key, str(exc)))
            return None

    def text(self, key: str, *, multiline: bool = False) -> str:
        return self(key, parse_text, multiline=multiline) or ""


def read(file) -> Parsed:
    """Read a workbook (path or binary file object). Never raises for bad content: see ``errors``."""
    locator = _ExcelLocator()
    parsed = Parsed(locator=locator)
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        parsed.errors.append(RowError.file("Không đọc được tệp: cần tệp Excel .xlsx theo mẫu (EXCEL_TEMPLATE.md)."))
        return parsed
    try:
        sheets = {sheet.name: _read_sheet(book, sheet, parsed.errors) for sheet in SHEETS}
    finally:
        book.close()
    errors = parsed.errors

    for row in sheets[LINH_VUC.name] or []:
        cell = _RowReader(LINH_VUC, row, errors)
        parsed.fields.append(FieldSpec(cell.text("code"), cell.text("name"), cell.text("managing_sector")))
        locator.field_rows.append(row.number)

    procedures: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for row in sheets[THU_TUC.name] or []:
        cell = _RowReader(THU_TUC, row, errors)
        code = cell.text("code")
        values = dict(
            code=code,
            name=cell.text("name"),
            field=cell.text("field"),
            levels=cell("levels", parse_choices, Level, what="cấp thực hiện") or (),
            online_level=cell("online_level", parse_choice, OnlineLevel, what="mức độ dịch vụ công trực tuyến") or "",
            mot_phan_reason=cell.text("mot_phan_reason", multiline=True),
            applicant_types=cell("applicant_types", parse_choices, ApplicantType, what="đối tượng") or (),
            channels=cell("channels", parse_choices, Channel, what="cách thức nộp") or (),
            steps=cell.text("steps", multiline=True),
            requirements=cell.text("requirements", multiline=True),
            legal_basis=cell.text("legal_basis", multiline=True),
            result_description=cell.text("result_description", multiline=True),
            is_active=cell("is_active", parse_bool, default=True),
        )
        values["is_active"] = True if values["is_active"] is None else values["is_active"]
        key = code if code and code not in procedures else f"\0{row.number}"  # duplicates and blanks stay apart
        procedures[key] = {"values": values, "rows": {"": row.number}, **{name: [] for name in _CHILD_SHEETS}}
        order.append(key)

    def owner(sheet: Sheet, row: _Row) -> dict[str, Any] | None:
        try:
            code = parse_text(row.values.get("procedure"))
        except BadValue:
            code = ""
        if code in procedures:
            return procedures[code]
        if sheets[THU_TUC.name] is None:
            return None  # the missing sheet is reported once, not for every row that points at it
        reason = "Thiếu mã thủ tục." if not code else f"Mã thủ tục {code} không có trong bảng ThuTuc."
        errors.append(_error(sheet, row.number, "procedure", reason))
        return None

    components: dict[str, list[tuple[int, int, ComponentSpec, int]]] = defaultdict(list)
    for position, row in enumerate(sheets[THANH_PHAN.name] or []):
        cell = _RowReader(THANH_PHAN, row, errors)
        target = owner(THANH_PHAN, row)
        rank = cell("order", parse_int, default=0)
        spec = ComponentSpec(
            name=cell.text("name"),
            originals=cell("originals", parse_int) or 0,
            certified_copies=cell("certified_copies", parse_int) or 0,
            photocopies=cell("photocopies", parse_int) or 0,
            required=cell("required", parse_bool, default=True) is not False,
            template=cell.text("template"),
            note=cell.text("note"),
        )
        if target is not None:
            components[target["values"]["code"]].append((rank or 0, position, spec, row.number))
    for code, items in components.items():
        seen: dict[int, int] = {}
        for rank, _position, _spec, number in items:
            if rank and rank in seen:
                errors.append(
                    _error(THANH_PHAN, number, "order", f"Thứ tự {rank} bị lặp lại (đã có ở dòng {seen[rank]}).")
                )
            seen.setdefault(rank, number)
        items.sort(key=lambda item: (item[0] or 10**9 + item[1], item[1]))  # blank order: after numbered, by row
        target = procedures[code]
        for index, (_rank, _position, spec, number) in enumerate(items):
            target["components"].append(spec)
            target["rows"][f"components[{index}]"] = number

    for row in sheets[THOI_HAN.name] or []:
        cell = _RowReader(THOI_HAN, row, errors)
        target = owner(THOI_HAN, row)
        channel = cell("channel", parse_choice, Channel, what="kênh nộp")
        amount = cell("amount", parse_decimal)
        unit = cell("unit", parse_choice, DurationUnit, what="đơn vị tính")
        if target is not None and cell.ok:
            spec = DurationSpec(channel=channel, amount=amount, unit=unit, note=cell.text("note"))
            target["rows"][f"durations[{len(target['durations'])}]"] = row.number
            target["durations"].append(spec)

    for row in sheets[PHI_LE_PHI.name] or []:
        cell = _RowReader(PHI_LE_PHI, row, errors)
        target = owner(PHI_LE_PHI, row)
        kind = cell("kind", parse_choice, FeeKind, what="loại phí, lệ phí")
        amount = cell("amount", parse_money)
        if target is not None and cell.ok:
            spec = FeeSpec(kind=kind, name=cell.text("name"), amount=amount, note=cell.text("note"))
            target["rows"][f"fees[{len(target['fees'])}]"] = row.number
            target["fees"].append(spec)

    for row in sheets[KET_QUA.name] or []:
        cell = _RowReader(KET_QUA, row, errors)
        target = owner(KET_QUA, row)
        if target is not None:
            target["rows"][f"results[{len(target['results'])}]"] = row.number
            target["results"].append(ResultSpec(name=cell.text("name")))

    for row in sheets[CO_QUAN.name] or []:
        cell = _RowReader(CO_QUAN, row, errors)
        target = owner(CO_QUAN, row)
        agency = cell.text("agency")
        if not agency:
            errors.append(_error(CO_QUAN, row.number, "agency", "Thiếu mã cơ quan."))
        elif target is not None:
            target["rows"][f"agencies[{len(target['agencies'])}]"] = row.number
            target["agencies"].append(agency)

    for key in order:
        item = procedures[key]
        parsed.procedures.append(
            ProcedureSpec(
                **item["values"],
                agencies=tuple(item["agencies"]),
                components=tuple(item["components"]),
                durations=tuple(item["durations"]),
                fees=tuple(item["fees"]),
                results=tuple(item["results"]),
            )
        )
        locator.procedure_rows.append(item["rows"])
    return parsed


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _yes_no(value: bool) -> str:
    return "có" if value else "không"


def _join(values) -> str:
    return "; ".join(str(v) for v in values)


def _append(ws, values: list[Any]) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        # A text that starts with "=" is text, not a formula (and never runs as one in Excel).
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
        if isinstance(cell.value, str) and "\n" in cell.value:
            cell.alignment = _WRAP


def _new_sheet(book, sheet: Sheet):
    ws = book.create_sheet(sheet.name)
    ws.append([c.header for c in sheet.columns])
    for number, column in enumerate(sheet.columns, start=1):
        header = ws.cell(row=1, column=number)
        header.font, header.fill = _HEADER_FONT, _HEADER_FILL
        ws.column_dimensions[get_column_letter(number)].width = column.width
    ws.freeze_panes = "A2"
    return ws


def write(fields: list[FieldSpec], specs: list[ProcedureSpec], *, agency_names: dict[str, str] | None = None) -> bytes:
    names = agency_names or {}
    book = openpyxl.Workbook()
    book.remove(book.active)
    ws = {sheet.name: _new_sheet(book, sheet) for sheet in SHEETS}
    for spec in specs:
        _append(
            ws["ThuTuc"],
            [
                spec.code,
                spec.name,
                spec.field,
                _join(spec.levels),
                spec.online_level,
                spec.mot_phan_reason,
                _join(spec.applicant_types),
                _join(spec.channels),
                spec.steps,
                spec.requirements,
                spec.legal_basis,
                spec.result_description,
                _yes_no(spec.is_active),
            ],
        )
        for order, c in enumerate(spec.components, start=1):
            template = c.template if isinstance(c.template, str) else c.template.name
            _append(
                ws["ThanhPhan"],
                [
                    spec.code,
                    order,
                    c.name,
                    c.originals,
                    c.certified_copies,
                    c.photocopies,
                    _yes_no(c.required),
                    template,
                    c.note,
                ],
            )
        for d in spec.durations:
            # The amount as a number cell; "0.5" rather than a float's 0.5000000001.
            amount = int(d.amount) if d.amount == d.amount.to_integral_value() else float(plain_decimal(d.amount))
            _append(ws["ThoiHan"], [spec.code, d.channel, amount, d.unit, d.note])
        for f in spec.fees:
            _append(ws["PhiLePhi"], [spec.code, f.kind, f.name, f.amount, f.note])
        for r in spec.results:
            _append(ws["KetQua"], [spec.code, r.name])
        for agency in spec.agencies:
            _append(ws["CoQuan"], [spec.code, agency, names.get(agency, "")])
    for f in fields:
        _append(ws["LinhVuc"], [f.code, f.name, f.managing_sector])
    _guide(book.create_sheet("HuongDan"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _guide(ws) -> None:
    """The template explained inside the workbook itself (the importer ignores this sheet)."""
    ws.append(["Mẫu nhập danh mục thủ tục hành chính. Chi tiết: egov/catalogue/EXCEL_TEMPLATE.md"])
    ws["A1"].font = _HEADER_FONT
    ws.append([])
    ws.append(["Bảng", "Cột", "Bắt buộc", "Kiểu", "Ví dụ", "Ghi chú"])
    for cell in ws[3]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for sheet in SHEETS:
        ws.append([sheet.name, sheet.title])
        ws.cell(row=ws.max_row, column=1).font = _HEADER_FONT
        for c in sheet.columns:
            _append(ws, ["", c.header, _yes_no(c.required), c.kind, c.example, c.note])
    for letter, width in zip("ABCDEF", (12, 26, 10, 14, 36, 80), strict=True):
        ws.column_dimensions[letter].width = width
