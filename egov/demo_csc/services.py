"""The stand-in remote signing service: enrolling an officer, and the operations of the Cloud Signature
Consortium API v2 that the platform's client (:mod:`egov.signing.csc`) calls.

Demo only: a licensed CA's service replaces all of it in production (``egov/signing/README.md``,
"Remote signing"). It behaves like one where the platform can tell: OAuth 2.0 client credentials,
explicit authorisation with a PIN, Signature Activation Data (SAD) bound to the hashes it was asked
for, good for that many signatures and five minutes, RSA PKCS#1 v1.5 signatures over SHA-256 hashes,
and errors in the CSC format. Keys are RSA 2048, certified by the demo root CA of
:mod:`egov.signing.pki` with the officer's name and title, and kept encrypted with
``EGOV_SIGNING_PASSPHRASE``.

Protocol refusals are :class:`CscError` (``error``, ``error_description``, HTTP status), which the views
answer as ``{"error": ..., "error_description": ...}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes as crypto_hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing as django_signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit import services as audit
from egov.core.errors import FieldError, ValidationFailed
from egov.demo_csc.models import Authorization, RemoteCredential
from egov.signing import conf as signing_conf
from egov.signing import pki
from egov.signing import services as signing_services

__all__ = [
    "SAD_LIFETIME",
    "MAX_SIGNATURES",
    "TOKEN_LIFETIME_SECONDS",
    "SHA256_OID",
    "SIGN_ALGORITHM_OIDS",
    "CERTIFICATE_VALIDITY",
    "CscError",
    "enrol_remote_signer",
    "issue_token",
    "check_token",
    "list_credential_ids",
    "credential_info",
    "authorize",
    "sign_hashes",
]

SAD_LIFETIME = timedelta(minutes=5)
MAX_SIGNATURES = 5  # "multisign": most signatures one SAD may authorise
TOKEN_LIFETIME_SECONDS = 3600
SHA256_OID = "2.16.840.1.101.3.4.2.1"
RSA_ENCRYPTION_OID = "1.2.840.113549.1.1.1"
SHA256_WITH_RSA_OID = "1.2.840.113549.1.1.11"
SIGN_ALGORITHM_OIDS = (SHA256_WITH_RSA_OID, RSA_ENCRYPTION_OID)
CERTIFICATE_VALIDITY = timedelta(days=2 * 365)
MIN_PIN_LENGTH = 4
_TOKEN_SALT = "egov.demo_csc.access-token"
_NAME_LIMIT = 64  # RFC 5280 ub-common-name etc.


class CscError(Exception):
    """A refusal in the CSC API's terms."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def as_dict(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


# --------------------------------------------------------------------------------------------------
# Enrolment
# --------------------------------------------------------------------------------------------------


def _bounded(value: str) -> str:
    value = " ".join(value.split())
    while len(value.encode("utf-8")) > _NAME_LIMIT:
        value = value[:-1]
    return value


def _officer_certificate(
    root: pki.RootCA, *, public_key: rsa.RSAPublicKey, full_name: str, title: str, organisation: str
) -> x509.Certificate:
    """An end-entity certificate for a person: C=VN, O=agency, title, CN=name; may sign documents."""
    now = timezone.now()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _bounded(organisation)),
            x509.NameAttribute(NameOID.TITLE, _bounded(title)),
            x509.NameAttribute(NameOID.COMMON_NAME, _bounded(full_name)),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=10))
        .not_valid_after(min(now + CERTIFICATE_VALIDITY, root.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            # NSS (pdfsig) checks PDF signers as e-mail signers; see egov.signing.pki.
            x509.ExtendedKeyUsage([pki.DOCUMENT_SIGNING_EKU, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.certificate.public_key()), critical=False
        )
        .sign(root.private_key, crypto_hashes.SHA256())
    )


@transaction.atomic
def enrol_remote_signer(*, user, title: str, agency_name: str, pin: str, by=None) -> RemoteCredential:
    """A new RSA 2048 key in the stand-in service for ``user``, certified by the demo root CA with the
    officer's name and ``title`` at ``agency_name``, protected by ``pin``. The service's user id is
    ``str(user.pk)`` (give it to :func:`egov.signing.csc.list_credentials`)."""
    errors = []
    if len(pin or "") < MIN_PIN_LENGTH:
        errors.append(("pin", _("Mã PIN phải có ít nhất %(count)d ký tự.") % {"count": MIN_PIN_LENGTH}))
    if not (title or "").strip():
        errors.append(("title", _("Chưa nhập chức vụ của người ký.")))
    if not (agency_name or "").strip():
        errors.append(("agency_name", _("Chưa nhập tên cơ quan.")))
    if errors:
        raise ValidationFailed([FieldError(name, message) for name, message in errors])
    current = signing_conf.current()
    signing_services.ensure_demo_root()
    root = pki.load_root_ca(
        cert_path=current.root_cert_path, key_path=current.root_key_path, passphrase=current.passphrase
    )
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else str(user)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _officer_certificate(
        root, public_key=key.public_key(), full_name=full_name, title=title, organisation=agency_name
    )
    pem = serialization.Encoding.PEM
    credential = RemoteCredential.objects.create(
        credential_id=uuid.uuid4().hex,
        user_id=str(user.pk),
        description=f"{full_name} — {' '.join(title.split())}, {' '.join(agency_name.split())}"[:300],
        key_pem=key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(current.passphrase)
        ).decode("ascii"),
        certificate_pem=certificate.public_bytes(pem).decode("ascii"),
        chain_pem=root.certificate_pem.decode("ascii"),
        pin_hash=make_password(pin),
        created_at=timezone.now(),
    )
    info = pki.certificate_info(certificate)
    audit.record(
        actor=by,
        action="demo_csc.enrol",
        target=credential,
        after={
            "credential_id": credential.credential_id,
            "user_id": credential.user_id,
            "subject": info.subject,
            "fingerprint_sha256": info.fingerprint_sha256,
        },
    )
    return credential


