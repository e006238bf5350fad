"""A small public-key infrastructure for demos and trials, built with ``cryptography``.

This module owns the certificates and key files: a self-signed root CA ("Demo Root CA — Tỉnh Sơn
Nam (không dùng thật)") and, per unit, a signing certificate issued by that root and exported as a
passphrase-protected PKCS#12 file. A real deployment replaces the unit keys with ones issued by a
licensed CA (see ``egov/signing/README.md``); the functions that read PKCS#12 files and certificates
serve both.

Plain library code: no Django import, explicit arguments (bytes, paths, passphrases), frozen dataclass
results and the typed errors of :mod:`egov.signing.errors`.

Keys are ECDSA P-256 by default: generating one takes well under a millisecond (RSA 2048 takes tens of
milliseconds), and poppler's ``pdfsig`` (NSS), pyHanko and Adobe Reader all verify ECDSA signatures.
RSA 2048 is available for parity with the keys Vietnamese CAs issue today.
"""

from __future__ import annotations

import enum
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeAlias
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from egov.signing.errors import InvalidKeyFile, KeyNotFound

__all__ = [
    "VIETNAM_TZ",
    "DEMO_ROOT_COMMON_NAME",
    "DEMO_ROOT_ORGANISATION",
    "DOCUMENT_SIGNING_EKU",
    "ROOT_VALIDITY",
    "UNIT_VALIDITY",
    "KeyAlgorithm",
    "CertificateInfo",
    "RootCA",
    "IssuedKey",
    "Pkcs12Contents",
    "create_root_ca",
    "write_root_ca",
    "load_root_ca",
    "issue_unit_certificate",
    "read_pkcs12",
    "reencrypt_pkcs12",
    "certificate_info",
    "load_certificates",
    "write_private_file",
    "OFFICER_VALIDITY",
    "issue_officer_certificate",
    "issue_tsa_key",
    "build_crl",
]

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

DEMO_ROOT_COMMON_NAME = "Demo Root CA — Tỉnh Sơn Nam (không dùng thật)"
DEMO_ROOT_ORGANISATION = "Tỉnh Sơn Nam (dữ liệu trình diễn)"

# RFC 9336 id-kp-documentSigning. NSS (pdfsig) checks signers as e-mail signers, so unit
# certificates carry emailProtection as well.
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

ROOT_VALIDITY = timedelta(days=20 * 365)
UNIT_VALIDITY = timedelta(days=5 * 365)
OFFICER_VALIDITY = timedelta(days=3 * 365)
CRL_VALIDITY = timedelta(days=7)
# Certificates start a little in the past so that a clock a few minutes behind still accepts them.
_BACKDATE = timedelta(minutes=10)
# RFC 5280 upper bounds (ub-common-name, ub-organization-name...): 64.
_NAME_LIMIT = 64

PrivateKey: TypeAlias = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class KeyAlgorithm(enum.StrEnum):
    EC_P256 = "ec-p256"
    RSA_2048 = "rsa-2048"

    def generate(self) -> PrivateKey:
        if self is KeyAlgorithm.RSA_2048:
            return rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class CertificateInfo:
    """What the platform stores and shows about a certificate."""

    subject: str  # RFC 4514, e.g. "CN=Sở Tư pháp,serialNumber=H99.103,OU=H99.103,O=Sở Tư pháp,C=VN"
    common_name: str
    organisation: str
    issuer: str
    serial: str  # upper-case hex
    fingerprint_sha256: str  # lower-case hex of the DER encoding
    not_before: datetime  # aware, UTC
    not_after: datetime  # aware, UTC

    def is_valid_at(self, moment: datetime) -> bool:
        return self.not_before <= moment <= self.not_after


@dataclass(frozen=True)
class RootCA:
    certificate: x509.Certificate
    private_key: PrivateKey
    info: CertificateInfo

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued unit key: the PKCS#12 file content and its certificate's details."""

    pkcs12: bytes
    info: CertificateInfo


@dataclass(frozen=True)
class Pkcs12Contents:
    private_key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # the other certificates in the file (issuer, root)
    info: CertificateInfo


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _bounded(value: str, *, utf8: bool = False) -> str:
    """``value`` cut to the X.509 bound, with "…" when cut.

    ``utf8``: count bytes, not characters. ``cryptography`` enforces the common name's bound in UTF-8
    bytes (a Vietnamese letter with two marks takes 3), so the CN of a long unit name is shorter than
    its O, which keeps 64 characters.
    """
    value = " ".join(value.split())

    def size(text: str) -> int:
        return len(text.encode("utf-8")) if utf8 else len(text)

    if size(value) <= _NAME_LIMIT:
        return value
    while size(value + "…") > _NAME_LIMIT:
        value = value[:-1]
    return value.rstrip() + "…"


