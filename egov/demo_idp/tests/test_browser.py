"""A citizen signs in with the stand-in VNeID in real Chromium (issue #7, item 24): the portal's
mozilla-django-oidc talks to django-oauth-toolkit over HTTP, as it would to the real provider."""

from __future__ import annotations

import os

import pytest

from egov.demo_idp.keys import load_or_create_signing_key
from egov.demo_idp.services import ensure_demo_client

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("EGOV_SCREENSHOTS", "")


@pytest.fixture
def demo_vneid(settings, tmp_path):
    settings.EGOV_DEMO_IDP = True
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": load_or_create_signing_key(tmp_path / "key.pem"),
    }
    # What settings/__init__.py sets when EGOV_DEMO_IDP=1 (read once at start-up, so repeated here).
    settings.OIDC_RP_CLIENT_ID = settings.EGOV_DEMO_IDP_CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = settings.EGOV_DEMO_IDP_CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "/demo-vneid/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = "/demo-vneid/token/"
    settings.OIDC_OP_USER_ENDPOINT = "/demo-vneid/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = "/demo-vneid/.well-known/jwks.json"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_USE_PKCE = True
    settings.EGOV_OIDC_ENABLED = True
    ensure_demo_client()


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _sign_in_with_vneid(browser, live_server, number, *, width=1280, shots=""):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url("**/demo-vneid/dang-nhap/**")
    _shot(page, f"{shots}1-vneid-login")
    page.get_by_label("Số định danh cá nhân").fill(number)
    page.get_by_label("Mật khẩu").fill("DemoEgov@2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/demo-vneid/authorize/**")
    _shot(page, f"{shots}2-vneid-consent")
    page.get_by_role("button", name="Đồng ý").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/tai-khoan/")
    _shot(page, f"{shots}3-account")
    return context, page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_citizen_signs_in_with_vneid_and_lands_in_their_account(browser, live_server, demo_vneid):
    from egov.people import services
    from egov.people.models import CitizenProfile

    citizen = services.register_citizen(
        username="congdan", full_name="Nguyễn Thị Hồng", password="Mk-thu-nghiem-2026", identity_number="037190000123"
    )

    context, page = _sign_in_with_vneid(browser, live_server, "037190000123", shots="1280-")

    facts = page.locator("dl.facts")
    assert facts.get_by_text("congdan", exact=True).is_visible()
    assert facts.get_by_text("037190000123", exact=True).is_visible()
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.oidc_subject.startswith("vneid-demo-")
    context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_person_new_to_the_portal_gets_an_account_with_their_identity_number(browser, live_server, demo_vneid):
    from egov.people.models import CitizenProfile, User

    context, page = _sign_in_with_vneid(browser, live_server, "037092008888", width=360, shots="360-")

    assert page.locator("h1").inner_text() == "Vũ Minh Khoa"
    assert page.locator("dl.facts").get_by_text("037092008888", exact=True).is_visible()
    profile = CitizenProfile.objects.get(identity_number="037092008888")
    assert (profile.user.kind, profile.user.is_active, profile.user.has_usable_password()) == (
        User.Kind.CITIZEN,
        True,
        False,
    )
    context.close()
