"""Result documents: attached as PDF, signed with the handling agency's key, downloadable."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone
from weasyprint import HTML

from egov.audit.models import AuditRecord
from egov.dossiers import services
from egov.dossiers.models import DossierResult
from egov.dossiers.tests.conftest import MONDAY_9, applicant, components_all


@pytest.fixture
def result_pdf():
    return HTML(string="<h1>Hợp đồng đã được chứng thực</h1>").write_pdf()


@pytest.fixture
def dossier(world, officers, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_9)
    received = services.receive_dossier(
        by=officers["desk"],
        procedure=world["procedure"],
        agency=world["justice"],
        channel=1,
        applicant=applicant(),
        components=components_all(world["procedure"]),
    )
    services.forward(by=officers["desk"], dossier=received.code)
    return received


def test_the_specialist_attaches_a_result_signed_by_the_agency(client, officers, dossier, result_pdf, world):
    from egov.signing.services import validate_pdf

    client.force_login(officers["specialist"])
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/results",
        {
            "name": "Hợp đồng được chứng thực",
            "file": {"name": "ket-qua.pdf", "content_base64": base64.b64encode(result_pdf).decode()},
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    stored = DossierResult.objects.get(dossier=dossier)
    (report,) = validate_pdf(stored.pdf.read())
    assert (report.intact, report.valid, report.trusted) == (True, True, True)
    assert report.signer_organisation == world["justice"].name
    assert AuditRecord.objects.filter(action="dossier.attach_result", target_id=str(dossier.pk)).count() == 1
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Hợp đồng được chứng thực" in page
    assert client.get(response.json()["url"]).status_code == 200


def test_a_result_that_is_not_a_pdf_is_refused_and_nothing_is_stored(client, officers, dossier):
    client.force_login(officers["specialist"])
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/results",
        {"name": "Kết quả", "file": {"name": "ket-qua.pdf", "content_base64": base64.b64encode(png).decode()}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "Kết quả điện tử phải là tệp PDF để ký số."}]
    assert not DossierResult.objects.exists()


def test_officers_of_another_agency_cannot_attach_results(client, officers, dossier, result_pdf):
    client.force_login(officers["other_desk"])
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/results",
        {"name": "Kết quả", "file": {"name": "kq.pdf", "content_base64": base64.b64encode(result_pdf).decode()}},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not DossierResult.objects.exists()
