"""The default form templates shipped with the platform, read from ``default_templates/``.

Layout: ``default_templates/<form_set>/forms.json`` lists the set's forms (code, kind, name, paper,
orientation); ``<code>.html`` is the body and the CSS is the shared ``base.css`` followed by
``<code>.css`` when present. Migration ``0002`` loads them as version 1; the admin's "restore default"
writes them again as a new version. A new set is a new folder plus a data migration, no code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULTS_DIR", "DefaultForm", "default_sets", "default_forms", "default_form"]

DEFAULTS_DIR = Path(__file__).resolve().parent / "default_templates"


@dataclass(frozen=True)
class DefaultForm:
    form_set: str
    code: str
    kind: str
    name: str
    paper: str
    orientation: str
    body: str
    css: str


def default_sets() -> list[str]:
    return sorted(p.parent.name for p in DEFAULTS_DIR.glob("*/forms.json"))


def default_forms(form_set: str) -> list[DefaultForm]:
    folder = DEFAULTS_DIR / form_set
    manifest = json.loads((folder / "forms.json").read_text(encoding="utf-8"))
    base_css = (DEFAULTS_DIR / "base.css").read_text(encoding="utf-8")
    forms = []
    for entry in manifest["forms"]:
        code = entry["code"]
        extra = folder / f"{code}.css"
        css = base_css + ("\n" + extra.read_text(encoding="utf-8") if extra.exists() else "")
        forms.append(
            DefaultForm(
                form_set=form_set,
                code=code,
                kind=entry["kind"],
                name=entry["name"],
                paper=entry["paper"],
                orientation=entry["orientation"],
                body=(folder / f"{code}.html").read_text(encoding="utf-8"),
                css=css,
            )
        )
    return forms


def default_form(form_set: str, code: str) -> DefaultForm | None:
    if not (DEFAULTS_DIR / form_set / "forms.json").exists():
        return None
    return next((f for f in default_forms(form_set) if f.code == code), None)
