"""Load two published indicator sets (DOMAIN §6): QĐ 766/QĐ-TTg (2022), 100 points in six groups,
and TT 01/2018/TT-VPCP Đ13–15, nine indicators scored 0–2 with the agency grades.

A frozen copy (a migration must not change when the app does). DOMAIN marks QĐ 766's group weights
"verify", and it gives no thresholds for either set: the threshold bands below are a starting point
marked "(verify)" in each indicator's note; administrators correct them in a new version.
Indicators with no platform data behind them have no measure: they are assessed by hand.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

VERIFY = "Ngưỡng điểm tạm đặt, cần đối chiếu văn bản (verify)."


def bands(top):
    """Share < 50% → 0; 50–80% → half; 80–95% → three quarters; ≥ 95% → all the points."""
    top = Decimal(top)
    return [
        (Decimal(0), Decimal(50), Decimal(0)),
        (Decimal(50), Decimal(80), top / 2),
        (Decimal(80), Decimal(95), top * 3 / 4),
        (Decimal(95), None, top),
    ]


def tt01_bands():
    """TT 01/2018 scores each dossier 0–2 and takes the mean; here on the share (verify)."""
    return [(Decimal(0), Decimal(90), Decimal(0)), (Decimal(90), Decimal(100), Decimal(1)), (Decimal(100), None, Decimal(2))]


QD766 = {
    "code": "qd766",
    "name": "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)",
    "legal_basis": "Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ (verify: ngày ban hành, "
    "trọng số các nhóm và cách tính điểm từng chỉ số).",
    "effective_from": date(2022, 6, 23),
    "total_points": 100,
    "grades": [],
    "groups": [
        ("1", "Công khai, minh bạch (verify)", 18, [
            ("1.1", "Công bố, công khai thủ tục hành chính đúng hạn", "", 10, "Chưa có dữ liệu trên hệ thống: chấm thủ công."),
            ("1.2", "Phản ánh, kiến nghị được trả lời đúng hạn", "feedback_on_time", 8, VERIFY),
        ]),
        ("2", "Tiến độ giải quyết (verify)", 20, [
            ("2.1", "Tỷ lệ hồ sơ giải quyết đúng hạn", "on_time", 20, VERIFY),
        ]),
        ("3", "Dịch vụ công trực tuyến (verify)", 12, [
            ("3.1", "Tỷ lệ hồ sơ nộp trực tuyến", "online", 12, VERIFY),
        ]),
        ("4", "Thanh toán trực tuyến (verify)", 10, [
            ("4.1", "Tỷ lệ hồ sơ có phí, lệ phí được thanh toán trực tuyến", "online_payment", 10, VERIFY),
        ]),
        ("5", "Mức độ hài lòng (verify)", 18, [
            ("5.1", "Tỷ lệ người dân, doanh nghiệp hài lòng", "satisfaction", 18, VERIFY),
        ]),
        ("6", "Số hóa hồ sơ (verify)", 22, [
            ("6.1", "Tỷ lệ hồ sơ được số hóa", "digitised", 11, VERIFY + " Chia điểm 11/11 giữa 6.1 và 6.2 (verify)."),
            ("6.2", "Tỷ lệ hồ sơ tái sử dụng dữ liệu đã số hóa", "reused", 11, VERIFY),
        ]),
    ],
}

TT01 = {
    "code": "tt01-2018",
    "name": "Đánh giá việc giải quyết thủ tục hành chính (TT 01/2018/TT-VPCP, Điều 13–15)",
    "legal_basis": "Thông tư số 01/2018/TT-VPCP, Điều 13, 14, 15. Mỗi chỉ số 0–2 điểm; chỉ số trên nhiều hồ sơ "
    "là điểm trung bình của các hồ sơ.",
    "effective_from": date(2018, 11, 23),
    "total_points": 18,
    "grades": [(15, "Xuất sắc"), (12, "Tốt"), (9, "Khá"), (6, "Trung bình"), (0, "Yếu")],
    "groups": [
        ("1", "Chỉ số đánh giá việc giải quyết thủ tục hành chính", 18, [
            ("1", "Tổng thời gian giải quyết thủ tục hành chính", "on_time", 2, VERIFY),
            ("2", "Thời gian thực hiện tại từng cơ quan, đơn vị", "", 2, "Chấm thủ công."),
            ("3", "Số lần liên hệ để hoàn thiện hồ sơ", "", 2, "Chấm thủ công."),
            ("4", "Số cơ quan, đơn vị phải liên hệ", "", 2, "Chấm thủ công."),
            ("5", "Thực hiện tiếp nhận tại Bộ phận Một cửa", "", 2, "Chấm thủ công."),
            ("6", "Công khai thủ tục hành chính", "", 2, "Chấm thủ công."),
            ("7", "Thái độ của cán bộ, công chức, viên chức", "", 2, "Chấm thủ công."),
            ("8", "Tiếp thu, giải trình ý kiến phản ánh, kiến nghị đúng hạn", "feedback_on_time", 2, VERIFY),
            ("9", "Cung cấp dịch vụ công trực tuyến", "online", 2, VERIFY),
        ]),
    ],
}


def load(apps, schema_editor):
    IndicatorSet = apps.get_model("reports", "IndicatorSet")
    Grade = apps.get_model("reports", "Grade")
    IndicatorGroup = apps.get_model("reports", "IndicatorGroup")
    Indicator = apps.get_model("reports", "Indicator")
    Threshold = apps.get_model("reports", "Threshold")
    for spec, banding in ((QD766, bands), (TT01, lambda top: tt01_bands())):
        if IndicatorSet.objects.filter(code=spec["code"]).exists():
            continue
        s = IndicatorSet.objects.create(
            code=spec["code"], version=1, name=spec["name"], legal_basis=spec["legal_basis"],
            effective_from=spec["effective_from"], total_points=spec["total_points"], status="published",
        )  # fmt: skip
        for low, label in spec["grades"]:
            Grade.objects.create(indicator_set=s, min_points=low, label=label)
        for g, (code, name, top, indicators) in enumerate(spec["groups"], start=1):
            group = IndicatorGroup.objects.create(indicator_set=s, code=code, name=name, max_points=top, order=g)
            for i, (icode, iname, measure, itop, note) in enumerate(indicators, start=1):
                ind = Indicator.objects.create(
                    group=group, code=icode, name=iname, measure=measure, max_points=itop, order=i, note=note
                )
                if measure:
                    for lower, upper, points in banding(itop):
                        Threshold.objects.create(indicator=ind, lower=lower, upper=upper, points=points)


def unload(apps, schema_editor):
    IndicatorSet = apps.get_model("reports", "IndicatorSet")
    for s in IndicatorSet.objects.filter(code__in=[QD766["code"], TT01["code"]], version=1):
        if not s.snapshots.exists():
            s.delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
