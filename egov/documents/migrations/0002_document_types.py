"""NĐ 30/2020 Phụ lục III: the types of administrative documents and their abbreviations, and the
platform's default review path (specialist → unit head → agency leader, who signs)."""

from django.db import migrations

# A frozen copy (code, name, abbreviation, has a drafting template).
TYPES = [
    ("nghi-quyet", "Nghị quyết", "NQ", False),
    ("quyet-dinh", "Quyết định", "QĐ", True),
    ("chi-thi", "Chỉ thị", "CT", False),
    ("quy-che", "Quy chế", "QC", False),
    ("quy-dinh", "Quy định", "QyĐ", False),
    ("thong-cao", "Thông cáo", "TC", False),
    ("thong-bao", "Thông báo", "TB", True),
    ("huong-dan", "Hướng dẫn", "HD", False),
    ("chuong-trinh", "Chương trình", "CTr", False),
    ("ke-hoach", "Kế hoạch", "KH", False),
    ("phuong-an", "Phương án", "PA", False),
    ("de-an", "Đề án", "ĐA", False),
    ("du-an", "Dự án", "DA", False),
    ("bao-cao", "Báo cáo", "BC", True),
    ("bien-ban", "Biên bản", "BB", False),
    ("to-trinh", "Tờ trình", "TTr", True),
    ("hop-dong", "Hợp đồng", "HĐ", False),
    ("cong-van", "Công văn", "", True),
    ("cong-dien", "Công điện", "CĐ", False),
    ("ban-ghi-nho", "Bản ghi nhớ", "BGN", False),
    ("ban-thoa-thuan", "Bản thỏa thuận", "BTT", False),
    ("giay-uy-quyen", "Giấy ủy quyền", "GUQ", False),
    ("giay-moi", "Giấy mời", "GM", True),
    ("giay-gioi-thieu", "Giấy giới thiệu", "GGT", False),
    ("giay-nghi-phep", "Giấy nghỉ phép", "GNP", False),
    ("phieu-gui", "Phiếu gửi", "PG", False),
    ("phieu-chuyen", "Phiếu chuyển", "PC", False),
    ("phieu-bao", "Phiếu báo", "PB", False),
]

STAGES = [
    (1, "Trưởng phòng xem xét", "document.review", "drafting_unit"),
    (2, "Lãnh đạo cơ quan duyệt, ký", "document.sign", "agency"),
]


def load(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for order, (code, name, abbreviation, template) in enumerate(TYPES, start=1):
        DocumentType.objects.update_or_create(
            code=code, defaults={"name": name, "abbreviation": abbreviation, "has_template": template, "order": order}
        )
    ApprovalFlow = apps.get_model("documents", "ApprovalFlow")
    ApprovalStage = apps.get_model("documents", "ApprovalStage")
    flow, _ = ApprovalFlow.objects.get_or_create(
        agency=None, defaults={"name": "Chuyên viên soạn thảo → Trưởng phòng → Lãnh đạo cơ quan ký"}
    )
    for order, name, permission, at in STAGES:
        ApprovalStage.objects.update_or_create(
            flow=flow, order=order, defaults={"name": name, "permission": permission, "at": at}
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
