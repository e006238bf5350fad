"""The platform's CSC client (egov.signing.csc) against the stand-in service (egov.demo_csc) over HTTP,
through Django's live server: a PDF signed remotely validates against the demo CA, and every failure is
a typed error with nothing signed."""

from __future__ import annotations

import base64
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from egov.demo_csc import services as demo_service
from egov.demo_csc.models import Authorization
from egov.demo_csc.tests.conftest import PIN, OfficerCredential, needs_pdfsig
from egov.signing import conf, csc, pades, pki
from egov.signing.errors import CertificateExpired, NoOfficerCredential, RemoteSigningFailed, WrongPin

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


def _root() -> x509.Certificate:
    return pki.load_certificates(conf.current().root_cert_path.read_bytes())[0]


def _sign(pdf: bytes, signer) -> bytes:
    return pades.sign(
        pdf, signer=signer, signing_time=datetime.now(UTC), reason="Ký ban hành văn bản", location="Sở Tư pháp"
    )


@pytest.fixture
def count_calls(monkeypatch):
    """``count_calls(name)`` -> a list that grows by one for each call of the stand-in's service ``name``."""

    def install(name: str) -> list:
        calls = []
        original = getattr(demo_service, name)

        def counting(**kwargs):
            calls.append(kwargs)
            return original(**kwargs)

        monkeypatch.setattr(f"egov.demo_csc.views.services.{name}", counting)
        return calls

    return install


# --- Signing a PDF ------------------------------------------------------------------------------------


def test_a_pdf_signed_remotely_validates_against_the_demo_ca(stand_in, on_file, enrolled, small_pdf, count_calls):
    # Given an officer enrolled at the stand-in, whose certificate the platform has on file
    authorize_calls = count_calls("authorize")
    sign_calls = count_calls("sign_hashes")

    # When the officer signs a PDF with the right PIN
    signed = _sign(small_pdf, csc.open_signer(credential=on_file, pin=PIN))

    # Then pyHanko finds one intact, valid signature by the officer, trusted through the demo root
    [report] = pades.validate(signed, trust_roots=[_root()])
    assert (report.ok, report.intact, report.valid, report.trusted) == (True, True, True, True)
    assert report.signer_common_name == "Nguyễn Văn Minh"
    assert report.signer_organisation == "Sở Tư pháp tỉnh Thử Nghiệm"
    assert report.reason == "Ký ban hành văn bản"
    assert report.coverage == "entire_file"
    # And the service authorised exactly one hash with the PIN and signed that hash, nothing more
    assert len(authorize_calls) == 1
    assert authorize_calls[0]["pin"] == PIN
    assert authorize_calls[0]["num_signatures"] == 1
    assert len(authorize_calls[0]["hashes"]) == 1
    assert authorize_calls[0]["hash_algorithm_oid"] == demo_service.SHA256_OID
    assert [call["hashes"] for call in sign_calls] == [authorize_calls[0]["hashes"]]
    assert sign_calls[0]["sign_algo"] in demo_service.SIGN_ALGORITHM_OIDS
    assert len(base64.b64decode(sign_calls[0]["hashes"][0])) == 32
    # And the SAD is used up
    authorization = Authorization.objects.get()
    assert (authorization.remaining, authorization.hashes) == (0, [])


@needs_pdfsig
def test_pdfsig_finds_the_remote_signature_valid_and_trusted(stand_in, on_file, small_pdf, pdfsig):
    signed = _sign(small_pdf, csc.open_signer(credential=on_file, pin=PIN))

    output = pdfsig(conf.current().root_cert_path).check(signed)

    assert "Signer Certificate Common Name: Nguyễn Văn Minh" in output
    assert "Signature Validation: Signature is Valid." in output
    assert "Certificate Validation: Certificate is Trusted." in output


def test_the_certificate_carries_the_officers_name_and_title_from_the_demo_ca(stand_in, enrolled):
    certificate, chain = csc.credential_certificates(credential_id=enrolled.credential_id)

    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nguyễn Văn Minh"
    assert subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Giám đốc"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Sở Tư pháp tỉnh Thử Nghiệm"
    assert certificate.issuer == _root().subject
    assert chain == (_root(),)
    assert certificate.public_bytes(pki.serialization.Encoding.PEM).decode() == enrolled.certificate_pem


