"""Uploaded file names: the platform names the stored file after its detected type; the client's
name is only a cleaned label (issue #9, defects 1 and 3)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from django.conf import settings

from egov.dossiers.models import Dossier, DossierFile
from egov.dossiers.uploads import clean_label
from egov.portal.tests.conftest import pdf

pytestmark = pytest.mark.django_db

POLYGLOT = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("/tmp/z.pdf", "z.pdf"),
        ("C:\\Users\\an\\giay to.pdf", "giay to.pdf"),
        ("a\x00b\x07c.pdf", "abc.pdf"),
        ("poly.html", "poly.html.pdf"),
        ("..", "tep.pdf"),
        ("", "tep.pdf"),
        ("hop\u202edong.pdf", "hopdong.pdf"),
        ("x" * 400 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_the_label_is_the_last_path_part_without_control_characters(name, label):
    assert clean_label(name, extension="pdf") == label


@pytest.fixture
def signed_in(client, citizen, clock):
    client.force_login(citizen)
    return client


def _submit(client, world, names_and_contents, key):
    c1, c2, _ = world["procedure"].components.order_by("order", "pk")
    files = [{"name": n, "content_base64": base64.b64encode(c).decode()} for n, c in names_and_contents]
    body = {
        "procedure": world["procedure"].code,
        "agency": world["justice"].code,
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
        "data": {"matter": "Chứng thực hợp đồng"},
        "components": [
            {"component_id": c1.pk, "files": files},
            {
                "component_id": c2.pk,
                "files": [{"name": "cd.pdf", "content_base64": base64.b64encode(pdf("b")).decode()}],
            },
        ],
    }
    return client.post(
        "/api/v1/portal/submissions",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_path_names_are_stored_under_a_platform_name_inside_the_media_folder(signed_in, world):
    names = ["../../x.pdf", "..\\..\\y.pdf", "/tmp/z.pdf"]
    response = _submit(signed_in, world, [(n, pdf(n)) for n in names], key="ten-tep-0001")
    assert response.status_code == 201, response.content
    stored = DossierFile.objects.exclude(original_name="cd.pdf").order_by("pk")
    assert [f.original_name for f in stored] == ["x.pdf", "y.pdf", "z.pdf"]
    media = Path(settings.MEDIA_ROOT).resolve()
    for f in stored:
        folder, _, base = f.file.name.rpartition("/")
        assert folder.startswith("dossiers/") and folder.count("/") == 2  # dossiers/<year>/<month>
        assert base.startswith(f.sha256[:16] + "-") and base.endswith(".pdf") and len(base) == 16 + 1 + 16 + 4
        assert Path(f.file.path).resolve().parent.parent.parent == media / "dossiers"


def test_a_polyglot_named_html_is_stored_and_labelled_as_the_pdf_it_is(signed_in, world):
    response = _submit(signed_in, world, [("poly.html", POLYGLOT)], key="ten-tep-0002")
    assert response.status_code == 201, response.content
    stored = DossierFile.objects.exclude(original_name="cd.pdf").get()
    assert stored.content_type == "application/pdf"
    assert stored.file.name.endswith(".pdf") and ".html" not in stored.file.name
    assert stored.original_name == "poly.html.pdf"
    assert Dossier.objects.count() == 1