# --------------------------------------------------------------------------------------------------
# OAuth 2.0 (client credentials)
# --------------------------------------------------------------------------------------------------


def issue_token(*, client_id: str, client_secret: str) -> tuple[str, int]:
    """An access token for the platform's client, and its lifetime in seconds."""
    expected_id = settings.EGOV_CSC_CLIENT_ID or ""
    expected_secret = settings.EGOV_CSC_CLIENT_SECRET or ""
    if not (
        expected_id
        and hmac.compare_digest(client_id.encode(), expected_id.encode())
        and hmac.compare_digest(client_secret.encode(), expected_secret.encode())
    ):
        raise CscError("invalid_client", "Client authentication failed", status=401)
    token = django_signing.dumps({"client": client_id, "n": secrets.token_hex(8)}, salt=_TOKEN_SALT)
    return token, TOKEN_LIFETIME_SECONDS


def check_token(token: str) -> str:
    """The client id a valid, unexpired access token was issued to."""
    try:
        data = django_signing.loads(token, salt=_TOKEN_SALT, max_age=TOKEN_LIFETIME_SECONDS)
    except django_signing.BadSignature as exc:  # SignatureExpired included
        raise CscError("invalid_token", "The access token is not valid", status=401) from exc
    return str(data["client"])


# --------------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------------


def list_credential_ids(*, user_id: str, max_results: int = 100, page_token: str = "") -> tuple[list[str], str]:
    """One page of the user's enabled credentials in id order, and the next page's token ("" at the end)."""
    rows = RemoteCredential.objects.filter(user_id=user_id, is_enabled=True)
    if page_token:
        rows = rows.filter(credential_id__gt=page_token)
    ids = list(rows.order_by("credential_id").values_list("credential_id", flat=True)[: max_results + 1])
    if len(ids) > max_results:
        return ids[:max_results], ids[max_results - 1]
    return ids, ""


def _credential(credential_id: str) -> RemoteCredential:
    credential = RemoteCredential.objects.filter(credential_id=credential_id).first()
    if credential is None:
        raise CscError("invalid_request", "Invalid parameter credentialID")
    return credential


def _certificates(credential: RemoteCredential, which: str) -> list[x509.Certificate]:
    own = x509.load_pem_x509_certificate(credential.certificate_pem.encode("ascii"))
    if which == "none":
        return []
    if which == "single":
        return [own]
    chain = x509.load_pem_x509_certificates(credential.chain_pem.encode("ascii")) if credential.chain_pem else []
    return [own, *chain]


def credential_info(*, credential_id: str, certificates: str = "single", cert_info: bool = False) -> dict:
    """The credentials/info answer (CSC v2)."""
    if certificates not in ("none", "single", "chain"):
        raise CscError("invalid_request", "Invalid parameter certificates")
    credential = _credential(credential_id)
    certs = _certificates(credential, certificates)
    own = x509.load_pem_x509_certificate(credential.certificate_pem.encode("ascii"))
    now = timezone.now()
    cert: dict = {
        "status": "valid" if own.not_valid_before_utc <= now <= own.not_valid_after_utc else "expired",
        "certificates": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in certs],
    }
    if cert_info:
        cert.update(
            {
                "issuerDN": own.issuer.rfc4514_string(),
                "serialNumber": format(own.serial_number, "X"),
                "subjectDN": own.subject.rfc4514_string(),
                "validFrom": own.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                "validTo": own.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
            }
        )
    return {
        "description": credential.description,
        "key": {
            "status": "enabled" if credential.is_enabled else "disabled",
            "algo": list(SIGN_ALGORITHM_OIDS),
            "len": own.public_key().key_size,
        },
        "cert": cert,
        "auth": {
            "mode": "explicit",
            "expression": "PIN",
            "objects": [
                {
                    "type": "Password",
                    "id": "PIN",
                    "format": "A",
                    "label": "PIN",
                    "description": "Mã PIN ký số",
                }
            ],
        },
        "SCAL": "2",
        "multisign": MAX_SIGNATURES,
        "lang": "vi-VN",
    }