def test_an_officer_lists_only_their_own_credentials(stand_in, officer, enrolled, make_user):
    other = make_user("khac", "Trần Thị Lan")
    second = demo_service.enrol_remote_signer(user=officer, title="Giám đốc", agency_name="Sở Tư pháp", pin="1357")
    demo_service.enrol_remote_signer(user=other, title="Phó Giám đốc", agency_name="Sở Tài chính", pin="2468")

    listed = csc.list_credentials(user_id=str(officer.pk))

    assert listed == sorted([enrolled.credential_id, second.credential_id])
    assert csc.list_credentials(user_id="khong-ton-tai") == []


def test_the_token_is_fetched_once_and_reused_until_it_expires(stand_in, officer, enrolled, count_calls):
    tokens = count_calls("issue_token")

    csc.list_credentials(user_id=str(officer.pk))
    csc.list_credentials(user_id=str(officer.pk))
    csc.credential_certificates(credential_id=enrolled.credential_id)

    assert len(tokens) == 1
    assert tokens[0] == {"client_id": "egov-test-platform", "client_secret": "bi-mat-cua-nen-tang-thu-nghiem"}


def test_a_token_the_service_no_longer_accepts_is_renewed_once(stand_in, officer, enrolled, count_calls):
    tokens = count_calls("issue_token")
    key = (stand_in, "egov-test-platform")
    with csc._tokens_lock:
        csc._tokens[key] = ("het-han", float("inf"))

    assert csc.list_credentials(user_id=str(officer.pk)) == [enrolled.credential_id]
    assert len(tokens) == 1


# --- Refusals: nothing signed ------------------------------------------------------------------------


def test_a_wrong_pin_is_wrong_pin_and_nothing_is_signed(stand_in, on_file, small_pdf):
    signer = csc.open_signer(credential=on_file, pin="0000")

    with pytest.raises(WrongPin) as caught:
        _sign(small_pdf, signer)

    assert caught.value.code == "wrong_pin"
    assert caught.value.message == "Mã PIN không đúng; văn bản chưa được ký."
    assert Authorization.objects.count() == 0


def test_an_empty_pin_is_refused_before_any_request(settings, on_file):
    settings.EGOV_CSC_URL = "http://127.0.0.1:9/csc/v2/"  # nothing listens: a request would fail otherwise

    with pytest.raises(WrongPin):
        csc.open_signer(credential=on_file, pin="")


def test_no_credential_id_is_no_officer_credential(stand_in):
    with pytest.raises(NoOfficerCredential):
        csc.open_signer(credential=OfficerCredential(csc_credential_id=""), pin=PIN)


def test_an_expired_sad_is_refused_and_nothing_is_signed(stand_in, on_file, small_pdf, monkeypatch):
    # The stand-in hands out a SAD that has already run out when signHash comes
    monkeypatch.setattr(demo_service, "SAD_LIFETIME", timedelta(seconds=-1))
    signer = csc.open_signer(credential=on_file, pin=PIN)

    with pytest.raises(RemoteSigningFailed) as caught:
        _sign(small_pdf, signer)

    assert caught.value.details == {"service_error": "invalid_request"}
    assert Authorization.objects.get().remaining == 1


def test_more_signatures_than_hashes_from_the_service_sign_nothing(stand_in, on_file, small_pdf, monkeypatch):
    original = demo_service.sign_hashes

    def doubled(**kwargs):
        signatures = original(**kwargs)
        return signatures + signatures

    monkeypatch.setattr("egov.demo_csc.views.services.sign_hashes", doubled)

    with pytest.raises(RemoteSigningFailed):
        _sign(small_pdf, csc.open_signer(credential=on_file, pin=PIN))


def test_a_signature_that_does_not_match_the_certificate_signs_nothing(stand_in, on_file, small_pdf, monkeypatch):
    def garbage(**kwargs):
        return [base64.b64encode(bytes(256)).decode("ascii") for _ in kwargs["hashes"]]

    monkeypatch.setattr("egov.demo_csc.views.services.sign_hashes", garbage)

    with pytest.raises(RemoteSigningFailed):
        _sign(small_pdf, csc.open_signer(credential=on_file, pin=PIN))


