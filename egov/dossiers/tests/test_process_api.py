"""Administrators version internal processes through the API; dossiers keep the version they started with."""

from __future__ import annotations

import pytest
from django.utils import timezone

from egov.dossiers import services
from egov.dossiers.models import Dossier, ProcessDefinition
from egov.dossiers.tests.conftest import MONDAY_9, applicant, components_all

URL = "/api/v1/processes"


def body(world, hours=(4, 8, 4), activate=True):
    return {
        "procedure": world["procedure"].code,
        "agency": "H98.101",
        "activate": activate,
        "steps": [
            {
                "name": "Tiếp nhận",
                "agency": "H98.101",
                "unit": "H98.101.01",
                "role": "receiving_officer",
                "hours": hours[0],
            },
            {"name": "Thẩm định", "agency": "H98.101", "unit": "H98.101.02", "role": "specialist", "hours": hours[1]},
            {"name": "Phê duyệt", "agency": "H98.101", "unit": "H98.101", "role": "agency_leader", "hours": hours[2]},
        ],
    }


def test_an_administrator_publishes_a_new_version_and_old_dossiers_keep_theirs(
    client, world, officers, admin_user, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_9)
    old = services.receive_dossier(
        by=officers["desk"],
        procedure=world["procedure"],
        agency=world["justice"],
        channel=1,
        applicant=applicant(),
        components=components_all(world["procedure"]),
    )
    client.force_login(admin_user)

    response = client.post(URL, body(world), content_type="application/json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["version"], data["state"], [s["order"] for s in data["steps"]]) == (2, "active", [1, 2, 3])
    assert ProcessDefinition.objects.get(pk=world["process"].pk).state == "retired"
    assert Dossier.objects.get(pk=old.pk).process_id == world["process"].pk
    new = services.receive_dossier(
        by=officers["desk"],
        procedure=world["procedure"],
        agency=world["justice"],
        channel=1,
        applicant=applicant(),
        components=components_all(world["procedure"]),
    )
    assert new.process_id == data["id"]


def test_shares_that_do_not_add_up_to_the_legal_time_are_refused(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, body(world, hours=(4, 4, 4)), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "steps",
            "message": "Tổng thời gian các bước (12 giờ) phải bằng thời gian giải quyết theo quy định (16 giờ).",
        }
    ]
    assert ProcessDefinition.objects.count() == 1


@pytest.mark.parametrize("who", ["specialist", "leader"])
def test_only_administrators_edit_processes(client, world, officers, who):
    client.force_login(officers[who])
    assert client.post(URL, body(world), content_type="application/json").status_code == 403
    assert ProcessDefinition.objects.count() == 1
