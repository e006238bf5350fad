"""Reports (issue 14): leaders, administrators and evaluators see the indicator scores and the
operations dashboard of their units; administrators manage the indicator sets."""

from django.db import migrations

GRANTS = {
    "agency_leader": ["report.view"],
    "unit_head": ["report.view"],
    "evaluator": ["report.view"],
    "administrator": ["report.view", "indicator.manage"],
}


def add(apps, schema_editor):
    Role = apps.get_model("people", "Role")
    for code, new in GRANTS.items():
        for role in Role.objects.filter(code=code):
            role.permissions = sorted(set(role.permissions) | set(new))
            role.save(update_fields=["permissions"])


def remove(apps, schema_editor):
    Role = apps.get_model("people", "Role")
    for code, new in GRANTS.items():
        for role in Role.objects.filter(code=code):
            role.permissions = [p for p in role.permissions if p not in new]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("people", "0006_document_permissions")]
    operations = [migrations.RunPython(add, remove)]