def test_a_certificate_other_than_the_one_on_file_is_refused(stand_in, enrolled, officer):
    other = demo_service.enrol_remote_signer(user=officer, title="Giám đốc", agency_name="Sở Tư pháp", pin=PIN)
    mismatched = OfficerCredential(csc_credential_id=enrolled.credential_id, certificate=other.certificate_pem)

    with pytest.raises(RemoteSigningFailed) as caught:
        csc.open_signer(credential=mismatched, pin=PIN)

    assert "khác với chứng thư đã đăng ký" in caught.value.message


def test_a_certificate_not_valid_now_is_certificate_expired(stand_in, on_file):
    with pytest.raises(CertificateExpired):
        csc.open_signer(credential=on_file, pin=PIN, now=datetime.now(UTC) + timedelta(days=3 * 365))


def test_an_unknown_credential_is_refused_by_the_service(stand_in):
    with pytest.raises(RemoteSigningFailed) as caught:
        csc.open_signer(credential=OfficerCredential(csc_credential_id="khong-co"), pin=PIN)

    assert caught.value.details == {"service_error": "invalid_request"}


def test_wrong_client_credentials_fail_without_blaming_the_pin(stand_in, on_file, monkeypatch, count_calls):
    # The stand-in accepts the client of the settings; the platform's client presents another secret
    configured = csc.current_settings
    monkeypatch.setattr(csc, "current_settings", lambda: replace(configured(), client_secret="sai"))
    tokens = count_calls("issue_token")

    with pytest.raises(RemoteSigningFailed):
        csc.open_signer(credential=on_file, pin=PIN)
    assert tokens == [{"client_id": "egov-test-platform", "client_secret": "sai"}]


# --- The service down, slow or not a CSC service --------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_service_that_is_down_is_remote_signing_failed(settings, client_credentials, on_file):
    settings.EGOV_CSC_URL = f"http://127.0.0.1:{_closed_port()}/csc/v2/"

    with pytest.raises(RemoteSigningFailed) as caught:
        csc.open_signer(credential=on_file, pin=PIN)

    assert caught.value.code == "remote_signing_failed"
    assert caught.value.status == 502
    assert caught.value.message == "Dịch vụ ký số từ xa không phản hồi hoặc báo lỗi; văn bản chưa được ký."


def test_a_service_that_goes_down_between_opening_and_signing_signs_nothing(stand_in, settings, on_file, small_pdf):
    signer = csc.open_signer(credential=on_file, pin=PIN)
    signer._service.conf = csc.CscSettings(
        url=f"http://127.0.0.1:{_closed_port()}/csc/v2/", client_id="x", client_secret="y", timeout=2
    )

    with pytest.raises(RemoteSigningFailed):
        _sign(small_pdf, signer)
    assert Authorization.objects.count() == 0


def test_a_service_that_does_not_answer_in_time_is_remote_signing_failed(settings, client_credentials, on_file):
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.EGOV_CSC_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/csc/v2/"
        settings.EGOV_CSC_TIMEOUT = 0.3

        started = datetime.now(UTC)
        with pytest.raises(RemoteSigningFailed):
            csc.open_signer(credential=on_file, pin=PIN)
        assert datetime.now(UTC) - started < timedelta(seconds=5)


def test_an_answer_that_is_not_json_is_remote_signing_failed(stand_in, settings, live_server, on_file):
    settings.EGOV_CSC_URL = f"{live_server.url}/khong-phai-csc/"  # an HTML 404 page

    with pytest.raises(RemoteSigningFailed):
        csc.open_signer(credential=on_file, pin=PIN)


def test_without_a_configured_service_remote_signing_is_refused(settings, on_file):
    settings.EGOV_CSC_URL = ""

    with pytest.raises(RemoteSigningFailed) as caught:
        csc.open_signer(credential=on_file, pin=PIN)

    assert caught.value.message == "Chưa cấu hình dịch vụ ký số từ xa; văn bản chưa được ký."
