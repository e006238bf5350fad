"""Vietnamese by default, English on request, and the committed catalogues are complete and compiled."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))


def test_there_is_an_english_catalogue():
    assert [p.parts[-3] for p in CATALOGUES] == ["en"]


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    # Keyed with the context too: one Vietnamese word can be a status in one place and an action in another.
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    expected = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in po.translated_entries()}
    assert {k: compiled.get(k) for k in expected} == expected, "run `make messages` to recompile"


@pytest.mark.django_db
def test_pages_are_vietnamese_whatever_the_browser_asks(client):
    response = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
    assert "<h1>Đăng nhập</h1>" in response.content.decode()


@pytest.mark.django_db
def test_english_when_the_user_chooses_it(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    assert response.status_code == 302
    page = client.get("/dang-nhap/").content.decode()
    assert '<html lang="en">' in page
    assert "<h1>Sign in</h1>" in page
    assert '<label class="usa-label" for="id_password">Password</label>' in page
