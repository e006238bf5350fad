"""Official documents (NĐ 30/2020): the default roles get the document permissions.

Văn thư registers, numbers and issues; chuyên viên drafts and handles what is assigned to them;
trưởng phòng reviews drafts, assigns to specialists and handles; lãnh đạo reviews, signs and assigns.
"""

from django.db import migrations

# A frozen copy: a migration must not change when the policy module's defaults do later.
GRANTS = {
    "clerk": ["document.register", "document.view"],
    "specialist": ["document.view", "document.draft", "document.handle"],
    "unit_head": ["document.view", "document.draft", "document.review", "document.assign", "document.handle"],
    "agency_leader": ["document.view", "document.review", "document.sign", "document.assign"],
}


def add(apps, schema_editor):
    Role = apps.get_model("people", "Role")
    for code, permissions in GRANTS.items():
        for role in Role.objects.filter(code=code):
            role.permissions = sorted(set(role.permissions) | set(permissions))
            role.save(update_fields=["permissions"])


def remove(apps, schema_editor):
    Role = apps.get_model("people", "Role")
    for code, permissions in GRANTS.items():
        for role in Role.objects.filter(code=code):
            # document.register predates this migration (people/0002): the clerk keeps it.
            keep = {"document.register"} if code == "clerk" else set()
            role.permissions = [p for p in role.permissions if p not in set(permissions) - keep]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("people", "0005_notification_channels")]
    operations = [migrations.RunPython(add, remove)]