def _attribute(name: x509.Name, oid: ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def certificate_info(certificate: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject=certificate.subject.rfc4514_string(),
        common_name=_attribute(certificate.subject, NameOID.COMMON_NAME),
        organisation=_attribute(certificate.subject, NameOID.ORGANIZATION_NAME),
        issuer=certificate.issuer.rfc4514_string(),
        serial=format(certificate.serial_number, "X"),
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,  # a.k.a. nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def create_root_ca(
    *,
    common_name: str = DEMO_ROOT_COMMON_NAME,
    organisation: str = DEMO_ROOT_ORGANISATION,
    algorithm: KeyAlgorithm = KeyAlgorithm.EC_P256,
    valid_for: timedelta = ROOT_VALIDITY,
    now: datetime | None = None,
) -> RootCA:
    """A new self-signed root that may issue end-entity certificates only (path length 0)."""
    now = now or _utcnow()
    key = algorithm.generate()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _bounded(organisation)),
            x509.NameAttribute(NameOID.COMMON_NAME, _bounded(common_name, utf8=True)),
        ]
    )
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + valid_for)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return RootCA(certificate=certificate, private_key=key, info=certificate_info(certificate))


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by the owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_root_ca(root: RootCA, *, cert_path: Path, key_path: Path, passphrase: bytes) -> None:
    """The certificate as PEM; the key as PKCS#8 PEM encrypted with ``passphrase``."""
    key_pem = root.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    write_private_file(key_path, key_pem)
    # Written last: the certificate's presence is what says "a root exists".
    write_private_file(cert_path, root.certificate_pem)
    os.chmod(cert_path, 0o644)


def load_root_ca(*, cert_path: Path, key_path: Path, passphrase: bytes) -> RootCA:
    if not cert_path.exists() or not key_path.exists():
        raise KeyNotFound(
            f"Chưa có chứng thư gốc (root CA) trong {cert_path.parent}: chạy 'manage.py make_demo_pki' "
            "hoặc cài chứng thư của tổ chức cung cấp dịch vụ chứng thực."
        )
    try:
        certificates = load_certificates(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=passphrase)
    except (ValueError, TypeError, InvalidKeyFile) as exc:
        raise InvalidKeyFile(
            f"Không đọc được chứng thư gốc {cert_path.name} / {key_path.name} (tệp hỏng hoặc sai mật khẩu)."
        ) from exc
    certificate = certificates[0]
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) or (
        key.public_key().public_numbers() != certificate.public_key().public_numbers()
    ):
        raise InvalidKeyFile(f"Khóa {key_path.name} không khớp với chứng thư {cert_path.name}.")
    return RootCA(certificate=certificate, private_key=key, info=certificate_info(certificate))


def issue_unit_certificate(
    root: RootCA,
    *,
    name: str,
    identifier: str,
    passphrase: bytes,
    algorithm: KeyAlgorithm = KeyAlgorithm.EC_P256,
    valid_for: timedelta = UNIT_VALIDITY,
    now: datetime | None = None,
    crl_url: str = "",
) -> IssuedKey:
    """A new key pair for the unit ``name`` (agency code ``identifier``), certified by ``root``.

    ``crl_url``: the CRL distribution point written into the certificate (none when empty).

    Subject: C=VN, O=CN=unit name, OU=serialNumber=agency code. The PKCS#12 file holds the key, the
    certificate and the root, so a signature made with it carries the whole chain.
    """
    if not name.strip() or not identifier.strip():
        raise ValueError("name and identifier are required")
    now = now or _utcnow()
    key = algorithm.generate()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _bounded(name)),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _bounded(identifier)),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, _bounded(identifier)),
            x509.NameAttribute(NameOID.COMMON_NAME, _bounded(name, utf8=True)),
        ]
    )
    public_key = key.public_key()
    not_after = min(now + valid_for, root.certificate.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING_EKU, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.certificate.public_key()), critical=False
        )
    )
    if crl_url:
        builder = builder.add_extension(_crl_point(crl_url), critical=False)
    certificate = builder.sign(root.private_key, hashes.SHA256())
    data = pkcs12.serialize_key_and_certificates(
        identifier.encode("utf-8"),
        key,
        certificate,
        [root.certificate],
        serialization.BestAvailableEncryption(passphrase),
    )
    return IssuedKey(pkcs12=data, info=certificate_info(certificate))


