"""Load the default roles and their permissions (editable afterwards by administrators)."""

from django.db import migrations

# A frozen copy: a migration must not change when the policy module's defaults do later.
ROLES = {
    "receiving_officer": ("Cán bộ tiếp nhận", ["dossier.receive", "dossier.view", "organisation.view"]),
    "specialist": ("Chuyên viên", ["dossier.process", "dossier.view", "organisation.view"]),
    "unit_head": ("Trưởng phòng", ["dossier.process", "dossier.approve", "dossier.view", "organisation.view", "person.view"]),
    "agency_leader": ("Lãnh đạo cơ quan", ["dossier.approve", "dossier.view", "organisation.view", "person.view", "evaluation.view"]),
    "clerk": ("Văn thư", ["document.register", "organisation.view"]),
    "administrator": (
        "Quản trị hệ thống",
        ["organisation.view", "organisation.manage", "person.view", "person.manage", "calendar.manage",
         "audit.view", "dossier.view", "evaluation.view"],
    ),
    "evaluator": ("Cán bộ đánh giá", ["evaluation.view", "organisation.view", "dossier.view"]),
}


def load(apps, schema_editor):
    Role = apps.get_model("people", "Role")
    for code, (name, permissions) in ROLES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name, "permissions": permissions})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
