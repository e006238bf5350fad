"""Fixtures for the forms tests: PDF inspection helpers, officers by role, a snapshot of what the
services may change."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pytest

from egov.audit.models import AuditRecord
from egov.forms.models import FormTemplate

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")

A5_PORTRAIT = (419.53, 595.28)  # 148 x 210 mm in points
A4_LANDSCAPE = (841.89, 595.28)


def pdf_text(pdf: bytes) -> str:
    """The text of every page in reading order, as poppler extracts it, in NFC."""
    out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode("utf-8"))


def pdf_flat_text(pdf: bytes) -> str:
    """The text with runs of whitespace (line breaks too) collapsed to one space."""
    return " ".join(pdf_text(pdf).split())


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox width and height in points, read with pyHanko's PDF reader."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    sizes = []

    def walk(node):
        if node["/Type"] == "/Pages":
            for kid in node["/Kids"]:
                walk(kid.get_object())
        else:
            x0, y0, x1, y1 = (float(v) for v in node["/MediaBox"])
            sizes.append((round(x1 - x0, 2), round(y1 - y0, 2)))

    walk(reader.root["/Pages"])
    assert len(sizes) == int(reader.root["/Pages"]["/Count"])
    return sizes


def pdf_fonts(pdf: bytes) -> set[str]:
    """The base names of the fonts used on the pages, subset prefix removed (``Form-Serif-Bold``)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    names = set()
    for kid in reader.root["/Pages"]["/Kids"]:
        resources = kid.get_object()["/Resources"].get_object()
        fonts = resources["/Font"].get_object() if "/Font" in resources else {}
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def forms_state() -> dict:
    return {
        "templates": list(
            FormTemplate.objects.order_by("pk").values_list(
                "pk", "form_set", "code", "version", "is_active", "body", "css"
            )
        ),
        "audit_count": AuditRecord.objects.count(),
    }


@pytest.fixture
def state():
    return forms_state


@pytest.fixture
def administrator(tree, make_officer):
    """An administrator placed at the province, the root: form.manage over the whole tree."""
    return make_officer("administrator", tree["province"], username="quantri_tinh")


@pytest.fixture
def commune_administrator(tree, make_officer):
    """An administrator of a commune only: form.manage over a subtree, not the whole province."""
    return make_officer("administrator", tree["commune"], username="quantri_xa")


@pytest.fixture
def specialist(tree, make_officer):
    return make_officer("specialist", tree["justice_div"], username="chuyenvien")


@pytest.fixture
def receiving_officer(tree, make_officer):
    return make_officer("receiving_officer", tree["justice_desk"], username="tiepnhan")
