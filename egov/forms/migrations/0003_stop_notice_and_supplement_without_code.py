"""Two changes to the default templates reach existing databases.

- TT 01/2018 has no form for stopping a dossier (status 8); the set gets a notice ("TB", the layout of
  the 2025 set's Mẫu 05 without a form number) so that stopping issues a signed notice under either set.
- Mẫu 02 of both sets can be issued without a dossier code (an incomplete dossier at the counter is
  not received, so no code is spent): version 2, where version 1 is still the shipped default.
"""

import json
from pathlib import Path

from django.db import migrations

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "default_templates"


def _entry(form_set, code):
    manifest = json.loads((DEFAULTS_DIR / form_set / "forms.json").read_text(encoding="utf-8"))
    return next(e for e in manifest["forms"] if e["code"] == code)


def load(apps, schema_editor):
    FormTemplate = apps.get_model("forms", "FormTemplate")
    base_css = (DEFAULTS_DIR / "base.css").read_text(encoding="utf-8")
    entry = _entry("tt01_2018", "TB")
    FormTemplate.objects.get_or_create(
        form_set="tt01_2018",
        code="TB",
        version=1,
        defaults={
            "kind": entry["kind"],
            "name": entry["name"],
            "paper": entry["paper"],
            "orientation": entry["orientation"],
            "body": (DEFAULTS_DIR / "tt01_2018" / "TB.html").read_text(encoding="utf-8"),
            "css": base_css,
            "is_active": True,
        },
    )
    for form_set in ("tt01_2018", "tt03_2025"):
        rows = FormTemplate.objects.filter(form_set=form_set, code="02").order_by("-version")
        latest = rows.first()
        if latest is None or rows.count() != 1:
            continue  # a province edited its Mẫu 02: leave its version in use
        body = (DEFAULTS_DIR / form_set / "02.html").read_text(encoding="utf-8")
        if latest.body == body:
            continue
        FormTemplate.objects.create(
            form_set=form_set,
            code="02",
            version=latest.version + 1,
            kind=latest.kind,
            name=latest.name,
            paper=latest.paper,
            orientation=latest.orientation,
            body=body,
            css=latest.css,
            is_active=True,
        )


def unload(apps, schema_editor):
    FormTemplate = apps.get_model("forms", "FormTemplate")
    FormTemplate.objects.filter(form_set="tt01_2018", code="TB").delete()
    FormTemplate.objects.filter(code="02", version=2, form_set__in=["tt01_2018", "tt03_2025"]).delete()


class Migration(migrations.Migration):
    dependencies = [("forms", "0002_default_templates")]
    operations = [migrations.RunPython(load, unload)]