# --------------------------------------------------------------------------------------------------
# Authorisation and signing
# --------------------------------------------------------------------------------------------------


def _sad_digest(sad: str) -> str:
    return hashlib.sha256(sad.encode("utf-8")).hexdigest()


def _digests(encoded: list[str]) -> list[bytes]:
    try:
        digests = [base64.b64decode(item, validate=True) for item in encoded]
    except (TypeError, ValueError, binascii.Error) as exc:
        raise CscError("invalid_request", "Invalid parameter hashes") from exc
    if any(len(digest) != 32 for digest in digests):
        raise CscError("invalid_request", "Invalid parameter hashes: SHA-256 hashes are 32 bytes")
    return digests


@transaction.atomic
def authorize(
    *, credential_id: str, num_signatures: int, hashes: list[str], hash_algorithm_oid: str, pin: str
) -> tuple[str, int]:
    """credentials/authorize: a SAD for ``num_signatures`` signatures of exactly ``hashes``, and its
    lifetime in seconds. The PIN is checked last, so a malformed request never counts as a PIN try."""
    credential = _credential(credential_id)
    if not credential.is_enabled:
        raise CscError("invalid_request", "The credential is disabled")
    if not 1 <= num_signatures <= MAX_SIGNATURES:
        raise CscError("invalid_request", f"numSignatures must be between 1 and {MAX_SIGNATURES}")
    if not hashes:
        raise CscError("invalid_request", "Missing parameter hashes (SCAL 2)")
    if len(hashes) != num_signatures:
        raise CscError("invalid_request", "The number of hashes differs from numSignatures")
    if hash_algorithm_oid != SHA256_OID:
        raise CscError("invalid_request", "Invalid parameter hashAlgorithmOID (SHA-256 only)")
    _digests(hashes)
    if not pin or not check_password(pin, credential.pin_hash):
        raise CscError("invalid_pin", "The PIN is invalid")
    now = timezone.now()
    Authorization.objects.filter(credential=credential, expires_at__lt=now).delete()
    sad = secrets.token_urlsafe(32)
    Authorization.objects.create(
        credential=credential,
        sad_digest=_sad_digest(sad),
        hashes=list(hashes),
        remaining=num_signatures,
        expires_at=now + SAD_LIFETIME,
        created_at=now,
    )
    return sad, int(SAD_LIFETIME.total_seconds())


@transaction.atomic
def sign_hashes(
    *, credential_id: str, sad: str, hashes: list[str], hash_algorithm_oid: str | None, sign_algo: str
) -> list[str]:
    """signatures/signHash: RSA PKCS#1 v1.5 signatures (base64) of ``hashes``, each authorised by ``sad``."""
    credential = _credential(credential_id)
    if not credential.is_enabled:
        raise CscError("invalid_request", "The credential is disabled")
    if sign_algo not in SIGN_ALGORITHM_OIDS:
        raise CscError("invalid_request", "Invalid parameter signAlgo")
    if hash_algorithm_oid is None and sign_algo == RSA_ENCRYPTION_OID:
        raise CscError("invalid_request", "Missing parameter hashAlgorithmOID")
    if hash_algorithm_oid not in (None, SHA256_OID):
        raise CscError("invalid_request", "Invalid parameter hashAlgorithmOID (SHA-256 only)")
    if not hashes:
        raise CscError("invalid_request", "Missing parameter hashes")
    digests = _digests(hashes)
    authorization = (
        Authorization.objects.select_for_update().filter(credential=credential, sad_digest=_sad_digest(sad)).first()
    )
    if authorization is None:
        raise CscError("invalid_request", "Invalid parameter SAD")
    if authorization.expires_at <= timezone.now():
        raise CscError("invalid_request", "SAD expired")
    if len(hashes) > authorization.remaining:
        raise CscError("invalid_request", "More hashes than the SAD authorizes")
    allowed = list(authorization.hashes)
    for item in hashes:
        if item not in allowed:
            raise CscError("invalid_request", "A hash was not authorized by the SAD")
        allowed.remove(item)
    key = serialization.load_pem_private_key(
        credential.key_pem.encode("ascii"), password=signing_conf.current().passphrase
    )
    if not isinstance(key, rsa.RSAPrivateKey):  # pragma: no cover - enrolment makes RSA keys only
        raise CscError("server_error", "Unsupported key", status=500)
    signatures = [
        base64.b64encode(key.sign(digest, padding.PKCS1v15(), utils.Prehashed(crypto_hashes.SHA256()))).decode("ascii")
        for digest in digests
    ]
    authorization.remaining -= len(hashes)
    authorization.hashes = allowed
    authorization.save(update_fields=["remaining", "hashes"])
    return signatures
