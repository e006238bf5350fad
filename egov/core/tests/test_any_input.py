"""Whatever a client sends — any characters in any field, header or file name — the key endpoints
never answer 5xx and never leave anything half-written (issue #9, "Bad input"). Property-based:
hypothesis draws the input; run also with DATABASE_URL set to PostgreSQL."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from egov.dossiers.models import Dossier, DossierFile
from egov.dossiers.tests.conftest import _pki_and_media, officers, world  # noqa: F401  (fixtures)
from egov.feedback.models import Feedback
from egov.portal.tests.conftest import citizen, clock, pdf  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

# Any text a client can send, NUL and control characters included; kept short so examples run fast.
# Surrogates cannot travel as UTF-8 in a URL or a form; in JSON they can (``\\ud800``): JSON_TEXT.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
JSON_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=40)
EXAMPLES = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


def _written():
    media = Path(settings.MEDIA_ROOT)
    files = sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return Dossier.objects.count(), DossierFile.objects.count(), Feedback.objects.count(), files


def _inside_media():
    media = Path(settings.MEDIA_ROOT).resolve()
    if not media.exists():
        return True
    return all(p.resolve().is_relative_to(media) for p in media.rglob("*"))


@EXAMPLES
@given(code=ANY_TEXT, q=ANY_TEXT, agent=HEADER_TEXT)
def test_lookup_and_procedure_search_never_answer_5xx(client, code, q, agent):
    headers = {"User-Agent": agent}
    for url in (
        f"/api/v1/lookup/{quote(code, safe='')}",
        f"/tra-cuu/?ma={quote(code, safe='')}",
        f"/api/v1/procedures?q={quote(q, safe='')}",
        f"/thu-tuc/?q={quote(q, safe='')}",
        f"/phan-anh/tra-cuu/?ma={quote(code, safe='')}",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code < 500, (url, response.status_code)


@EXAMPLES
@given(
    fields=st.dictionaries(
        st.sampled_from(
            ["sender_name", "phone", "email", "title", "content", "agency", "related_dossier_code", "address"]
        ),
        ANY_TEXT,
    )
)
def test_the_feedback_form_never_answers_5xx_or_half_writes(client, fields):
    before = _written()

    response = client.post("/phan-anh/", fields)

    assert response.status_code < 500
    if response.status_code != 302:
        assert _written() == before


@EXAMPLES
@given(
    name=JSON_TEXT,
    phone=JSON_TEXT,
    file_name=JSON_TEXT,
    content=st.one_of(st.binary(max_size=64), st.just(pdf("fuzz"))),
    key=HEADER_TEXT,
    matter=JSON_TEXT,
)
def test_the_submission_api_never_answers_5xx_or_half_writes(
    client,
    citizen,  # noqa: F811  (the fixture)
    world,  # noqa: F811
    name,
    phone,
    file_name,
    content,
    key,
    matter,
):
    client.force_login(citizen)
    c1, c2, _ = world["procedure"].components.order_by("order", "pk")
    body = {
        "procedure": world["procedure"].code,
        "agency": world["justice"].code,
        "applicant": {"name": name, "phone": phone},
        "data": {"matter": matter},
        "components": [
            {
                "component_id": c1.pk,
                "files": [{"name": file_name, "content_base64": base64.b64encode(content).decode()}],
            },
            {
                "component_id": c2.pk,
                "files": [{"name": "cd.pdf", "content_base64": base64.b64encode(pdf("b")).decode()}],
            },
        ],
    }
    before = _written()

    response = client.post(
        "/api/v1/portal/submissions",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )

    assert response.status_code < 500, response.content
    if response.status_code not in (200, 201):
        assert _written() == before
    assert _inside_media()


@EXAMPLES
@given(
    values=st.dictionaries(
        st.sampled_from(
            [
                "applicant_name",
                "applicant_identity",
                "phone",
                "email",
                "matter",
                "channel",
                "sets_count",
                "address",
                "submitter_name",
                "agency",
            ]
        ),
        ANY_TEXT,
    ),
    file_name=ANY_TEXT,
    content=st.one_of(st.binary(max_size=64), st.just(pdf("quay"))),
)
def test_the_reception_page_never_answers_5xx_or_half_writes(client, world, officers, values, file_name, content):  # noqa: F811
    client.force_login(officers["desk"])
    c1 = world["procedure"].components.order_by("order", "pk").first()
    form = {"procedure": world["procedure"].code, **values}
    form[f"files_{c1.pk}"] = SimpleUploadedFile(file_name or "x", content)
    form[f"provided_{c1.pk}"] = "on"
    before = _written()

    response = client.post("/can-bo/tiep-nhan/", form)

    assert response.status_code < 500, response.content[:300]
    if response.status_code != 302:
        assert _written() == before
    assert _inside_media()
