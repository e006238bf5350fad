"""The stand-in's CSC API v2 as a client sees it on the wire (Django's test client): OAuth 2.0 client
credentials, credentials/list, credentials/info, explicit authorisation with the PIN, and signHash
checking the SAD and the hashes. Every refusal is a CSC error object."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from django.urls import Resolver404, resolve
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.core.errors import ValidationFailed
from egov.demo_csc import services
from egov.demo_csc.models import Authorization
from egov.demo_csc.tests.conftest import CLIENT_ID, CLIENT_SECRET, PIN

BASE = "/demo-csc/csc/v2/"
SHA256 = services.SHA256_OID
SHA256_RSA = "1.2.840.113549.1.1.11"


def _hash(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode("ascii")


@pytest.fixture
def token(client, routed) -> str:
    answer = client.post(
        f"{BASE}oauth2/token",
        {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert answer["Cache-Control"] == "no-store"
    return body["access_token"]


@pytest.fixture
def call(client, token):
    """``call(endpoint, body)`` -> (status, JSON answer), with the bearer token."""

    def post(endpoint: str, body: dict, *, bearer: str | None = token):
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        answer = client.post(
            f"{BASE}{endpoint}", data=json.dumps(body), content_type="application/json", headers=headers
        )
        return answer.status_code, answer.json()

    return post


def _authorize(call, credential_id: str, hashes_: list[str], *, pin: str = PIN, num: int | None = None):
    return call(
        "credentials/authorize",
        {
            "credentialID": credential_id,
            "numSignatures": len(hashes_) if num is None else num,
            "hashes": hashes_,
            "hashAlgorithmOID": SHA256,
            "PIN": pin,
        },
    )


def _sign(call, credential_id: str, sad: str, hashes_: list[str]):
    return call(
        "signatures/signHash",
        {
            "credentialID": credential_id,
            "SAD": sad,
            "hashes": hashes_,
            "hashAlgorithmOID": SHA256,
            "signAlgo": SHA256_RSA,
            "operationMode": "S",
        },
    )


# --- OAuth 2.0 and the bearer token --------------------------------------------------------------------


def test_the_token_endpoint_refuses_a_wrong_secret_and_other_grants(client, routed):
    wrong = client.post(
        f"{BASE}oauth2/token", {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "sai"}
    )
    grant = client.post(f"{BASE}oauth2/token", {"grant_type": "password", "client_id": CLIENT_ID})
    method = client.get(f"{BASE}oauth2/token")

    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    assert (method.status_code, method["Allow"]) == (405, "POST")


def test_the_token_endpoint_accepts_http_basic_client_authentication(client, routed):
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()

    answer = client.post(
        f"{BASE}oauth2/token", {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )

    assert answer.status_code == 200
    assert services.check_token(answer.json()["access_token"]) == CLIENT_ID


def test_the_api_answers_only_a_valid_bearer_token(call, enrolled):
    body = {"credentialID": enrolled.credential_id}

    assert call("credentials/info", body, bearer=None) == (
        401,
        {"error": "invalid_token", "error_description": "Missing bearer token"},
    )
    assert call("credentials/info", body, bearer="gia-mao")[0] == 401
    assert call("credentials/info", body)[0] == 200


def test_info_needs_no_token_and_names_the_methods(client, routed):
    answer = client.post(f"{BASE}info", data="{}", content_type="application/json")

    body = answer.json()
    assert answer.status_code == 200
    assert body["specs"] == "2.0.0.2"
    assert body["authType"] == ["oauth2client"]
    assert body["oauth2"] == f"http://testserver{BASE}"
    assert "signatures/signHash" in body["methods"]


def test_a_body_that_is_not_json_is_an_invalid_request(client, token):
    answer = client.post(
        f"{BASE}credentials/list",
        data="{khong",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_request", "error_description": "The request body is not JSON"}


# --- Credentials ------------------------------------------------------------------------------------


def test_credentials_list_pages_by_credential_id(call, officer, pki_dir):
    made = sorted(
        services.enrol_remote_signer(user=officer, title="Giám đốc", agency_name="Sở Tư pháp", pin=PIN).credential_id
        for _ in range(3)
    )

    status, first = call("credentials/list", {"userID": str(officer.pk), "maxResults": 2})
    _, second = call(
        "credentials/list", {"userID": str(officer.pk), "maxResults": 2, "pageToken": first["nextPageToken"]}
    )

    assert status == 200
    assert first == {"credentialIDs": made[:2], "nextPageToken": made[1]}
    assert second == {"credentialIDs": made[2:]}


def test_credentials_info_describes_an_explicit_pin_credential_with_its_chain(call, enrolled):
    status, body = call(
        "credentials/info", {"credentialID": enrolled.credential_id, "certificates": "chain", "certInfo": True}
    )
    _, none = call("credentials/info", {"credentialID": enrolled.credential_id, "certificates": "none"})

    assert status == 200
    assert body["key"] == {"status": "enabled", "algo": [SHA256_RSA, "1.2.840.113549.1.1.1"], "len": 2048}
    assert body["auth"]["mode"] == "explicit"
    assert (body["SCAL"], body["multisign"]) == ("2", services.MAX_SIGNATURES)
    certificates = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in body["cert"]["certificates"]]
    assert len(certificates) == 2
    assert certificates[0].subject.rfc4514_string() == body["cert"]["subjectDN"]
    assert certificates[1].subject == certificates[0].issuer
    assert none["cert"]["certificates"] == []


# --- Authorisation and signing -----------------------------------------------------------------------


def test_the_right_pin_gives_a_sad_for_five_minutes_and_the_signature_verifies(call, enrolled):
    digest = _hash("văn bản")

    status, authorized = _authorize(call, enrolled.credential_id, [digest])
    signed_status, signed = _sign(call, enrolled.credential_id, authorized["SAD"], [digest])

    assert (status, authorized["expiresIn"]) == (200, 300)
    assert signed_status == 200
    certificate = x509.load_pem_x509_certificate(enrolled.certificate_pem.encode())
    certificate.public_key().verify(
        base64.b64decode(signed["signatures"][0]),
        base64.b64decode(digest),
        padding.PKCS1v15(),
        utils.Prehashed(hashes.SHA256()),
    )


def test_a_wrong_pin_is_invalid_pin_and_gives_no_sad(call, enrolled):
    assert _authorize(call, enrolled.credential_id, [_hash("a")], pin="0000") == (
        400,
        {"error": "invalid_pin", "error_description": "The PIN is invalid"},
    )
    assert Authorization.objects.count() == 0


def test_authorize_refuses_a_hash_count_other_than_num_signatures(call, enrolled):
    status, body = _authorize(call, enrolled.credential_id, [_hash("a")], num=2)
    too_many = _authorize(call, enrolled.credential_id, [_hash(str(n)) for n in range(services.MAX_SIGNATURES + 1)])
    short_hash = _authorize(call, enrolled.credential_id, [base64.b64encode(b"ngan").decode()])

    assert (status, body["error"]) == (400, "invalid_request")
    assert body["error_description"] == "The number of hashes differs from numSignatures"
    assert too_many[0] == 400
    assert short_hash[0] == 400
    assert Authorization.objects.count() == 0


def test_sign_hash_refuses_more_hashes_than_the_sad_allows(call, enrolled):
    _, authorized = _authorize(call, enrolled.credential_id, [_hash("a")])

    status, body = _sign(call, enrolled.credential_id, authorized["SAD"], [_hash("a"), _hash("a")])

    assert (status, body) == (
        400,
        {"error": "invalid_request", "error_description": "More hashes than the SAD authorizes"},
    )
    assert Authorization.objects.get().remaining == 1


def test_sign_hash_signs_only_the_hashes_authorised_and_only_as_many_times(call, enrolled):
    first, second = _hash("một"), _hash("hai")
    _, authorized = _authorize(call, enrolled.credential_id, [first, second])
    sad = authorized["SAD"]

    other = _sign(call, enrolled.credential_id, sad, [_hash("khác")])
    once = _sign(call, enrolled.credential_id, sad, [first])
    again = _sign(call, enrolled.credential_id, sad, [first])
    last = _sign(call, enrolled.credential_id, sad, [second])
    spent = _sign(call, enrolled.credential_id, sad, [second])

    assert other == (400, {"error": "invalid_request", "error_description": "A hash was not authorized by the SAD"})
    assert once[0] == 200
    assert again[0] == 400
    assert last[0] == 200
    assert spent == (400, {"error": "invalid_request", "error_description": "More hashes than the SAD authorizes"})


def test_an_expired_sad_is_refused(call, enrolled):
    digest = _hash("a")
    _, authorized = _authorize(call, enrolled.credential_id, [digest])
    Authorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert _sign(call, enrolled.credential_id, authorized["SAD"], [digest]) == (
        400,
        {"error": "invalid_request", "error_description": "SAD expired"},
    )


def test_a_sad_works_only_for_its_own_credential(call, enrolled, officer):
    other = services.enrol_remote_signer(user=officer, title="Giám đốc", agency_name="Sở Tư pháp", pin=PIN)
    digest = _hash("a")
    _, authorized = _authorize(call, enrolled.credential_id, [digest])

    assert _sign(call, other.credential_id, authorized["SAD"], [digest]) == (
        400,
        {"error": "invalid_request", "error_description": "Invalid parameter SAD"},
    )


# --- Enrolment and mounting ----------------------------------------------------------------------------


def test_enrolment_keeps_the_key_encrypted_and_the_pin_hashed_and_is_audited(enrolled):
    from cryptography.hazmat.primitives import serialization

    with pytest.raises(TypeError):  # "Password was not given but private key is encrypted"
        serialization.load_pem_private_key(enrolled.key_pem.encode(), password=None)
    assert PIN not in enrolled.pin_hash
    assert enrolled.description == "Nguyễn Văn Minh — Giám đốc, Sở Tư pháp tỉnh Thử Nghiệm"
    record = AuditRecord.objects.get(action="demo_csc.enrol")
    assert record.after["credential_id"] == enrolled.credential_id
    assert record.after["user_id"] == enrolled.user_id


def test_enrolment_refuses_a_short_pin_and_a_missing_title(officer, pki_dir):
    with pytest.raises(ValidationFailed) as caught:
        services.enrol_remote_signer(user=officer, title=" ", agency_name="Sở Tư pháp", pin="12")

    assert [error.field for error in caught.value.errors] == ["pin", "title"]
    assert caught.value.errors[0].message == "Mã PIN phải có ít nhất 4 ký tự."


def test_the_site_does_not_serve_the_stand_in_without_egov_demo_csc(settings):
    # egov.urls was imported with EGOV_DEMO_CSC off, as the tests' settings have it
    assert settings.EGOV_DEMO_CSC is False
    with pytest.raises(Resolver404):
        resolve(f"{BASE}info", urlconf="egov.urls")
    assert resolve(f"{BASE}info", urlconf="egov.demo_csc.tests.urls").url_name == "info"
