"""The rule sets in force (DOMAIN §4). Items marked (verify) come from secondary sources and are
data precisely so they can be corrected without a code change."""

import datetime

from django.db import migrations

RULE_SETS = [
    {
        "code": "nd61-2018",
        "name": "NĐ 61/2018/NĐ-CP, NĐ 107/2021/NĐ-CP, TT 01/2018/TT-VPCP",
        "legal_basis": (
            "Nghị định 61/2018/NĐ-CP về thực hiện cơ chế một cửa, một cửa liên thông; Nghị định 107/2021/NĐ-CP "
            "sửa đổi, bổ sung; Thông tư 01/2018/TT-VPCP (mẫu 01–06, mã hồ sơ Điều 19)."
        ),
        "effective_from": datetime.date(2018, 8, 21),
        "form_set": "tt01_2018",
        "supplement_policy": "restart",
        "supplement_within_working_days": 3,
        "apology_min_working_days_before_due": 1,
        "code_format": "{agency}-{yymmdd}-{seq:04d}",
        "agency_code_form": "legacy",
    },
    {
        "code": "nd118-2025",
        "name": "NĐ 118/2025/NĐ-CP, TT 03/2025/TT-VPCP (verify)",
        "legal_basis": (
            "Nghị định 118/2025/NĐ-CP về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông; "
            "Thông tư 03/2025/TT-VPCP (mẫu 01–07). (verify: số hiệu và nội dung theo nguồn thứ cấp)"
        ),
        "effective_from": datetime.date(2025, 7, 1),
        "form_set": "tt03_2025",
        "supplement_policy": "restart",
        "supplement_within_working_days": 3,
        "apology_min_working_days_before_due": 1,
        "code_format": "{agency}-{yymmdd}-{seq:04d}",
        "agency_code_form": "legacy",
    },
]


def load(apps, schema_editor):
    RuleSet = apps.get_model("dossiers", "RuleSet")
    for data in RULE_SETS:
        RuleSet.objects.update_or_create(code=data["code"], defaults=data)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
