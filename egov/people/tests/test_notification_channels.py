"""The citizen chooses on the account page how to hear about their dossiers: e-mail, SMS, Zalo."""

from __future__ import annotations

import pytest

from egov.audit.models import AuditRecord
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.people import selectors, services
from egov.people.models import CitizenProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def zalo_on(settings):
    settings.EGOV_ZALO_TEMPLATES = {"dossier.received": "231234"}


@pytest.fixture
def reachable(citizen):
    citizen.email, citizen.phone = "binh@example.vn", "+84912345678"
    citizen.save(update_fields=["email", "phone"])
    return citizen


def _chosen(user):
    return selectors.notification_channels(user.pk)


def test_a_new_account_gets_email_and_sms_and_no_zalo(citizen):
    assert _chosen(citizen) == ("email", "sms")


def test_a_citizen_chooses_sms_and_zalo(reachable, zalo_on):
    services.set_notification_channels(by=reachable, user=reachable, channels=["sms", "zalo"])

    assert _chosen(reachable) == ("sms", "zalo")
    event = AuditRecord.objects.get(action="person.set_notification_channels")
    assert (event.before, event.after) == (
        {"notify_by_email": True, "notify_by_sms": True, "notify_by_zalo": False},
        {"notify_by_email": False, "notify_by_sms": True, "notify_by_zalo": True},
    )


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        ([], "Chọn ít nhất một kênh nhận thông báo."),
        (["zalo"], "Kênh nhận thông báo không hợp lệ: zalo."),  # no ZNS template configured
        (["fax", "sms"], "Kênh nhận thông báo không hợp lệ: fax."),
    ],
)
def test_a_bad_choice_is_refused_and_nothing_changes(reachable, channels, message):
    with pytest.raises(ValidationFailed) as exc:
        services.set_notification_channels(by=reachable, user=reachable, channels=channels)

    assert [(e.field, e.message) for e in exc.value.errors] == [("channels", message)]
    assert _chosen(reachable) == ("email", "sms")


def test_sms_or_zalo_without_a_phone_is_refused(citizen, zalo_on):
    with pytest.raises(ValidationFailed) as exc:
        services.set_notification_channels(by=citizen, user=citizen, channels=["zalo"])

    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("channels", "Tài khoản chưa có số điện thoại để nhận thông báo qua SMS hoặc Zalo.")
    ]


def test_nobody_chooses_for_someone_else(reachable, specialist):
    with pytest.raises(PermissionDenied):
        services.set_notification_channels(by=specialist, user=reachable, channels=["sms"])

    assert _chosen(reachable) == ("email", "sms")
    assert not AuditRecord.objects.filter(action="person.set_notification_channels").exists()


def test_the_account_page_offers_zalo_only_when_configured_and_saves_the_choice(client, reachable, settings):
    client.force_login(reachable)
    settings.EGOV_ZALO_TEMPLATES = {}
    assert 'value="zalo"' not in client.get("/tai-khoan/").content.decode()

    settings.EGOV_ZALO_TEMPLATES = {"dossier.received": "231234"}
    html = client.get("/tai-khoan/").content.decode()
    assert 'id="id_channel_zalo" type="checkbox" name="channels" value="zalo">' in html
    assert 'id="id_channel_email" type="checkbox" name="channels" value="email" checked>' in html

    response = client.post("/tai-khoan/", {"action": "channels", "channels": ["zalo"]})

    assert (response.status_code, response["Location"]) == (302, "/tai-khoan/")
    profile = CitizenProfile.objects.get(user=reachable)
    assert (profile.notify_by_email, profile.notify_by_sms, profile.notify_by_zalo) == (False, False, True)


def test_the_account_page_shows_the_error_beside_the_choice(client, reachable):
    client.force_login(reachable)

    response = client.post("/tai-khoan/", {"action": "channels"})

    html = response.content.decode()
    assert response.status_code == 422
    assert '<a href="#id_channels">Chọn ít nhất một kênh nhận thông báo.</a>' in html
    assert (
        '<span class="usa-error-message" id="channels-error" role="alert">Chọn ít nhất một kênh nhận thông báo.</span>'
        in html
    )
