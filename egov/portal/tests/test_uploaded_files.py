"""Uploaded file names: the platform names the stored file after its detected type; the client's
name is only a cleaned label (issue #9, defects 1 and 3)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from django.conf import settings

from egov.core.uploads import clean_label
from egov.dossiers.models import Dossier, DossierFile
from egov.dossiers.tests.conftest import valid_pdf
from egov.portal.tests.conftest import pdf

pytestmark = pytest.mark.django_db

# A well-formed PDF (uploads must open in pyHanko) that also reads as HTML to a sniffing browser.
POLYGLOT = valid_pdf("<html><script>alert(document.cookie)</script></html>")


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


# --- serving: only through views that check who may see the file (defect 2) ----------------------


def _submitted_file(client, world, name="giay-to.pdf", content=None):
    response = _submit(client, world, [(name, content or pdf("tep"))], key="ten-tep-0003")
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get()
    return dossier, DossierFile.objects.exclude(original_name="cd.pdf").get()


def test_a_stored_file_is_not_served_from_its_media_address(client, signed_in, world):
    dossier, stored = _submitted_file(signed_in, world)
    signed_in.logout()

    assert client.get(f"/media/{stored.file.name}").status_code == 404
    assert client.get(f"/{settings.MEDIA_URL}{stored.file.name}").status_code == 404


def test_the_applicant_and_the_receiving_officer_open_the_file_inline_with_safe_headers(
    client, signed_in, world, officers
):
    dossier, stored = _submitted_file(signed_in, world, name="Hợp đồng mua bán.pdf")
    url = f"/ho-so/{dossier.code}/tep/{stored.pk}/"
    assert url in signed_in.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()

    mine = signed_in.get(url)

    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == pdf("tep")
    assert mine["Content-Type"] == "application/pdf"
    assert mine["Content-Disposition"] == (
        'inline; filename="Hop dong mua ban.pdf"; '
        "filename*=utf-8''H%E1%BB%A3p%20%C4%91%E1%BB%93ng%20mua%20b%C3%A1n.pdf"
    )
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert mine["Content-Security-Policy"].startswith("default-src 'none'")
    assert mine["Cache-Control"] == "private, no-store"

    client.force_login(officers["desk"])
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert f'href="{url}">Hợp đồng mua bán.pdf</a>' in page
    theirs = client.get(url)
    assert theirs.status_code == 200 and b"".join(theirs.streaming_content) == pdf("tep")


def test_a_polyglot_is_served_as_pdf_never_as_html(client, signed_in, world, officers):
    dossier, stored = _submitted_file(signed_in, world, name="poly.html", content=POLYGLOT)
    client.force_login(officers["desk"])

    response = client.get(f"/ho-so/{dossier.code}/tep/{stored.pk}/")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="poly.html.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_office_file_is_a_sandboxed_download(client, signed_in, world, officers):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    dossier, stored = _submitted_file(signed_in, world, name="to-khai.docx", content=buffer.getvalue())

    response = signed_in.get(f"/ho-so/{dossier.code}/tep/{stored.pk}/")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == 'attachment; filename="to-khai.docx"'
    assert response["Content-Security-Policy"].endswith("; sandbox")


def test_another_citizen_and_another_agencys_officer_are_told_the_file_does_not_exist(
    client, signed_in, world, officers, other_citizen
):
    dossier, stored = _submitted_file(signed_in, world)
    url = f"/ho-so/{dossier.code}/tep/{stored.pk}/"
    signed_in.logout()

    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(other_citizen)
    assert client.get(url).status_code == 404
    client.force_login(officers["other_desk"])
    assert client.get(url).status_code == 404
    # A file of another dossier under a dossier the officer may see: not found either.
    client.force_login(officers["desk"])
    assert client.get(f"/ho-so/{dossier.code}/tep/{stored.pk + 1000}/").status_code == 404


def test_with_an_accel_prefix_the_web_server_sends_the_file(client, signed_in, world, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/_media_internal/"
    dossier, stored = _submitted_file(signed_in, world)

    response = signed_in.get(f"/ho-so/{dossier.code}/tep/{stored.pk}/")

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_media_internal/{stored.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_personal_store_download_uses_the_same_headers(signed_in, citizen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.portal.models import PersonalDocument

    signed_in.post("/ca-nhan/kho-du-lieu/", {"name": "Ảnh", "file": SimpleUploadedFile("../anh.html", POLYGLOT)})
    doc = PersonalDocument.objects.get()

    response = signed_in.get(f"/ca-nhan/kho-du-lieu/{doc.pk}/tai-ve/")

    assert doc.original_name == "anh.html.pdf" and doc.file.name.endswith(".pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_submission_that_fails_after_its_files_were_written_leaves_no_file_behind(signed_in, world, monkeypatch):
    from egov.portal import services

    def _fail(*args, **kwargs):
        raise RuntimeError("the store is down")

    monkeypatch.setattr(services, "_keep_in_store", _fail)
    signed_in.raise_request_exception = False
    media = Path(settings.MEDIA_ROOT)
    before = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []

    response = _submit(signed_in, world, [("a.pdf", pdf("a"))], key="hong-giua-chung-0001")

    assert response.status_code == 500
    assert Dossier.objects.count() == 0
    assert (sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []) == before
