"""Fixtures of the remote signing tests: a PKI directory per test, the stand-in service behind Django's
live server with the platform's client pointed at it, and enrolled officers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

PASSPHRASE = "mat-khau-thu-nghiem"
PIN = "Pin-2468"
CLIENT_ID = "egov-test-platform"
CLIENT_SECRET = "bi-mat-cua-nen-tang-thu-nghiem"


@dataclass(frozen=True)
class OfficerCredential:
    """What egov.signing.csc.open_signer reads of the platform's OfficerCredential."""

    csc_credential_id: str
    certificate: str = ""


@pytest.fixture
def pki_dir(settings, tmp_path) -> Path:
    directory = tmp_path / "pki"
    settings.EGOV_PKI_DIR = directory
    settings.EGOV_SIGNING_PASSPHRASE = PASSPHRASE
    if hasattr(settings, "EGOV_TRUST_ROOTS"):
        del settings.EGOV_TRUST_ROOTS
    return directory


@pytest.fixture(autouse=True)
def _vietnamese():
    """Messages in the platform's language, whatever an earlier test left active in this thread."""
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    from egov.signing import csc

    csc.forget_tokens()
    yield
    csc.forget_tokens()


@pytest.fixture
def client_credentials(settings):
    settings.EGOV_CSC_CLIENT_ID = CLIENT_ID
    settings.EGOV_CSC_CLIENT_SECRET = CLIENT_SECRET
    settings.EGOV_CSC_TIMEOUT = 10


@pytest.fixture
def stand_in(settings, live_server, pki_dir, client_credentials) -> str:
    """The stand-in at Django's live server; EGOV_CSC_URL points at it. Returns that URL."""
    settings.ROOT_URLCONF = "egov.demo_csc.tests.urls"
    settings.EGOV_DEMO_CSC = True
    settings.EGOV_CSC_URL = f"{live_server.url}/demo-csc/csc/v2/"
    return settings.EGOV_CSC_URL


@pytest.fixture
def routed(settings, pki_dir, client_credentials):
    """The stand-in's URLs for Django's test client (protocol tests without a live server)."""
    settings.ROOT_URLCONF = "egov.demo_csc.tests.urls"
    settings.EGOV_DEMO_CSC = True


@pytest.fixture
def make_user(db):
    """A platform user (no role: the stand-in knows people, not the platform's roles, which a live
    server's transactional tests flush away with every table)."""
    from django.contrib.auth import get_user_model

    def make(username: str, full_name: str):
        return get_user_model().objects.create_user(username=username, full_name=full_name, password=None)

    return make


@pytest.fixture
def officer(make_user):
    return make_user("giamdoc", "Nguyễn Văn Minh")


@pytest.fixture
def enrolled(officer, pki_dir):
    from egov.demo_csc.services import enrol_remote_signer

    return enrol_remote_signer(user=officer, title="Giám đốc", agency_name="Sở Tư pháp tỉnh Thử Nghiệm", pin=PIN)


@pytest.fixture
def on_file(enrolled) -> OfficerCredential:
    return OfficerCredential(csc_credential_id=enrolled.credential_id, certificate=enrolled.certificate_pem)


@pytest.fixture(scope="session")
def small_pdf() -> bytes:
    from weasyprint import HTML

    html = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
      @page { size: A5; margin: 15mm } body { font-family: "Noto Serif", serif; font-size: 11pt }
    </style></head><body>
      <p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>
      <h1 style="font-size:14pt;text-align:center">QUYẾT ĐỊNH</h1>
      <p>Về việc thử nghiệm ký số từ xa.</p>
    </body></html>"""
    return HTML(string=html).write_pdf()


# poppler's pdfsig with a throw-away NSS database, as the signing tests use it.
from egov.signing.tests.conftest import needs_pdfsig, pdfsig  # noqa: E402, F401
