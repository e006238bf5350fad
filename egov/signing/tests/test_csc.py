"""The CSC client's reading of what a service answers, and its settings. The client against a real
(stand-in) service over HTTP is tested in egov/demo_csc/tests/test_remote_signing.py."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from egov.signing import csc, pki
from egov.signing.errors import RemoteSigningFailed

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def certificate_b64() -> str:
    root = pki.create_root_ca()
    return base64.b64encode(root.certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


def _answer(certificate_b64: str, **changes) -> dict:
    answer = {
        "key": {"status": "enabled", "algo": ["1.2.840.113549.1.1.11"], "len": 2048},
        "cert": {"status": "valid", "certificates": [certificate_b64, certificate_b64]},
        "auth": {"mode": "explicit", "expression": "PIN"},
        "SCAL": "2",
        "multisign": 5,
    }
    answer.update(changes)
    return answer


def test_a_v2_credentials_info_answer_becomes_pyhankos_credential_info(certificate_b64):
    info = csc._credential_info(_answer(certificate_b64))

    assert info.supported_mechanisms == frozenset({"sha256_rsa"})
    assert (info.max_batch_size, info.hash_pinning_required) == (5, True)
    assert len(info.chain) == 1
    assert info.signing_cert.dump() == base64.b64decode(certificate_b64)


@pytest.mark.parametrize(
    "changes",
    [
        {"cert": {"certificates": []}},
        {"cert": {"certificates": ["khong-phai-base64!"]}},
        {"cert": {"certificates": [base64.b64encode(b"not DER").decode()]}},
        {"cert": {}},
        {"key": {"status": "enabled", "algo": "1.2.840.113549.1.1.11"}},
        {"key": {"status": "disabled", "algo": ["1.2.840.113549.1.1.11"]}},
        {"auth": {"mode": "oauth2code"}},
        {"multisign": "nhiều"},
    ],
    ids=[
        "no-certificate",
        "not-base64",
        "not-der",
        "no-list",
        "algo-not-list",
        "key-disabled",
        "oauth2code",
        "bad-batch",
    ],
)
def test_an_answer_the_client_cannot_use_is_remote_signing_failed(certificate_b64, changes):
    with pytest.raises(RemoteSigningFailed):
        csc._credential_info(_answer(certificate_b64, **changes))


def test_the_base_url_gets_its_trailing_slash_and_endpoints_are_relative_to_it(settings):
    settings.EGOV_CSC_URL = "https://ky-so.example.vn/csc/v2"
    settings.EGOV_CSC_CLIENT_ID = "nen-tang"
    settings.EGOV_CSC_CLIENT_SECRET = "bi-mat"
    settings.EGOV_CSC_TIMEOUT = 7

    current = csc.current_settings()

    assert current.endpoint("credentials/info") == "https://ky-so.example.vn/csc/v2/credentials/info"
    assert current.endpoint("oauth2/token") == "https://ky-so.example.vn/csc/v2/oauth2/token"
    assert (current.client_id, current.timeout) == ("nen-tang", 7.0)
    assert "bi-mat" not in repr(current)


def _production(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    base = {
        "PATH": "/usr/bin:/bin",
        "EGOV_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "dichvucong.example.vn",
        "DATABASE_URL": "postgres://egov@127.0.0.1:5432/egov",
        "PUBLIC_URL": "https://dichvucong.example.vn",
        "PAYMENT_GATEWAY_URL": "https://gateway.example.vn/pay",
        "PAYMENT_SECRET": "gateway-secret",
        "SIGNING_PASSPHRASE": "a-real-passphrase-0123456789",
    }
    return subprocess.run(
        [sys.executable, "-c", "import egov.settings.production as s; print(s.EGOV_CSC_URL)"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_the_stand_in_plain_http_and_the_demo_client_secret(tmp_path):
    demo = _production({"EGOV_DEMO_CSC": "1"}, tmp_path)
    plain = _production({"EGOV_CSC_URL": "http://ky-so.example.vn/csc/v2/", "EGOV_CSC_CLIENT_SECRET": "s"}, tmp_path)
    demo_secret = _production({"EGOV_CSC_URL": "https://ky-so.example.vn/csc/v2/"}, tmp_path)
    real = _production(
        {"EGOV_CSC_URL": "https://ky-so.example.vn/csc/v2/", "EGOV_CSC_CLIENT_SECRET": "bi-mat-that"}, tmp_path
    )

    assert "EGOV_DEMO_CSC" in demo.stderr
    assert "EGOV_CSC_URL must be" in plain.stderr
    assert "EGOV_CSC_CLIENT_SECRET" in demo_secret.stderr
    assert (real.returncode, real.stdout.strip()) == (0, "https://ky-so.example.vn/csc/v2/"), real.stderr[-2000:]
