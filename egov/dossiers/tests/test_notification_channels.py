"""Dossier notifications go over the channels the applicant chose on their account page."""

from __future__ import annotations

import pytest

from egov.dossiers import documents
from egov.dossiers.tests.conftest import receive
from egov.notifications.models import OutboxMessage
from egov.people import services as people

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant_account(db, settings):
    settings.EGOV_ZALO_TEMPLATES = {"dossier.result_ready": "231235"}
    user = people.register_citizen(
        username="congdan", full_name="Nguyễn Văn An", password="Mk-thu-nghiem-2026", identity_number="037090001234"
    )
    user.email, user.phone = "an@example.vn", "+84912345678"
    user.save(update_fields=["email", "phone"])
    return user


def _sent(dossier, kind):
    return sorted(
        OutboxMessage.objects.filter(reference=dossier.code, kind=kind).values_list(
            "channel", "recipient", "template_id"
        )
    )


def test_the_applicants_choice_is_respected(world, officers, applicant_account):
    dossier = receive(world, officers["desk"])
    dossier.applicant_user = applicant_account
    people.set_notification_channels(by=applicant_account, user=applicant_account, channels=["zalo"])

    documents.notify(dossier, "dossier.result_ready")

    assert _sent(dossier, "dossier.result_ready") == [("zalo", "+84912345678", "231235")]


def test_a_dossier_without_an_account_goes_by_email_and_sms(world, officers, applicant_account):
    dossier = receive(world, officers["desk"])

    documents.notify(dossier, "dossier.result_ready")

    assert _sent(dossier, "dossier.result_ready") == [("email", "an@example.vn", ""), ("sms", "+84912345678", "")]
