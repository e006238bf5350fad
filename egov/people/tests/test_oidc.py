"""Citizen sign-in through OpenID Connect (VNeID style), running mozilla-django-oidc's real views.

Only the two calls to the provider are replaced: the token endpoint (``requests.post``) and the
userinfo endpoint (``requests.get``).
"""

from __future__ import annotations

import hashlib
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.test import Client

from egov.audit.models import AuditRecord
from egov.people import services
from egov.people.models import CitizenProfile, User
from egov.people.tests.conftest import PASSWORD

CLIENT_ID = "dichvucong-son-nam"
CLIENT_SECRET = "bi-mat-cua-ung-dung-dichvucong-son-nam-0123456789"
PROVIDER = "https://id.example.test"
CLAIMS = {"sub": "abc", "name": "Nguyễn Văn A", "identity_number": "001099012345"}


@pytest.fixture
def oidc(settings):
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{PROVIDER}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = ""
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.EGOV_OIDC_ENABLED = True


def provider_response(payload: dict, content_type: str = "application/json") -> mock.Mock:
    response = mock.Mock(status_code=200, headers={"content-type": content_type})
    response.json.return_value = payload
    response.raise_for_status.return_value = None
    return response


def sign_in(client: Client, claims: dict, *, id_token_claims: dict | None = None):
    """Run the whole flow; return (callback response, token-endpoint mock, userinfo mock)."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    nonce = client.session["oidc_states"][state]["nonce"]
    id_token = jwt.encode(
        {
            "iss": PROVIDER,
            "aud": CLIENT_ID,
            "sub": claims.get("sub", ""),
            "nonce": nonce,
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
        }
        | (id_token_claims or {}),
        CLIENT_SECRET,
        algorithm="HS256",
    )
    token_response = provider_response({"access_token": "at-123", "id_token": id_token, "token_type": "Bearer"})
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", return_value=token_response) as post,
        mock.patch("mozilla_django_oidc.auth.requests.get", return_value=provider_response(claims)) as get,
    ):
        response = client.get("/oidc/callback/", {"code": "x", "state": state})
    return response, post, get


def test_authenticate_redirects_to_the_provider_with_state_and_nonce(oidc, db):
    client = Client()

    response = client.get("/oidc/authenticate/")

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{PROVIDER}/authorize"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (query["response_type"], query["client_id"], query["scope"], query["redirect_uri"]) == (
        "code",
        CLIENT_ID,
        "openid email profile",
        "http://testserver/oidc/callback/",
    )
    assert client.session["oidc_states"][query["state"]]["nonce"] == query["nonce"]


def test_first_sign_in_creates_a_citizen_and_signs_them_in(oidc, db):
    client = Client()

    response, post, get = sign_in(client, CLAIMS)

    # then the code was exchanged with the client credentials, and userinfo read with the token
    assert (response.status_code, response["Location"]) == (302, "/")
    assert post.call_args.args == (f"{PROVIDER}/token",)
    assert {k: post.call_args.kwargs["data"][k] for k in ("client_id", "client_secret", "code", "grant_type")} == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": "x",
        "grant_type": "authorization_code",
    }
    assert get.call_args.args == (f"{PROVIDER}/userinfo",)
    assert get.call_args.kwargs["headers"] == {"Authorization": "Bearer at-123"}

    # and a citizen account exists, without a local password, signed in
    user = User.objects.get()
    profile = CitizenProfile.objects.get(user=user)
    assert (user.username, user.full_name, user.kind, user.has_usable_password()) == (
        "vneid-" + hashlib.sha256(b"abc").hexdigest()[:16],
        "Nguyễn Văn A",
        "citizen",
        False,
    )
    assert (profile.identity_number, profile.oidc_subject) == ("001099012345", "abc")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/tai-khoan/").status_code == 200

    # and both the registration and the sign-in are in the audit trail
    assert list(AuditRecord.objects.order_by("seq").values_list("action", "actor_id", "channel")) == [
        ("person.register_citizen", user.pk, "web"),
        ("auth.login", user.pk, "web"),
    ]
    assert AuditRecord.objects.get(action="auth.login").after == {"method": "oidc"}


def test_second_sign_in_with_the_same_subject_is_the_same_citizen(oidc, db):
    sign_in(Client(), CLAIMS)
    first = User.objects.get()

    client = Client()
    response, _post, _get = sign_in(client, CLAIMS | {"name": "Nguyễn Văn A (đổi tên)"})

    assert response.status_code == 302
    assert list(User.objects.values_list("pk", flat=True)) == [first.pk]
    assert client.session["_auth_user_id"] == str(first.pk)
    assert AuditRecord.objects.filter(action="auth.login", actor=first).count() == 2
    assert AuditRecord.objects.filter(action="person.register_citizen").count() == 1


def test_a_citizen_registered_locally_is_linked_by_identity_number(oidc, citizen):
    client = Client()

    sign_in(client, CLAIMS)

    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert User.objects.count() == 1
    assert CitizenProfile.objects.get(user=citizen).oidc_subject == "abc"
    assert User.objects.get(pk=citizen.pk).check_password(PASSWORD) is True


def test_a_registration_never_verified_is_claimed_by_the_holder_proven_by_the_provider(oidc, db):
    # Someone registered the number on the portal with their own password and address, and never verified.
    services.register_account(
        kind="citizen",
        full_name="Kẻ Mạo Danh",
        identity_number="001099012345",
        email="mao.danh@example.vn",
        password="Mat-khau-mao-danh-1",
        password_confirmation="Mat-khau-mao-danh-1",
        accepted_terms=True,
    )
    client = Client()

    sign_in(client, CLAIMS)

    user = User.objects.get()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.is_active, user.email, user.phone, user.has_usable_password()) == (True, "", "", False)
    assert user.citizen_profile.oidc_subject == "abc"
    assert AuditRecord.objects.get(action="person.claim_by_oidc").before["email"] == "mao.danh@example.vn"


def test_an_account_deactivated_after_verification_is_not_reopened_by_the_provider(oidc, citizen):
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    client = Client()

    sign_in(client, CLAIMS)

    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=citizen.pk).is_active is False
    assert not AuditRecord.objects.filter(action="person.claim_by_oidc").exists()


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "abc", "name": "Nguyễn Văn A"},
        {"sub": "abc", "name": "Nguyễn Văn A", "identity_number": "12345"},
        {"sub": "abc", "name": "Nguyễn Văn A", "identity_number": "099099012345"},
        {"name": "Nguyễn Văn A", "identity_number": "001099012345"},
    ],
    ids=["no-number", "short-number", "not-a-province", "no-subject"],
)
def test_claims_without_a_valid_identity_number_refuse_sign_in(oidc, db, claims):
    client = Client()

    response, _post, _get = sign_in(client, claims)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 0
    assert not AuditRecord.objects.filter(action__in=["auth.login", "person.register_citizen"]).exists()


def test_an_identity_number_held_by_a_business_account_is_refused(oidc, db):
    services.register_citizen(
        username="hokinhdoanh",
        full_name="Hộ kinh doanh",
        password=PASSWORD,
        kind="business",
        identity_number="001099012345",
        tax_code="0101234567",
        organisation_name="Hộ kinh doanh A",
    )
    client = Client()

    sign_in(client, CLAIMS)

    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 1


def test_an_id_token_with_another_nonce_is_refused(oidc, db):
    client = Client()

    response, _post, get = sign_in(client, CLAIMS, id_token_claims={"nonce": "khac"})

    assert response.status_code == 400  # SuspiciousOperation
    assert get.call_count == 0
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 0


def test_disabled_oidc_signs_nobody_in(settings, oidc, db):
    settings.EGOV_OIDC_ENABLED = False
    client = Client()

    response, post, _get = sign_in(client, CLAIMS)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert post.call_count == 0
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 0


def test_login_page_offers_the_provider_only_when_enabled(settings, oidc, db):
    assert "Đăng nhập bằng VNeID" in Client().get("/dang-nhap/").content.decode()
    settings.EGOV_OIDC_ENABLED = False
    assert "Đăng nhập bằng VNeID" not in Client().get("/dang-nhap/").content.decode()
