"""Public statistics: exact counts per agency for a period, on time vs late, the online share."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from egov.dossiers import services, statistics
from egov.dossiers.models import Dossier
from egov.dossiers.tests.conftest import MONDAY_9, applicant, components_all


@pytest.fixture
def three(world, officers, monkeypatch):
    """Three dossiers received on Monday 1/3/2027: one finished on time, one finished late, one open."""
    clock = {"now": MONDAY_9}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    codes = [
        services.receive_dossier(
            by=officers["desk"],
            procedure=world["procedure"],
            agency=world["justice"],
            channel=1,
            applicant=applicant(),
            components=components_all(world["procedure"]),
        ).code
        for _ in range(3)
    ]
    Dossier.objects.filter(code=codes[0]).update(status=9, finished_at=MONDAY_9 + timedelta(days=1))
    Dossier.objects.filter(code=codes[1]).update(status=10, finished_at=MONDAY_9 + timedelta(days=5))
    Dossier.objects.filter(code=codes[2]).update(channel=2)
    clock["now"] = MONDAY_9 + timedelta(days=10)  # the open one is now overdue
    return codes


def test_counts_per_agency_are_exact(three, world):
    (row,) = statistics.by_agency(date(2027, 3, 1), date(2027, 3, 31))
    assert (row.label, row.received, row.finished, row.on_time, row.late, row.open_overdue, row.online) == (
        "Sở Tư pháp",
        3,
        2,
        1,
        1,
        1,
        1,
    )
    assert (row.on_time_rate, row.online_share) == (50.0, 33.3)


def test_another_period_has_nothing(three):
    assert statistics.by_agency(date(2027, 4, 1), date(2027, 4, 30)) == []


def test_the_public_page_shows_the_figures_by_field_without_personal_data(client, three, world):
    page = client.get("/thong-ke/", {"tu": "2027-03-01", "den": "2027-03-31", "theo": "linh-vuc"}).content.decode()
    assert "Chứng thực" in page and "50,0%" in page  # Vietnamese decimal comma
    assert "Nguyễn Văn An" not in page


def test_a_bad_period_is_explained(client, three):
    response = client.get("/thong-ke/", {"tu": "2027-03-31", "den": "2027-03-01"})
    assert response.status_code == 400
    assert "Khoảng thời gian không hợp lệ" in response.content.decode()


def test_digitised_and_reused_shares_count_dossiers_not_files(three, world, officers):
    from egov.dossiers.models import DossierComponent, DossierFile

    first, second, _third = (Dossier.objects.get(code=c) for c in three)
    for dossier, reused in ((first, False), (first, True), (second, False)):
        component = DossierComponent.objects.filter(dossier=dossier).first()
        DossierFile.objects.create(
            component=component,
            file="x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            reused=reused,
            reused_from="document:1" if reused else "",
        )

    (row,) = statistics.by_agency(date(2027, 3, 1), date(2027, 3, 31))
    assert (row.digitised, row.reused) == (2, 1)  # the first dossier has two files: counted once
    assert (row.digitised_share, row.reuse_share) == (66.7, 33.3)
    (by_field,) = statistics.by_field(date(2027, 3, 1), date(2027, 3, 31))
    assert (by_field.digitised, by_field.reused) == (2, 1)
    assert statistics.totals([row]).reused == 1
