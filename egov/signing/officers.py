"""Officers' own digital signatures: enrolment of a personal certificate (a SoftHSM2/PKCS#11 token in
the demo, or a remote signing credential), revocation, and signing a document as the officer.

The officer signs first (their image between title and name, NĐ 30/2020 Phụ lục I); the organisation
seals at issue (:func:`egov.signing.services.seal_issued`). The PIN is asked at every signature and
never stored; any refusal (no credential, revoked, expired, wrong PIN, not a PDF) leaves the document
unsigned.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign.pkcs11 import PKCS11Signer

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import FieldError, PermissionDenied, ValidationFailed
from egov.organisations.models import Organisation
from egov.signing import conf, images, pades, pki, services, tokens
from egov.signing.errors import (
    CertificateExpired,
    CertificateRevoked,
    InvalidKeyFile,
    NoOfficerCredential,
    RemoteSigningFailed,
)
from egov.signing.models import OfficerCredential
from egov.signing.placement import Placement

__all__ = [
    "DEFAULT_OFFICER_REASON",
    "MIN_PIN_LENGTH",
    "enrol_officer",
    "revoke_officer_credential",
    "active_credential",
    "sign_as_officer",
]

logger = logging.getLogger(__name__)

DEFAULT_OFFICER_REASON = "Ký ban hành văn bản"
MIN_PIN_LENGTH = 6

_AUDIT_FIELDS = [
    "id",
    "user_id",
    "unit_id",
    "title",
    "method",
    "token_label",
    "key_label",
    "csc_credential_id",
    "subject",
    "issuer",
    "serial",
    "fingerprint_sha256",
    "not_before",
    "not_after",
    "active",
    "revoked_at",
    "revocation_reason",
]


def _snapshot(credential: OfficerCredential) -> dict:
    return audit.snapshot(credential, _AUDIT_FIELDS)


def _certificate_from(value: x509.Certificate | bytes | str) -> x509.Certificate:
    if isinstance(value, x509.Certificate):
        return value
    data = value.encode("ascii") if isinstance(value, str) else bytes(value)
    try:
        return pki.load_certificates(data)[0]
    except InvalidKeyFile as exc:
        raise ValidationFailed.field("certificate", exc.message) from exc


def _display_name(user) -> str:
    return (getattr(user, "full_name", "") or user.get_full_name() or user.get_username()).strip()


@transaction.atomic
def enrol_officer(
    *,
    by,
    user,
    unit: Organisation,
    title: str,
    pin: str = "",
    method: str = OfficerCredential.Method.PKCS11,
    csc_credential_id: str = "",
    certificate: x509.Certificate | bytes | str | None = None,
    signature_image: bytes | None = None,
) -> OfficerCredential:
    """Give ``user`` a personal signing certificate as ``title`` of ``unit``; it replaces any active one.

    ``pkcs11`` (the demo): a new SoftHSM2 token with PIN ``pin``, an RSA 2048 key generated in it and a
    certificate from the demo root (CN = the officer's name, title = ``title``, O = the unit, CRL
    distribution point ``EGOV_CRL_URL``), stored on the token and here. ``csc``: the certificate the
    remote signing service holds for ``csc_credential_id`` (``certificate``, PEM or DER) is recorded.
    ``signature_image``: a PNG; default a drawn demo signature of the officer's name.

    Needs ``signing.manage`` over ``unit``. Raises :class:`ValidationFailed` for a missing title, a PIN
    shorter than 6 characters, an unknown method or a missing certificate/credential id.
    """
    unit = Organisation.objects.get(pk=unit.pk)
    policy.require(by, "signing.manage", unit)
    user = type(user).objects.select_for_update().get(pk=user.pk)
    title = " ".join((title or "").split())
    errors = []
    if not title:
        errors.append(FieldError("title", _("Nhập chức vụ của cán bộ (ví dụ: Phó Giám đốc).")))
    if method not in OfficerCredential.Method.values:
        errors.append(FieldError("method", _("Cách ký phải là token PKCS#11 hoặc ký số từ xa (CSC).")))
    elif method == OfficerCredential.Method.PKCS11:
        if len(pin or "") < MIN_PIN_LENGTH:
            errors.append(FieldError("pin", _("Mã PIN phải có ít nhất %(length)d ký tự.") % {"length": MIN_PIN_LENGTH}))
        if certificate is not None:
            errors.append(
                FieldError(
                    "certificate", _("Với token PKCS#11, chứng thư được cấp khi tạo token; không nhập chứng thư.")
                )
            )
    else:
        if not csc_credential_id.strip():
            errors.append(FieldError("csc_credential_id", _("Nhập mã chứng thư của dịch vụ ký số từ xa.")))
        if certificate is None:
            errors.append(FieldError("certificate", _("Nhập chứng thư số của cán bộ tại dịch vụ ký số từ xa.")))
    if errors:
        raise ValidationFailed(errors)

    settings = conf.current()
    name = _display_name(user)
    created_token = ""
    try:
        if method == OfficerCredential.Method.PKCS11:
            services.ensure_demo_root()
            root = services.load_root()
            label = tokens.token_label_for(user.pk)
            tokens.create_token(label=label, pin=pin, settings=settings)
            created_token = label
            key = tokens.generate_key(label=label, pin=pin, settings=settings)
            cert = pki.issue_officer_certificate(
                root,
                public_key=key.public_key,
                name=name,
                title=title,
                organisation=unit.name,
                identifier=user.get_username(),
                crl_url=settings.crl_url,
            )
            tokens.store_certificate(label=label, pin=pin, certificate=cert, settings=settings)
            token_label, key_label = label, key.key_label
        else:
            cert = _certificate_from(certificate)
            token_label, key_label = "", ""
        info = pki.certificate_info(cert)
        previous = list(OfficerCredential.objects.select_for_update().filter(user=user, active=True))
        for old in previous:
            before = _snapshot(old)
            old.active = False
            old.save(update_fields=["active"])
            audit.record(actor=by, action="signing.officer_replace", target=old, before=before, after=_snapshot(old))
        credential = OfficerCredential.objects.create(
            user=user,
            unit=unit,
            title=title,
            method=method,
            token_label=token_label,
            key_label=key_label,
            csc_credential_id=csc_credential_id.strip(),
            certificate=cert.public_bytes(serialization.Encoding.DER),
            subject=info.subject[:500],
            issuer=info.issuer[:500],
            serial=info.serial[:64],
            fingerprint_sha256=info.fingerprint_sha256,
            not_before=info.not_before,
            not_after=info.not_after,
            signature_image=signature_image or images.signature_png(name),
        )
        audit.record(actor=by, action="signing.officer_enrol", target=credential, after=_snapshot(credential))
    except BaseException:
        if created_token:
            tokens.delete_token(created_token, settings)
        raise
    return credential


@transaction.atomic
def revoke_officer_credential(*, by, credential: OfficerCredential, reason: str) -> OfficerCredential:
    """Revoke ``credential``: it can no longer sign, and (if the demo root issued it) its serial goes on
    the CRL published at ``/pki/crl/demo-root.crl``. The officer may revoke their own credential (a lost
    token); otherwise ``signing.manage`` over its unit is needed. Revoking twice keeps the first time."""
    credential = OfficerCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.user_id != getattr(by, "pk", None):
        policy.require(by, "signing.manage", credential.unit)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed.field("reason", _("Nhập lý do thu hồi chứng thư."))
    if credential.revoked_at is not None:
        return credential
    before = _snapshot(credential)
    credential.active = False
    credential.revoked_at = timezone.now()
    credential.revocation_reason = reason[:255]
    credential.save(update_fields=["active", "revoked_at", "revocation_reason"])
    audit.record(
        actor=by, action="signing.officer_revoke", target=credential, before=before, after=_snapshot(credential)
    )
    return credential


def active_credential(user) -> OfficerCredential | None:
    """The credential ``user`` signs with (active, not revoked; possibly expired), or ``None``."""
    if user is None or not getattr(user, "pk", None):
        return None
    return (
        OfficerCredential.objects.select_related("unit")
        .filter(user_id=user.pk, active=True, revoked_at__isnull=True)
        .first()
    )


def _usable_credential(user) -> OfficerCredential:
    credential = active_credential(user)
    if credential is None:
        latest = OfficerCredential.objects.filter(user_id=getattr(user, "pk", None)).first()
        if latest is not None and latest.revoked_at is not None:
            raise CertificateRevoked()
        raise NoOfficerCredential()
    now = timezone.now()
    if not credential.is_valid_at(now):
        raise CertificateExpired(
            _("Chứng thư số của cán bộ chỉ có hiệu lực từ %(start)s đến %(end)s; văn bản chưa được ký.")
            % {
                "start": f"{timezone.localtime(credential.not_before):%d/%m/%Y}",
                "end": f"{timezone.localtime(credential.not_after):%d/%m/%Y}",
            }
        )
    return credential


def _csc_signer(credential: OfficerCredential, pin: str):
    try:
        from egov.signing import csc  # written separately (CSC API v2 client); optional
    except ImportError as exc:
        raise RemoteSigningFailed(
            _("Chưa cài đặt mô-đun ký số từ xa (egov.signing.csc); văn bản chưa được ký.")
        ) from exc
    return csc.open_signer(credential=credential, pin=pin)


def sign_as_officer(*, by, pdf: bytes, pin: str, placement: Placement, reason: str = "") -> bytes:
    """``pdf`` signed (PAdES, B-T with the configured TSA, revocation info embedded) by ``by`` with their
    active credential, the officer's signature image in ``placement``.

    Raises :class:`NoOfficerCredential`, :class:`CertificateRevoked`, :class:`CertificateExpired`,
    :class:`InvalidDocument` (not a PDF / no such page), :class:`WrongPin` (the token refused the PIN),
    :class:`TokenNotFound`, :class:`TokenModuleMissing`, :class:`RemoteSigningFailed` (CSC). Nothing is
    signed when any of these is raised. Writes one audit record (the signed file's SHA-256).
    """
    if by is None or not getattr(by, "is_authenticated", False):
        raise PermissionDenied()
    credential = _usable_credential(by)
    pades.check_pdf(pdf)
    sign = functools.partial(
        pades.sign_placed,
        pdf,
        signing_time=timezone.now(),
        reason=reason or DEFAULT_OFFICER_REASON,
        location=credential.unit.address,
        placement=placement,
        image_png=bytes(credential.signature_image),
        field_prefix="ChuKyCanBo",
        timestamper=services.timestamper(),
        validation_context=services.revocation_context(),
    )
    if credential.method == OfficerCredential.Method.CSC:
        signed = sign(signer=_csc_signer(credential, pin))
    else:
        root_cert = services.root_certificate()  # the demo root issued the token's certificate
        with tokens.signing_session(credential.token_label, pin) as session:
            signer = PKCS11Signer(
                session,
                key_label=credential.key_label,
                signing_cert=asn1_x509.Certificate.load(bytes(credential.certificate)),
                ca_chain=[asn1_x509.Certificate.load(root_cert.public_bytes(serialization.Encoding.DER))],
                bulk_fetch=False,
            )
            signed = sign(signer=signer)
    with transaction.atomic():
        audit.record(
            actor=by,
            action="signing.officer_sign",
            target=credential,
            after={"serial": credential.serial, "sha256": hashlib.sha256(signed).hexdigest()},
        )
    return signed
