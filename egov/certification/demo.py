"""A demo certified copy for the demo citizen, so the register and the citizen's store show one.
Used by ``seed_demo``; idempotent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

__all__ = ["load_demo_certified_copies"]

ORIGINAL_HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm } body { font-family: "Noto Serif", "DejaVu Serif", serif; font-size: 13pt }
h1 { text-align: center; font-size: 16pt } p { margin: 4mm 0 }</style></head><body>
<p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>
<h1>GIẤY KHAI SINH</h1>
<p>Họ, chữ đệm, tên: NGUYỄN THỊ HỒNG</p><p>Ngày, tháng, năm sinh: 12/05/1990</p>
<p>Nơi sinh: Trạm Y tế xã Yên Khánh, tỉnh Sơn Nam</p><p>Số định danh cá nhân: 037190000123</p>
<p>(Bản chính do UBND xã Yên Khánh cấp — bản mẫu của hệ thống trình diễn)</p></body></html>"""


@transaction.atomic
def load_demo_certified_copies() -> int:
    from weasyprint import HTML

    from egov.certification.models import CertifiedCopy
    from egov.certification.services import OriginalScan, certify_copy, fee_for
    from egov.people.models import Position

    if CertifiedCopy.objects.exists():
        return 0
    position = (
        Position.objects.active_on(timezone.localdate())
        .filter(user__username="tiepnhan.xa")
        .select_related("user", "unit")
        .first()
    )
    if position is None:
        return 0
    certify_copy(
        by=position.user,
        unit=position.unit,
        applicant_identity="037190000123",
        document_name="Giấy khai sinh",
        original=OriginalScan(name="giay-khai-sinh.pdf", content=HTML(string=ORIGINAL_HTML).write_pdf()),
        fee_collected=fee_for(1),
    )
    return 1
