"""Fixtures for ratings and feedback: the dossiers' small world (a province calendar, the
Department of Justice with its one-stop desk) and a returned dossier."""

from __future__ import annotations

import pytest

from egov.dossiers.tests.conftest import (  # noqa: F401  (fixtures re-used from the dossiers tests)
    MONDAY_9,
    _pki_and_media,
    clock,
    officers,
    receive,
    world,
)

PHONE = "0912345678"


@pytest.fixture
def returned(world, officers, clock):  # noqa: F811  (the fixtures imported above)
    """A counter dossier (no applicant account) whose result was handed over.

    The status is set directly: the journey to status 10 is covered by the dossiers tests."""
    from egov.dossiers.models import Dossier
    from egov.dossiers.statuses import Status

    dossier = receive(world, officers["desk"], phone=PHONE)
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RETURNED, returned_at=MONDAY_9)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def citizen(db):
    from egov.people.models import User

    return User.objects.create_user(username="congdan", password="Mk-thu-nghiem-2026", kind="citizen")


def submit(**overrides):
    from egov.feedback.services import submit_feedback

    data = {
        "by": None,
        "sender_name": "Trần Thị Bình",
        "phone": "0987654321",
        "email": "binh@example.vn",
        "address": "Phường 1",
        "title": "Thời gian chờ tại Bộ phận Một cửa",
        "content": "Tôi phải chờ hơn hai giờ để được tiếp nhận hồ sơ.",
    }
    data.update(overrides)
    return submit_feedback(**data)
