"""Reads of the register of certified copies: the units an officer certifies at, the register rows
they may see, and the register as an Excel workbook."""

from __future__ import annotations

import io

from django.utils import timezone

from egov.access import policy
from egov.certification.models import CertifiedCopy
from egov.certification.services import CERTIFY_PERMISSIONS

__all__ = ["certifying_units", "register", "register_workbook"]


def certifying_units(user) -> list:
    """The units where ``user`` holds a position allowing certification, today."""
    from egov.people.models import Position

    positions = Position.objects.active_on(timezone.localdate()).filter(user=user).select_related("unit", "role")
    return [p.unit for p in positions if set(CERTIFY_PERMISSIONS) & set(p.role.permissions)]


def register(user, *, year: int):
    """The copies certified in ``year`` by the agencies whose dossiers ``user`` may see, by agency and number."""
    rows = CertifiedCopy.objects.filter(year=year)
    # The agency's officers see its register; those of the certifying unit (its one-stop unit) theirs.
    visible = policy.scope(user, "dossier.view", rows, path_field="agency__path") | policy.scope(
        user, "dossier.view", rows, path_field="unit__path"
    )
    return visible.select_related("agency", "certified_by").order_by("agency__path", "number")


HEADERS = (
    "Số chứng thực",
    "Quyển số",
    "Ngày chứng thực",
    "Họ tên người yêu cầu",
    "Số định danh",
    "Tên giấy tờ, văn bản",
    "Số trang",
    "Phí (đồng)",
    "Người thực hiện chứng thực",
    "Cơ quan chứng thực",
)


def register_workbook(user, *, year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"So chung thuc {year}"
    sheet.append([f"SỔ CHỨNG THỰC BẢN SAO ĐIỆN TỬ TỪ BẢN CHÍNH NĂM {year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for c in register(user, year=year).iterator(chunk_size=2000):
        sheet.append(
            [
                c.number,
                c.book,
                timezone.localtime(c.certified_at).strftime("%d/%m/%Y %H:%M"),
                c.applicant_name,
                c.applicant_identity,
                c.document_name,
                c.pages,
                c.fee_amount,
                c.certified_by.get_full_name(),
                c.agency.name,
            ]
        )
    for column, width in zip("ABCDEFGHIJ", (12, 14, 18, 28, 16, 44, 9, 11, 28, 30), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
