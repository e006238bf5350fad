"""The demo PKI (no database): root and unit certificates, PKCS#12 files, their errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from egov.core.errors import DomainError
from egov.signing import pki
from egov.signing.errors import InvalidKeyFile, KeyNotFound, SigningError

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def root() -> pki.RootCA:
    return pki.create_root_ca(now=NOW)


def _ext(cert: x509.Certificate, oid):
    return cert.extensions.get_extension_for_oid(oid)


def test_root_is_a_self_signed_ca_named_as_a_demo(root):
    cert = root.certificate
    assert cert.subject == cert.issuer
    assert root.info.common_name == "Demo Root CA — Tỉnh Sơn Nam (không dùng thật)"
    assert _ext(cert, ExtensionOID.BASIC_CONSTRAINTS).value.ca is True
    assert _ext(cert, ExtensionOID.BASIC_CONSTRAINTS).critical is True
    usage = _ext(cert, ExtensionOID.KEY_USAGE).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert isinstance(root.private_key, ec.EllipticCurvePrivateKey)
    assert root.info.not_after == NOW + pki.ROOT_VALIDITY


def test_unit_certificate_names_the_unit_and_may_sign_documents(root):
    issued = pki.issue_unit_certificate(
        root, name="Bộ phận Một cửa Sở Tư pháp", identifier="H99.103.01", passphrase=b"pw", now=NOW
    )
    contents = pki.read_pkcs12(issued.pkcs12, passphrase=b"pw")
    cert = contents.certificate
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Bộ phận Một cửa Sở Tư pháp"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Bộ phận Một cửa Sở Tư pháp"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "H99.103.01"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "H99.103.01"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert cert.issuer == root.certificate.subject
    usage = _ext(cert, ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert list(_ext(cert, ExtensionOID.EXTENDED_KEY_USAGE).value) == [
        pki.DOCUMENT_SIGNING_EKU,
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
    ]
    assert _ext(cert, ExtensionOID.BASIC_CONSTRAINTS).value.ca is False
    assert cert.not_valid_after_utc == NOW + pki.UNIT_VALIDITY
    assert cert.not_valid_before_utc < NOW
    # the chain travels with the key, so every signature carries it
    assert [c.subject for c in contents.chain] == [root.certificate.subject]
    assert contents.info == issued.info
    assert issued.info.fingerprint_sha256 == cert.fingerprint(hashes.SHA256()).hex()


def test_unit_certificate_never_outlives_its_root(root):
    issued = pki.issue_unit_certificate(
        root, name="Sở Tư pháp", identifier="H99.103", passphrase=b"pw", valid_for=timedelta(days=40 * 365), now=NOW
    )
    assert issued.info.not_after == root.info.not_after


def test_long_unit_names_are_cut_to_the_x509_limit(root):
    name = "Bộ phận Tiếp nhận và Trả kết quả thuộc Văn phòng Ủy ban nhân dân tỉnh Sơn Nam (cơ sở 2)"
    issued = pki.issue_unit_certificate(root, name=name, identifier="H99.100", passphrase=b"pw", now=NOW)
    # cryptography bounds the CN in UTF-8 bytes; O keeps 64 characters
    assert len(issued.info.common_name.encode("utf-8")) <= 64
    assert len(issued.info.organisation) == 64
    for cut in (issued.info.common_name, issued.info.organisation):
        assert cut.endswith("…") and name.startswith(cut[:-1])


def test_rsa_keys_are_available(root):
    issued = pki.issue_unit_certificate(
        root, name="Sở Tư pháp", identifier="H99.103", passphrase=b"pw", algorithm=pki.KeyAlgorithm.RSA_2048
    )
    key = pki.read_pkcs12(issued.pkcs12, passphrase=b"pw").private_key
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048


def test_a_wrong_passphrase_or_a_damaged_file_is_an_invalid_key_file(root):
    issued = pki.issue_unit_certificate(root, name="Sở Tư pháp", identifier="H99.103", passphrase=b"pw")
    with pytest.raises(InvalidKeyFile) as wrong:
        pki.read_pkcs12(issued.pkcs12, passphrase=b"other")
    with pytest.raises(InvalidKeyFile):
        pki.read_pkcs12(issued.pkcs12[:100], passphrase=b"pw")
    # one hierarchy: callers catch SigningError, and the API maps it like any DomainError
    assert isinstance(wrong.value, SigningError) and isinstance(wrong.value, DomainError)
    assert wrong.value.code == "signing_key_invalid"
    assert "mật khẩu" in wrong.value.message


def test_root_files_round_trip_with_the_key_encrypted(tmp_path, root):
    cert_path, key_path = tmp_path / "root-ca.pem", tmp_path / "root-ca.key"
    pki.write_root_ca(root, cert_path=cert_path, key_path=key_path, passphrase=b"pw")
    assert b"ENCRYPTED PRIVATE KEY" in key_path.read_bytes()
    assert key_path.stat().st_mode & 0o777 == 0o600
    loaded = pki.load_root_ca(cert_path=cert_path, key_path=key_path, passphrase=b"pw")
    assert loaded.info == root.info
    with pytest.raises(InvalidKeyFile):
        pki.load_root_ca(cert_path=cert_path, key_path=key_path, passphrase=b"wrong")


def test_a_missing_root_is_key_not_found(tmp_path):
    with pytest.raises(KeyNotFound, match="make_demo_pki"):
        pki.load_root_ca(cert_path=tmp_path / "root-ca.pem", key_path=tmp_path / "root-ca.key", passphrase=b"pw")


def test_a_key_that_does_not_match_the_root_certificate_is_refused(tmp_path, root):
    other = pki.create_root_ca()
    pki.write_root_ca(root, cert_path=tmp_path / "root-ca.pem", key_path=tmp_path / "a.key", passphrase=b"pw")
    pki.write_root_ca(other, cert_path=tmp_path / "other.pem", key_path=tmp_path / "b.key", passphrase=b"pw")
    with pytest.raises(InvalidKeyFile, match="không khớp"):
        pki.load_root_ca(cert_path=tmp_path / "root-ca.pem", key_path=tmp_path / "b.key", passphrase=b"pw")


def test_reencrypting_keeps_key_and_certificate(root):
    issued = pki.issue_unit_certificate(root, name="Sở Tư pháp", identifier="H99.103", passphrase=b"ca-pw")
    data = pki.reencrypt_pkcs12(issued.pkcs12, passphrase=b"ca-pw", new_passphrase=b"ours", friendly_name="H99.103")
    contents = pki.read_pkcs12(data, passphrase=b"ours")
    assert contents.info == issued.info
    assert len(contents.chain) == 1


def test_certificates_load_from_pem_bundles_and_der(root):
    other = pki.create_root_ca(common_name="Other root")
    bundle = root.certificate_pem + other.certificate_pem
    assert [c.subject for c in pki.load_certificates(bundle)] == [root.certificate.subject, other.certificate.subject]
    der = root.certificate.public_bytes(serialization.Encoding.DER)
    assert pki.load_certificates(der) == [root.certificate]
    with pytest.raises(InvalidKeyFile):
        pki.load_certificates(b"not a certificate")
