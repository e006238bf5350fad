"""Mẫu 05 (control slip from the recorded hand-overs) and Mẫu 06 (the register as Excel)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from egov.dossiers import services
from egov.dossiers.tests.conftest import MONDAY_9, applicant, components_all


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
    services.forward(by=officers["desk"], dossier=received.code, note="Đủ")
    return received


def test_control_slip_is_a_signed_pdf_with_the_hand_over(client, officers, dossier):
    from egov.signing.services import validate_pdf

    client.force_login(officers["specialist"])
    response = client.get(f"/can-bo/ho-so/{dossier.code}/phieu-kiem-soat.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    (report,) = validate_pdf(response.content)
    assert (report.intact, report.valid, report.trusted) == (True, True, True)


def test_control_slip_is_not_for_officers_of_other_agencies(client, officers, dossier):
    client.force_login(officers["other_desk"])
    assert client.get(f"/can-bo/ho-so/{dossier.code}/phieu-kiem-soat.pdf").status_code == 404


def test_register_lists_the_period_s_dossiers_in_excel(client, officers, dossier):
    client.force_login(officers["leader"])
    response = client.get("/can-bo/so-theo-doi/", {"tu": "2027-03-01", "den": "2027-03-31"})

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    row = next(r for r in values if dossier.code in r)
    assert "Nguyễn Văn An" in row
    assert "Chứng thực hợp đồng, giao dịch liên quan đến tài sản" in row


def test_register_of_another_period_is_empty_and_bad_dates_are_explained(client, officers, dossier):
    client.force_login(officers["leader"])
    sheet = load_workbook(
        BytesIO(client.get("/can-bo/so-theo-doi/", {"tu": "2027-04-01", "den": "2027-04-30"}).content)
    ).active
    assert not any(dossier.code in row for row in sheet.iter_rows(values_only=True))

    response = client.get("/can-bo/so-theo-doi/", {"tu": "2027-04-30", "den": "2027-04-01"})
    assert response.status_code == 400
    assert "ngày kết thúc sau ngày bắt đầu" in response.content.decode()


def test_the_receiving_officer_s_register_lists_what_the_desk_received(client, officers, dossier):
    client.force_login(officers["desk"])
    response = client.get("/can-bo/so-theo-doi/", {"tu": "2027-03-01", "den": "2027-03-31"})
    sheet = load_workbook(BytesIO(response.content)).active
    assert any(dossier.code in row for row in sheet.iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [
        ("10.00", "working_days", "10 ngày làm việc"),
        ("7.5", "working_hours", "7,5 giờ làm việc"),
        ("30", "calendar_days", "30 ngày"),
    ],
)
def test_the_legal_time_is_written_the_vietnamese_way(dossier, monkeypatch, amount, unit, text):
    from decimal import Decimal

    from egov.dossiers import documents

    monkeypatch.setattr(
        documents.catalogue, "duration_under", lambda version, procedure, channel: (Decimal(amount), unit)
    )
    assert documents.legal_time_text(dossier) == text


def test_a_finished_dossier_waits_in_the_desk_s_worklist_but_is_never_overdue(officers, dossier, monkeypatch):
    from datetime import timedelta

    from egov.dossiers.models import Dossier
    from egov.dossiers.selectors import Worklist, worklist
    from egov.dossiers.statuses import Status

    for who in ("specialist", "partner", "leader", "desk"):
        services.forward(by=officers[who], dossier=dossier.code)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.DONE

    rows, _ = worklist(user=officers["desk"], kind=Worklist.UNIT)
    assert [d.code for d in rows] == [dossier.code]
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_9 + timedelta(days=30))
    assert worklist(user=officers["desk"], kind=Worklist.OVERDUE)[0] == []


def test_the_home_page_lists_the_most_requested_procedures(client, dossier, world):
    page = client.get("/").content.decode()
    assert world["procedure"].name in page
