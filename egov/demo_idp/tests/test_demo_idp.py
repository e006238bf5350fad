"""The stand-in VNeID: off unless switched on, its sign-in page, and the consent page's identity."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.demo_idp.identities import IDENTITIES, by_username
from egov.demo_idp.keys import load_or_create_signing_key
from egov.demo_idp.services import ensure_demo_client
from egov.demo_idp.views import SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_idp(settings, tmp_path):
    settings.EGOV_DEMO_IDP = True
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": load_or_create_signing_key(tmp_path / "key.pem"),
    }
    ensure_demo_client()


AUTHORIZE = (
    "/demo-vneid/authorize/?response_type=code&client_id=egov-demo-portal&scope=openid+profile"
    "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Foidc%2Fcallback%2F&state=s1&nonce=n1"
    "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
)


@pytest.mark.parametrize(
    "path", ["/demo-vneid/dang-nhap/", "/demo-vneid/.well-known/openid-configuration", "/demo-vneid/token/"]
)
def test_every_page_is_404_unless_the_demo_provider_is_on(client, settings, path):
    settings.EGOV_DEMO_IDP = False

    assert client.get(path).status_code == 404


def test_the_key_is_made_once_private_and_reused(tmp_path):
    path = tmp_path / "demo-vneid" / "signing-key.pem"

    first = load_or_create_signing_key(path)

    assert first.startswith("-----BEGIN PRIVATE KEY-----")
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_signing_key(path) == first


def test_the_discovery_document_names_the_endpoints_under_demo_vneid(client, demo_idp):
    document = client.get("/demo-vneid/.well-known/openid-configuration").json()

    assert document["issuer"] == "http://testserver/demo-vneid"
    assert document["authorization_endpoint"] == "http://testserver/demo-vneid/authorize/"
    assert document["token_endpoint"] == "http://testserver/demo-vneid/token/"
    assert document["jwks_uri"] == "http://testserver/demo-vneid/.well-known/jwks.json"
    assert "RS256" in document["id_token_signing_alg_values_supported"]


def test_the_authorize_page_asks_to_sign_in_at_the_stand_in_first(client, demo_idp):
    response = client.get(AUTHORIZE)

    assert response.status_code == 302
    assert response["Location"].startswith("/demo-vneid/dang-nhap/?next=/demo-vneid/authorize/")


@pytest.mark.parametrize(
    ("number", "password", "errors"),
    [
        ("", "", {"identity_number": "Nhập số định danh cá nhân (12 chữ số).", "password": "Nhập mật khẩu."}),
        (
            "001099000000",
            "DemoEgov@2026",
            {"identity_number": "Số định danh cá nhân này không có trong VNeID mô phỏng."},
        ),
        ("037190000123", "sai", {"password": "Mật khẩu không đúng."}),
    ],
)
def test_a_wrong_sign_in_is_refused_next_to_the_field(client, demo_idp, number, password, errors):
    response = client.post("/demo-vneid/dang-nhap/", {"identity_number": number, "password": password})

    assert response.status_code == 422
    assert response.context["errors"] == errors
    assert SESSION_KEY not in client.session


def test_the_consent_page_is_for_the_identity_signed_in_at_the_stand_in_not_the_portal_account(
    client, demo_idp, make_officer, tree
):
    # The browser is also signed in to the portal as an officer: the provider must not use that account.
    client.force_login(make_officer("specialist", tree["justice_div"], username="chuyenvien"))
    response = client.post(
        "/demo-vneid/dang-nhap/", {"identity_number": "037 190 000 123", "password": "DemoEgov@2026", "next": AUTHORIZE}
    )
    assert (response.status_code, response["Location"]) == (302, AUTHORIZE)

    page = client.get(AUTHORIZE)

    assert page.status_code == 200
    assert page.context["identity"] == IDENTITIES[0]
    html = page.content.decode()
    assert "Đang đăng nhập: Nguyễn Thị Hồng (số định danh 037190000123)." in html


def test_a_redirect_elsewhere_after_sign_in_is_not_followed(client, demo_idp):
    response = Client().post(
        "/demo-vneid/dang-nhap/",
        {"identity_number": "037190000123", "password": "DemoEgov@2026", "next": "https://evil.example/"},
    )

    assert response.status_code == 200
    assert "Đã đăng nhập VNeID (mô phỏng)" in response.content.decode()


def test_claims_carry_the_identity_number_and_a_stable_opaque_subject():
    identity = by_username("demo-vneid-037092008888")

    assert identity.claims() == {
        "sub": identity.subject,
        "name": "Vũ Minh Khoa",
        "identity_number": "037092008888",
        "birthdate": "1992-09-03",
        "phone_number": "0977123456",
    }
    assert identity.subject.startswith("vneid-demo-") and "037092008888" not in identity.subject
