"""Realistic sample data for every kind of form: previews in the admin, template validation, tests.

The dossier is fictional (Tỉnh Sơn Nam, the demo province: code H99, service centre 000.00.20.H99), the
values plausible: a construction permit for a house, received at the provincial service centre and
handled by Sở Xây dựng. Times are fixed, so previews and tests are reproducible.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from egov.forms.contexts import (
    ApologyContext,
    ComponentLine,
    ControlSlipContext,
    FormContext,
    HandoverLine,
    ReceiptContext,
    RefusalContext,
    RegisterContext,
    RegisterRow,
    StopNoticeContext,
    SupplementContext,
    Timeliness,
)

__all__ = ["sample_context", "sample_register_rows", "SAMPLE_DOSSIER_CODE", "SAMPLE_LOOKUP_URL"]

_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

SAMPLE_DOSSIER_CODE = "000.00.20.H99-260315-0007"
SAMPLE_LOOKUP_URL = f"https://dichvucong.sonnam.gov.vn/tra-cuu/{SAMPLE_DOSSIER_CODE}"

_HEADER = dict(
    parent_unit_name="UBND TỈNH SƠN NAM",
    issuing_unit_name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
    place_name="Sơn Nam",
)
_CENTRE = "Trung tâm Phục vụ hành chính công tỉnh Sơn Nam"
_PROCEDURE = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
_APPLICANT = "Nguyễn Thị Hồng Nhung"
_ADDRESS = "Số 18, đường Trần Hưng Đạo, phường Đông Thành, tỉnh Sơn Nam"
_RECEIVED = datetime(2026, 3, 16, 8, 30, tzinfo=_TZ)
_DUE = datetime(2026, 4, 6, 16, 30, tzinfo=_TZ)

_COMPONENTS = (
    ComponentLine(
        name="Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01 Phụ lục II Nghị định 175/2024/NĐ-CP)", originals=1
    ),
    ComponentLine(name="Giấy chứng nhận quyền sử dụng đất", certified_copies=1),
    ComponentLine(name="Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)", originals=2),
    ComponentLine(name="Cam kết bảo đảm an toàn đối với công trình liền kề", originals=1),
    ComponentLine(name="Căn cước công dân của chủ hộ", photocopies=1),
)


def _receipt() -> ReceiptContext:
    return ReceiptContext(
        **_HEADER,
        agency_name=_CENTRE,
        register_number="0007",
        register_book="03/2026",
        dossier_code=SAMPLE_DOSSIER_CODE,
        applicant_name=_APPLICANT,
        submitter_name="Trần Văn Khải",
        address=_ADDRESS,
        phone="0912 345 678",
        email="hongnhung.nt@example.vn",
        identity_number="036190012345",
        procedure_name=_PROCEDURE,
        components=_COMPONENTS,
        sets_count=1,
        legal_time_text="15 ngày làm việc",
        received_at=_RECEIVED,
        due_at=_DUE,
        result_delivery="Trung tâm Phục vụ hành chính công tỉnh Sơn Nam",
        officer_name="Lê Thu Trang",
        lookup_url=SAMPLE_LOOKUP_URL,
    )


def _supplement() -> SupplementContext:
    return SupplementContext(
        **_HEADER,
        issued_on=date(2026, 3, 18),
        document_number="0012",
        agency_name=_CENTRE,
        dossier_code=SAMPLE_DOSSIER_CODE,
        applicant_name=_APPLICANT,
        address=_ADDRESS,
        phone="0912 345 678",
        email="hongnhung.nt@example.vn",
        procedure_name=_PROCEDURE,
        received_at=_RECEIVED,
        items=(
            "Bản vẽ mặt bằng móng có chữ ký của người chủ trì thiết kế",
            "Bản sao chứng thực Giấy chứng nhận quyền sử dụng đất trang 3 và 4 (đã đăng ký biến động)",
        ),
        reason="Bản vẽ thiết kế nộp kèm thiếu mặt bằng móng; Giấy chứng nhận thiếu trang cập nhật biến động.",
        officer_name="Lê Thu Trang",
        officer_phone="0225 3 812 345",
        lookup_url=SAMPLE_LOOKUP_URL,
        lookup_text="Cổng Dịch vụ công tỉnh Sơn Nam",
    )


def _refusal() -> RefusalContext:
    return RefusalContext(
        **_HEADER,
        document_number="0003",
        agency_name=_CENTRE,
        dossier_code=SAMPLE_DOSSIER_CODE,
        applicant_name=_APPLICANT,
        address=_ADDRESS,
        phone="0912 345 678",
        email="hongnhung.nt@example.vn",
        procedure_name=_PROCEDURE,
        received_at=_RECEIVED,
        reason=(
            "Thửa đất đề nghị xây dựng nằm trong phạm vi hành lang bảo vệ đê điều theo quy hoạch đã được "
            "phê duyệt; việc cấp giấy phép xây dựng không thuộc trường hợp được xem xét."
        ),
        officer_name="Lê Thu Trang",
        lookup_url=SAMPLE_LOOKUP_URL,
    )


def _apology() -> ApologyContext:
    return ApologyContext(
        parent_unit_name="UBND TỈNH SƠN NAM",
        issuing_unit_name="SỞ XÂY DỰNG",
        place_name="Sơn Nam",
        issued_on=date(2026, 4, 2),
        document_number="215/PXL-SXD",
        agency_name="Sở Xây dựng tỉnh Sơn Nam",
        addressee_name="Bà Nguyễn Thị Hồng Nhung",
        applicant_name=_APPLICANT,
        dossier_code=SAMPLE_DOSSIER_CODE,
        procedure_name=_PROCEDURE,
        received_at=_RECEIVED,
        original_due_at=_DUE,
        reason="Hồ sơ cần lấy ý kiến của Ban Quản lý dự án đê điều tỉnh về ranh giới hành lang bảo vệ đê.",
        new_due_at=datetime(2026, 4, 13, 16, 30, tzinfo=_TZ),
        signer_title="Giám đốc",
        signer_name="Phạm Quốc Hưng",
        lookup_url=SAMPLE_LOOKUP_URL,
    )


def _stop_notice() -> StopNoticeContext:
    return StopNoticeContext(
        parent_unit_name="UBND TỈNH SƠN NAM",
        issuing_unit_name="SỞ XÂY DỰNG",
        place_name="Sơn Nam",
        stopped_on=date(2026, 3, 27),
        document_number="198/TB-SXD",
        agency_name="Sở Xây dựng tỉnh Sơn Nam",
        addressee_name="Bà Nguyễn Thị Hồng Nhung",
        dossier_code=SAMPLE_DOSSIER_CODE,
        procedure_name=_PROCEDURE,
        received_at=_RECEIVED,
        reason="Quá thời hạn bổ sung, hoàn thiện hồ sơ theo Phiếu yêu cầu bổ sung số 0012 ngày 18/3/2026.",
        legal_basis="Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ",
        signer_title="Giám đốc",
        signer_name="Phạm Quốc Hưng",
        lookup_url=SAMPLE_LOOKUP_URL,
    )


def _control_slip() -> ControlSlipContext:
    return ControlSlipContext(
        **_HEADER,
        agency_name=_CENTRE,
        dossier_code=SAMPLE_DOSSIER_CODE,
        applicant_name=_APPLICANT,
        procedure_name=_PROCEDURE,
        lead_agency_name="Sở Xây dựng (Phòng Quản lý hoạt động xây dựng)",
        coordinating_agencies="Ban Quản lý dự án đê điều tỉnh",
        received_at=_RECEIVED,
        due_at=_DUE,
        handovers=(
            HandoverLine(
                from_agency="Trung tâm Phục vụ hành chính công",
                to_agency="Văn phòng Sở Xây dựng",
                handed_at=datetime(2026, 3, 16, 14, 0, tzinfo=_TZ),
                giver_name="Lê Thu Trang",
                receiver_name="Đỗ Minh Châu",
                result=Timeliness.EARLY,
            ),
            HandoverLine(
                from_agency="Văn phòng Sở Xây dựng",
                to_agency="Phòng Quản lý hoạt động xây dựng",
                handed_at=datetime(2026, 3, 17, 8, 0, tzinfo=_TZ),
                giver_name="Đỗ Minh Châu",
                receiver_name="Vũ Đức Thịnh",
                result=Timeliness.ON_TIME,
            ),
            HandoverLine(
                from_agency="Phòng Quản lý hoạt động xây dựng",
                to_agency="Lãnh đạo Sở Xây dựng",
                handed_at=datetime(2026, 4, 1, 10, 15, tzinfo=_TZ),
                giver_name="Vũ Đức Thịnh",
                receiver_name="Phạm Quốc Hưng",
                result=Timeliness.LATE,
                note="Chờ ý kiến Ban QLDA đê điều",
            ),
        ),
        blank_rows=2,
        lookup_url=SAMPLE_LOOKUP_URL,
    )


_SURNAMES = ("Nguyễn Văn", "Trần Thị", "Lê Hoàng", "Phạm Minh", "Hoàng Thị", "Vũ Đức", "Đặng Thu", "Bùi Quang")
_GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hải", "Khánh", "Lan", "Minh", "Ngọc", "Phúc", "Quỳnh")
_PROCEDURES = (
    ("Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Sở Xây dựng"),
    ("Đăng ký thành lập doanh nghiệp tư nhân", "Sở Tài chính"),
    ("Cấp phiếu lý lịch tư pháp cho công dân Việt Nam", "Sở Tư pháp"),
    ("Đăng ký khai sinh", "UBND phường Đông Thành"),
    ("Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm", "Sở Y tế"),
)


def sample_register_rows(count: int = 12, *, start: datetime | None = None):
    """``count`` plausible register rows (a generator: the register streams)."""
    from datetime import timedelta

    start = start or datetime(2026, 1, 5, 7, 45, tzinfo=_TZ)
    for n in range(count):
        procedure, agency = _PROCEDURES[n % len(_PROCEDURES)]
        # eight dossiers a working day, 07:45 to 16:10, Monday to Friday
        day, slot = divmod(n, 8)
        week, weekday = divmod(day, 5)
        received = start + timedelta(days=7 * week + weekday, minutes=65 * slot + (n % 3) * 5)
        due = received + timedelta(days=7 + n % 10)
        returned = due - timedelta(days=n % 3) if n % 4 else None
        yield RegisterRow(
            dossier_code=f"000.00.20.H99-{received:%y%m%d}-{n + 1:04d}",
            summary=procedure,
            applicant_name=f"{_SURNAMES[n % len(_SURNAMES)]} {_GIVEN[n % len(_GIVEN)]}",
            address=f"Số {n % 97 + 1}, tổ {n % 12 + 1}, phường Đông Thành, tỉnh Sơn Nam",
            phone=f"09{n % 100:02d} {n % 1000:03d} {(n * 7) % 1000:03d}",
            received_at=received,
            due_at=due,
            returned_at=returned,
            receiving_officer="Lê Thu Trang" if n % 2 else "Ngô Bảo Anh",
            procedure_name=procedure,
            lead_agency=agency,
            notes="Bổ sung hồ sơ 1 lần" if n % 7 == 3 else "",
        )


def _register() -> RegisterContext:
    return RegisterContext(
        **_HEADER,
        issued_on=date(2026, 1, 31),
        period_text="Tháng 01 năm 2026",
        rows=tuple(sample_register_rows(12)),
    )


_BUILDERS = {
    "receipt": _receipt,
    "supplement": _supplement,
    "refusal": _refusal,
    "apology": _apology,
    "stop_notice": _stop_notice,
    "control_slip": _control_slip,
    "register": _register,
}


def sample_context(kind: str) -> FormContext:
    """A complete, realistic context for a form of ``kind`` (``FormTemplate.Kind``)."""
    return _BUILDERS[kind]()
