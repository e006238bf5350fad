"""Load the default templates of TT 01/2018 (Mẫu 01–06) and of the 2025 set (Mẫu 01–07) as version 1.

Reads ``egov/forms/default_templates/`` (see ``egov/forms/defaults.py`` for the layout). The reading is
repeated here rather than imported, so this migration keeps working if that module changes. Later
improvements to the files reach existing databases through a new data migration that adds versions.
"""

import json
from pathlib import Path

from django.db import migrations

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "default_templates"
SETS = ["tt01_2018", "tt03_2025"]


def load(apps, schema_editor):
    FormTemplate = apps.get_model("forms", "FormTemplate")
    base_css = (DEFAULTS_DIR / "base.css").read_text(encoding="utf-8")
    for form_set in SETS:
        folder = DEFAULTS_DIR / form_set
        manifest = json.loads((folder / "forms.json").read_text(encoding="utf-8"))
        for entry in manifest["forms"]:
            code = entry["code"]
            extra = folder / f"{code}.css"
            css = base_css + ("\n" + extra.read_text(encoding="utf-8") if extra.exists() else "")
            FormTemplate.objects.get_or_create(
                form_set=form_set,
                code=code,
                version=1,
                defaults={
                    "kind": entry["kind"],
                    "name": entry["name"],
                    "paper": entry["paper"],
                    "orientation": entry["orientation"],
                    "body": (folder / f"{code}.html").read_text(encoding="utf-8"),
                    "css": css,
                    "is_active": True,
                },
            )


def unload(apps, schema_editor):
    FormTemplate = apps.get_model("forms", "FormTemplate")
    FormTemplate.objects.filter(form_set__in=SETS).delete()


class Migration(migrations.Migration):
    dependencies = [("forms", "0001_form_template")]
    operations = [migrations.RunPython(load, unload)]
