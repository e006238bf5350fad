"""Specs for the catalogue tests, on the root conftest's tree (province H98, Sở Tư pháp H98.101,
Sở Tài chính H98.102, commune H98.301)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from egov.catalogue.specs import ComponentSpec, DurationSpec, FeeSpec, ProcedureSpec, ResultSpec

BIRTH = "1.001193.000.00.00.H98"
MARRIAGE = "1.000894.000.00.00.H98"
HOUSEHOLD_BUSINESS = "2.000720.000.00.00.H98"
CRIMINAL_RECORD = "2.000488.000.00.00.H98"


def birth(**changes) -> ProcedureSpec:
    """Đăng ký khai sinh at the commune, in the shape a catalogue publishes it."""
    spec = ProcedureSpec(
        code=BIRTH,
        name="Đăng ký khai sinh",
        field="G09-HT01",
        levels=("commune",),
        agencies=("H98.301",),
        online_level="toan_trinh",
        applicant_types=("citizen",),
        channels=(1, 2, 3),
        steps="Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
        requirements="",
        legal_basis="Luật Hộ tịch năm 2014",
        result_description="Giấy khai sinh (bản chính)",
        components=(
            ComponentSpec(name="Tờ khai đăng ký khai sinh theo mẫu", originals=1),
            ComponentSpec(name="Giấy chứng sinh", originals=1, note="Hoặc văn bản của người làm chứng"),
        ),
        durations=(
            DurationSpec(channel=1, amount=Decimal("1"), unit="working_days", note="Ngay trong ngày"),
            DurationSpec(channel=2, amount=Decimal("1"), unit="working_days"),
        ),
        fees=(FeeSpec(kind="charge", name="Lệ phí đăng ký khai sinh", amount=0, note="Miễn khi đăng ký đúng hạn"),),
        results=(ResultSpec(name="Giấy khai sinh (bản chính)"),),
    )
    return replace(spec, **changes)


def marriage(**changes) -> ProcedureSpec:
    return replace(
        birth(),
        code=MARRIAGE,
        name="Đăng ký kết hôn",
        components=(ComponentSpec(name="Tờ khai đăng ký kết hôn theo mẫu", originals=1),),
        durations=(DurationSpec(channel=1, amount=Decimal("3"), unit="working_days"),),
        fees=(),
        results=(ResultSpec(name="Giấy chứng nhận kết hôn"),),
        **changes,
    )


def household_business(**changes) -> ProcedureSpec:
    return replace(
        ProcedureSpec(
            code=HOUSEHOLD_BUSINESS,
            name="Đăng ký thành lập hộ kinh doanh",
            field="G13-DK01",
            levels=("commune",),
            agencies=("H98.301",),
            online_level="mot_phan",
            mot_phan_reason="Phải xuất trình bản chính giấy tờ pháp lý của chủ hộ.",
            applicant_types=("citizen", "business"),
            channels=(1, 2),
            components=(
                ComponentSpec(name="Giấy đề nghị đăng ký hộ kinh doanh", originals=1),
                ComponentSpec(name="Bản sao giấy tờ pháp lý của chủ hộ kinh doanh", photocopies=1),
            ),
            durations=(DurationSpec(channel=1, amount=Decimal("3"), unit="working_days"),),
            fees=(FeeSpec(kind="charge", name="Lệ phí đăng ký hộ kinh doanh", amount=100000),),
            results=(ResultSpec(name="Giấy chứng nhận đăng ký hộ kinh doanh"),),
        ),
        **changes,
    )


def criminal_record(**changes) -> ProcedureSpec:
    return replace(
        ProcedureSpec(
            code=CRIMINAL_RECORD,
            name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            field="G09-LL01",
            levels=("department",),
            agencies=("H98.101",),
            online_level="toan_trinh",
            applicant_types=("citizen",),
            channels=(1, 2, 3),
            components=(ComponentSpec(name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", originals=1),),
            durations=(
                DurationSpec(channel=1, amount=Decimal("10"), unit="working_days"),
                DurationSpec(channel=2, amount=Decimal("0.5"), unit="working_days", note="Thử nghiệm"),
                DurationSpec(channel=3, amount=Decimal("15"), unit="calendar_days"),
            ),
            fees=(FeeSpec(kind="fee", name="Phí cung cấp thông tin lý lịch tư pháp", amount=200000),),
            results=(ResultSpec(name="Phiếu lý lịch tư pháp số 1"),),
        ),
        **changes,
    )
