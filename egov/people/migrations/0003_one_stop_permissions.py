"""Administrators also manage the procedure catalogue, internal processes, forms and signing keys."""

from django.db import migrations

NEW = ["catalogue.manage", "process.manage", "form.manage", "signing.manage", "notification.view"]


def add(apps, schema_editor):
    Role = apps.get_model("people", "Role")
    for role in Role.objects.filter(code="administrator"):
        role.permissions = sorted(set(role.permissions) | set(NEW))
        role.save(update_fields=["permissions"])


def remove(apps, schema_editor):
    Role = apps.get_model("people", "Role")
    for role in Role.objects.filter(code="administrator"):
        role.permissions = [p for p in role.permissions if p not in NEW]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_default_roles")]
    operations = [migrations.RunPython(add, remove)]