def read_pkcs12(data: bytes, *, passphrase: bytes | None) -> Pkcs12Contents:
    """Key, certificate and chain of a PKCS#12 file; :class:`InvalidKeyFile` if it cannot be used."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError) as exc:
        raise InvalidKeyFile() from exc
    if key is None or certificate is None:
        raise InvalidKeyFile("Tệp PKCS#12 phải chứa cả khóa bí mật và chứng thư của đơn vị.")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise InvalidKeyFile("Chỉ hỗ trợ khóa RSA hoặc ECDSA.")
    if key.public_key().public_numbers() != certificate.public_key().public_numbers():
        raise InvalidKeyFile("Khóa bí mật không khớp với chứng thư trong tệp PKCS#12.")
    return Pkcs12Contents(
        private_key=key, certificate=certificate, chain=tuple(chain), info=certificate_info(certificate)
    )


def reencrypt_pkcs12(
    data: bytes,
    *,
    passphrase: bytes | None,
    new_passphrase: bytes,
    friendly_name: str,
    extra_chain: tuple[x509.Certificate, ...] = (),
) -> bytes:
    """The same key and certificates, protected with ``new_passphrase`` (used to install a CA-issued key)."""
    contents = read_pkcs12(data, passphrase=passphrase)
    chain = list(contents.chain)
    known = {c.fingerprint(hashes.SHA256()) for c in chain}
    chain += [c for c in extra_chain if c.fingerprint(hashes.SHA256()) not in known]
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"),
        contents.private_key,
        contents.certificate,
        chain or None,
        serialization.BestAvailableEncryption(new_passphrase),
    )


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the one certificate of a DER file."""
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            certificates = x509.load_pem_x509_certificates(data)
        else:
            certificates = [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise InvalidKeyFile("Không đọc được chứng thư (cần tệp PEM hoặc DER).") from exc
    if not certificates:
        raise InvalidKeyFile("Tệp không chứa chứng thư nào.")
    return certificates


def _crl_point(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)], relative_name=None, reasons=None, crl_issuer=None
            )
        ]
    )


def issue_officer_certificate(
    root: RootCA,
    *,
    public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    name: str,
    title: str,
    organisation: str,
    identifier: str,
    crl_url: str = "",
    valid_for: timedelta = OFFICER_VALIDITY,
    now: datetime | None = None,
) -> x509.Certificate:
    """A personal signing certificate for the key pair whose public half is ``public_key`` (the private
    half stays on the officer's token: this is what a CA does with the officer's CSR).

    Subject: C=VN, O=organisation, title=position, CN=full name, UID=``identifier`` (the account).
    ``crl_url``: the CRL distribution point to write in the certificate (none when empty).
    """
    if not name.strip() or not identifier.strip():
        raise ValueError("name and identifier are required")
    now = now or _utcnow()
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _bounded(organisation)),
    ]
    if title.strip():
        attributes.append(x509.NameAttribute(NameOID.TITLE, _bounded(title)))
    attributes += [
        x509.NameAttribute(NameOID.USER_ID, _bounded(identifier)),
        x509.NameAttribute(NameOID.COMMON_NAME, _bounded(name, utf8=True)),
    ]
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(root.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(min(now + valid_for, root.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING_EKU, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.certificate.public_key()), critical=False
        )
    )
    if crl_url:
        builder = builder.add_extension(_crl_point(crl_url), critical=False)
    return builder.sign(root.private_key, hashes.SHA256())


def issue_tsa_key(
    root: RootCA, *, passphrase: bytes, valid_for: timedelta = UNIT_VALIDITY, now: datetime | None = None
) -> IssuedKey:
    """A time-stamping authority key for the demo (RFC 3161: extendedKeyUsage timeStamping, critical).

    RSA 2048: pyHanko's in-process TSA signs with RSA only."""
    now = now or _utcnow()
    key = KeyAlgorithm.RSA_2048.generate()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _bounded(DEMO_ROOT_ORGANISATION)),
            x509.NameAttribute(NameOID.COMMON_NAME, "Demo TSA — Tỉnh Sơn Nam (không dùng thật)"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(min(now + valid_for, root.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.certificate.public_key()), critical=False
        )
        .sign(root.private_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"tsa", key, certificate, [root.certificate], serialization.BestAvailableEncryption(passphrase)
    )
    return IssuedKey(pkcs12=data, info=certificate_info(certificate))


def build_crl(
    root: RootCA,
    *,
    revoked: list[tuple[int, datetime]],
    now: datetime | None = None,
    next_update: timedelta = CRL_VALIDITY,
) -> x509.CertificateRevocationList:
    """The root's CRL listing ``revoked`` (serial number, revocation time) pairs."""
    now = now or _utcnow()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.certificate.subject)
        .last_update(now - _BACKDATE)
        .next_update(now + next_update)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.certificate.public_key()), critical=False
        )
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for serial, moment in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(moment).build()
        )
    return builder.sign(root.private_key, hashes.SHA256())
