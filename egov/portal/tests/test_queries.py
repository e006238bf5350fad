"""Query counts of the citizen's busy pages and API: they do not grow with the number of dossiers,
files or stored documents, and stay at the values below (each one explained)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.dossiers.models import DossierFile
from egov.dossiers.services import UploadInput
from egov.portal import services
from egov.portal.tests.conftest import files_for, pdf, submit

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.fixture
def signed_in(client, citizen, clock):
    client.force_login(citizen)
    client.get("/ca-nhan/ho-so/")  # the first request of a session also settles its second factor
    return client


def _submit_more(world, citizen, clock, n: int, start: int) -> list[str]:
    codes = []
    for i in range(start, start + n):
        clock.now = clock.now + timedelta(minutes=1)
        codes.append(submit(world, citizen, key=f"dem-truy-van-{i:04d}")[0].code)
    return codes


def test_my_dossiers_page_and_api_cost_the_same_for_1_and_6_dossiers(signed_in, world, citizen, clock):
    _submit_more(world, citizen, clock, 1, 0)
    one = {"page": _count(signed_in, "/ca-nhan/ho-so/"), "api": _count(signed_in, "/api/v1/portal/dossiers")}
    _submit_more(world, citizen, clock, 5, 1)
    six = {"page": _count(signed_in, "/ca-nhan/ho-so/"), "api": _count(signed_in, "/api/v1/portal/dossiers")}

    assert one == six
    # Both: session, user, the page of dossiers (with procedure and agency), and the sliding session
    # expiry (savepoint, update, release). The page adds the drafts and the layout's back-office check.
    assert six == {"page": 8, "api": 6}


def test_the_dossier_page_and_api_do_not_grow_with_the_files(signed_in, world, citizen, clock):
    few, _ = submit(world, citizen, key="it-tep-000001")
    many, _ = submit(world, citizen, key="nhieu-tep-0001", components=files_for(world["procedure"], which={0, 1, 2}))
    assert DossierFile.objects.filter(component__dossier=many).count() == 3
    assert DossierFile.objects.filter(component__dossier=few).count() == 2

    counts = {
        code: (_count(signed_in, f"/ca-nhan/ho-so/{code}/"), _count(signed_in, f"/api/v1/portal/dossiers/{code}"))
        for code in (few.code, many.code)
    }

    assert counts[few.code] == counts[many.code]
    # Both: session, user, the dossier, its tasks, components, files, issued forms, results, and the
    # sliding session expiry (3). The page adds the history (events), the back-office check and the
    # online application (the form's answers).
    assert counts[few.code] == (14, 11)


def test_the_store_page_costs_the_same_for_1_and_6_documents(signed_in, citizen, clock):
    def add(i):
        services.add_personal_document(by=citizen, name=f"Giấy tờ {i}", upload=UploadInput(f"g{i}.pdf", pdf(f"g{i}")))

    add(0)
    one = _count(signed_in, "/ca-nhan/kho-du-lieu/")
    for i in range(1, 6):
        add(i)
    six = _count(signed_in, "/ca-nhan/kho-du-lieu/")

    assert one == six
    # Session, user, the documents, the signed results, the back-office check, the sliding session (3).
    assert six == 8


def test_the_application_form_and_the_home_page(signed_in, client, world, citizen, clock):
    apply = _count(signed_in, f"/nop-ho-so/{world['procedure'].code}/")
    signed_in.logout()
    _submit_more(world, citizen, clock, 3, 0)
    home = _count(client, "/")

    # The form: session, user, procedure, draft, the form version (twice: the active one for the page
    # and for the schema), profile, store documents, results, components, agencies, fees, the
    # back-office check, the sliding session (3). The home page for a visitor: the dossier counts per
    # procedure, those procedures, and the top-up with other active procedures.
    assert (apply, home) == (16, 3)
