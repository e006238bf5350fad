"""Drafts of every type, and pdftotext's words, for the rendering tests."""

from __future__ import annotations

import dataclasses
import subprocess
import tempfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from egov.documents.rendering import DraftContent

QD_BODY = "\n\n".join(
    [
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        "Căn cứ Quyết định số 12/2021/QĐ-UBND ngày 10 tháng 5 năm 2021 của Ủy ban nhân dân tỉnh Sơn Nam "
        "quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Sở Tư pháp;",
        "Theo đề nghị của Chánh Văn phòng Sở.",
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế tiếp nhận và xử lý văn bản điện tử của Sở Tư pháp.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Điều 3. Chánh Văn phòng, Trưởng các phòng, đơn vị thuộc Sở và các cá nhân có liên quan chịu trách "
        "nhiệm thi hành Quyết định này.",
    ]
)

COMMON = {
    "issuer_parent": "UBND TỈNH SƠN NAM",
    "issuer_name": "SỞ TƯ PHÁP",
    "place": "Sơn Nam",
    "recipients": ["Như trên", "Giám đốc Sở (để b/c)", "Lưu: VT, VP"],
    "signer_authority": "KT. GIÁM ĐỐC",
    "signer_title": "PHÓ GIÁM ĐỐC",
    "signer_name": "Nguyễn Thị Hồng Nhung",
    "year": 2026,
}

DRAFTS = {
    "QD": DraftContent(
        type_code="QD",
        symbol_suffix="QĐ-STP",
        subject="Về việc ban hành Quy chế tiếp nhận và xử lý văn bản điện tử",
        issuing_authority="GIÁM ĐỐC SỞ TƯ PHÁP",
        body=QD_BODY,
        **{**COMMON, "recipients": ["Như Điều 3", "UBND tỉnh (để b/c)", "Lưu: VT, VP"]},
    ),
    "CV": DraftContent(
        type_code="CV",
        symbol_suffix="STP-VP",
        subject="V/v góp ý dự thảo quy chế văn thư",
        addressees=["Ủy ban nhân dân các huyện, thị xã, thành phố"],
        body="Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về công tác văn thư, Sở Tư pháp đề nghị các đơn vị "
        "góp ý dự thảo quy chế gửi kèm theo công văn này.\n\nVăn bản góp ý gửi về Sở Tư pháp trước ngày 20 "
        "tháng 12 năm 2026 để tổng hợp.",
        **COMMON,
    ),
    "TTr": DraftContent(
        type_code="TTr",
        symbol_suffix="TTr-STP",
        subject="Về việc đề nghị phê duyệt kế hoạch số hóa tài liệu lưu trữ",
        addressees=["Ủy ban nhân dân tỉnh Sơn Nam"],
        body="Sở Tư pháp kính trình Ủy ban nhân dân tỉnh xem xét, phê duyệt kế hoạch số hóa tài liệu lưu trữ "
        "giai đoạn 2026 - 2030.",
        **COMMON,
    ),
    "BC": DraftContent(
        type_code="BC",
        symbol_suffix="BC-STP",
        subject="Kết quả công tác văn thư, lưu trữ năm 2026",
        body="Năm 2026, Sở Tư pháp tiếp nhận và xử lý văn bản điện tử đúng thời hạn, bảo đảm an toàn thông tin.",
        **COMMON,
    ),
    "GM": DraftContent(
        type_code="GM",
        symbol_suffix="GM-STP",
        subject="Dự hội nghị tập huấn nghiệp vụ văn thư",
        body="Sở Tư pháp trân trọng kính mời đại diện lãnh đạo đơn vị dự hội nghị tập huấn nghiệp vụ văn thư.\n\n"
        "Thời gian: 08 giờ 00, ngày 15 tháng 12 năm 2026.",
        urgency="Khẩn",
        **COMMON,
    ),
    "TB": DraftContent(
        type_code="TB",
        symbol_suffix="TB-STP",
        subject="Kết luận của Giám đốc Sở tại cuộc họp giao ban tháng 11",
        body="Ngày 28 tháng 11 năm 2026, Giám đốc Sở chủ trì cuộc họp giao ban; sau khi nghe báo cáo, "
        "Giám đốc Sở kết luận như sau.",
        secrecy="Mật",
        **COMMON,
    ),
}


@pytest.fixture(params=sorted(DRAFTS))
def draft(request) -> DraftContent:
    return DRAFTS[request.param]


def replace(content: DraftContent, **changes) -> DraftContent:
    return dataclasses.replace(content, **changes)


def words(pdf: bytes) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """pdftotext -bbox: (page, word, (x1, y1, x2, y2)) in PDF points, origin bottom left."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.pdf"
        path.write_bytes(pdf)
        html = subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, timeout=60
        ).stdout.decode("utf-8")
    found = []
    namespace = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(html)
    for index, page in enumerate(root.iter(f"{namespace}page")):
        height = float(page.get("height"))
        for word in page.iter(f"{namespace}word"):
            x1, y1, x2, y2 = (float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            found.append((index, word.text, (x1, height - y2, x2, height - y1)))
    return found


def overlaps(a, b, tolerance: float = 0.5) -> bool:
    return a[0] < b[2] - tolerance and b[0] < a[2] - tolerance and a[1] < b[3] - tolerance and b[1] < a[3] - tolerance
