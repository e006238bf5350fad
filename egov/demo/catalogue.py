"""Load the demo province's procedure catalogue (``files/catalogue.json``) through the catalogue's
JSON import.

The file is the catalogue's JSON exchange document (``catalogue/EXCEL_TEMPLATE.md``, last section),
with one demo convention: the agency :data:`COMMUNES` stands for every commune and ward of the demo
province in force on the load date (the twenty created on 1/7/2025); it is replaced by their codes
before the import. Idempotent: procedures are upserted by code, so a second run writes nothing and
returns 0.

About the data:

- Names, components, processing times, fees and legal bases follow what provinces publish for these
  procedures (Luật Hộ tịch 2014 and NĐ 123/2015; NĐ 23/2015 on chứng thực; Luật Lý lịch tư pháp 2009;
  Luật Đất đai 2024 and NĐ 101/2024; Luật Xây dựng; NĐ 168/2025 on business registration; ...). The
  national procedure numbers are **illustrative**, shaped like the national database's (``1.001193``)
  but not looked up there; a procedure's code is its number and the province's QCVN 102:2016 code,
  ``<number>.000.00.00.H99``, as a province's catalogue publishes it.
- Field codes follow TT 01/2018 Đ20 (``MX1X2-LV``); the managing bodies' letters are illustrative.
- Agencies are organisation codes of the demo tree: ``H99`` (UBND tỉnh) for province-level decisions,
  ``H99.1NN`` for departments, and :data:`COMMUNES` for the communes.
- Fees in whole đồng; 0 means exempt. Where HĐND tỉnh sets the amount, the demo uses a common value.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from egov.catalogue import services
from egov.core.errors import FieldError, ValidationFailed
from egov.demo.data import PROVINCE_CODE
from egov.organisations.models import Kind, Organisation

__all__ = ["CATALOGUE_FILE", "COMMUNES", "catalogue_document", "demo_document", "load_demo_catalogue"]

CATALOGUE_FILE = Path(__file__).resolve().parent / "files" / "catalogue.json"
COMMUNES = "*communes*"


@cache
def _text() -> str:
    return CATALOGUE_FILE.read_text(encoding="utf-8")


def catalogue_document() -> dict[str, Any]:
    """The demo catalogue as stored, with the :data:`COMMUNES` placeholder (a fresh copy)."""
    return json.loads(_text())


def demo_document(on: date | None = None) -> dict[str, Any]:
    """The JSON document to import: commune-level procedures linked to every commune of the demo
    province in force on ``on`` (today by default). Raises ValidationFailed, naming the missing
    codes, when the demo province has not been seeded."""
    day = on or timezone.localdate()
    document = catalogue_document()
    province = Organisation.objects.filter(code=PROVINCE_CODE).first()
    communes = (
        list(
            Organisation.objects.subtree_of(province)
            .filter(kind=Kind.COMMUNE)
            .active_on(day)
            .order_by("code")
            .values_list("code", flat=True)
        )
        if province
        else []
    )
    named = {code for item in document["procedures"] for code in item["agencies"] if code != COMMUNES}
    missing = sorted(named - set(Organisation.objects.filter(code__in=named).values_list("code", flat=True)))
    if not communes:
        missing.append(f"các xã, phường của {PROVINCE_CODE} có hiệu lực ngày {day:%d/%m/%Y}")
    if missing:
        raise ValidationFailed(
            FieldError(
                "agencies",
                f"Chưa có cơ quan của tỉnh mẫu: {', '.join(missing)}. Hãy nạp dữ liệu mẫu (seed_demo) trước.",
            )
        )
    for item in document["procedures"]:
        agencies: list[str] = []
        for code in item["agencies"]:
            agencies.extend(communes if code == COMMUNES else [code])
        item["agencies"] = agencies
    return document


def load_demo_catalogue(on: date | None = None) -> int:
    """Load the demo catalogue (by the platform itself, ``by=None``); returns how many procedures
    were created. Needs the demo province (``seed_demo``) first."""
    summary = services.import_json(by=None, data=demo_document(on), source="demo_data")
    return summary.created
