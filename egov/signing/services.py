"""Signing keys of the units, and the two operations the rest of the platform calls:
:func:`sign_pdf` (an issued form or document gets its unit's PAdES signature) and :func:`validate_pdf`
(who signed a PDF, when, is it intact, is the certificate trusted).

Key changes are services in the usual sense: keyword-only, authorised with ``signing.manage``,
atomic, audited. ``sign_pdf`` and ``validate_pdf`` write nothing: the caller that issues a signed
document records that in its own service. The PDF work itself is :mod:`egov.signing.pades`, the
certificates :mod:`egov.signing.pki`; settings are read through :mod:`egov.signing.conf`.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from django.db import IntegrityError, transaction
from django.utils import timezone
from pyhanko.sign import signers

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, ValidationFailed
from egov.organisations.models import Organisation
from egov.signing import conf, pades, pki, selectors
from egov.signing.errors import InvalidKeyFile, KeyNotFound, KeyNotUsable
from egov.signing.images import seal_png
from egov.signing.models import OfficerCredential, SigningKey
from egov.signing.pades import Appearance, SignatureReport, TextBox
from egov.signing.placement import Placement

__all__ = [
    "DEFAULT_REASON",
    "ensure_demo_root",
    "issue_unit_key",
    "install_unit_key",
    "ensure_demo_keys",
    "sign_pdf",
    "validate_pdf",
    "trust_root_certificates",
    "load_root",
    "root_certificate",
    "current_crl",
    "timestamper",
    "revocation_context",
    "seal_image",
    "seal_issued",
    "seal_attachment",
]

logger = logging.getLogger(__name__)

DEFAULT_REASON = "Phát hành văn bản điện tử"


# --------------------------------------------------------------------------------------------------
# The PKI directory
# --------------------------------------------------------------------------------------------------


@contextmanager
def _pki_lock(settings: conf.SigningSettings):
    """One process at a time creates the root (two roots would orphan the keys of the first)."""
    settings.pki_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.pki_dir / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_demo_root() -> Path:
    """The path of the root certificate in the PKI directory, creating a demo root if there is none.

    Idempotent: an existing ``root-ca.pem`` is kept as it is, whoever made it.
    """
    settings = conf.current()
    if settings.root_cert_path.exists():
        return settings.root_cert_path
    with _pki_lock(settings):
        if not settings.root_cert_path.exists():
            root = pki.create_root_ca()
            pki.write_root_ca(
                root,
                cert_path=settings.root_cert_path,
                key_path=settings.root_key_path,
                passphrase=settings.passphrase,
            )
            audit.record(
                actor=None,
                action="signing.root_create",
                target_repr=root.info.subject,
                after={"subject": root.info.subject, "fingerprint_sha256": root.info.fingerprint_sha256},
            )
    return settings.root_cert_path


_ROOTS: dict[tuple, pki.RootCA] = {}


def _load_root(settings: conf.SigningSettings) -> pki.RootCA:
    try:
        stamp = (str(settings.root_cert_path), settings.root_cert_path.stat().st_mtime_ns, settings.passphrase)
    except OSError:
        stamp = None
    if stamp is not None and stamp in _ROOTS:
        return _ROOTS[stamp]
    root = pki.load_root_ca(
        cert_path=settings.root_cert_path, key_path=settings.root_key_path, passphrase=settings.passphrase
    )
    if stamp is not None:
        with _SIGNERS_LOCK:
            if len(_ROOTS) > 16:
                _ROOTS.clear()
            _ROOTS[stamp] = root
    return root


def load_root() -> pki.RootCA:
    """The root CA of the PKI directory (certificate and key), cached per process.

    Raises :class:`KeyNotFound` when there is none (run ``make_demo_pki``)."""
    return _load_root(conf.current())


def root_certificate() -> x509.Certificate:
    return load_root().certificate


# --------------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------------


def _file_name(unit: Organisation, fingerprint: str) -> str:
    # Agency codes are [0-9A-Z.]; the fingerprint keeps a renewed key from overwriting the old file.
    stem = "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in (unit.identifier or f"unit{unit.pk}"))
    return f"units/{stem}-{fingerprint[:16]}.p12"


def _save_key(
    *, by, unit: Organisation, pkcs12: bytes, info: pki.CertificateInfo, origin: str, action: str
) -> SigningKey:
    settings = conf.current()
    relative = _file_name(unit, info.fingerprint_sha256)
    # Written before the row commits: a rollback leaves an unused file, never a row without its file.
    pki.write_private_file(settings.key_path(relative), pkcs12)
    existing = SigningKey.objects.select_for_update().filter(unit=unit).first()
    before = audit.snapshot(existing) if existing is not None else None
    key = existing or SigningKey(unit=unit)
    key.p12_path = relative
    key.origin = origin
    key.subject = info.subject[:500]
    key.issuer = info.issuer[:500]
    key.serial = info.serial[:64]
    key.fingerprint_sha256 = info.fingerprint_sha256
    key.not_before = info.not_before
    key.not_after = info.not_after
    key.created_at = timezone.now()
    key.is_active = True
    try:
        with transaction.atomic():
            key.save()
    except IntegrityError as exc:  # a concurrent call gave the unit a key, or the same file is in use
        raise Conflict("Đơn vị vừa được cấp khóa ký số khác, hoặc chứng thư này đã được dùng.") from exc
    audit.record(actor=by, action=action, target=key, before=before, after=audit.snapshot(key))
    return key


def _issue(*, by, unit: Organisation, root: pki.RootCA) -> SigningKey:
    settings = conf.current()
    issued = pki.issue_unit_certificate(
        root,
        name=unit.name,
        identifier=unit.identifier or f"unit{unit.pk}",
        passphrase=settings.passphrase,
        crl_url=settings.crl_url,
    )
    return _save_key(
        by=by,
        unit=unit,
        pkcs12=issued.pkcs12,
        info=issued.info,
        origin=SigningKey.Origin.PLATFORM,
        action="signing.key_issue",
    )


@transaction.atomic
def issue_unit_key(*, by, unit: Organisation) -> SigningKey:
    """A new key and certificate for ``unit`` from the root in the PKI directory (replacing any key it had).

    Needs ``signing.manage`` over the unit. Raises :class:`KeyNotFound` when the PKI directory has no
    root CA (run ``make_demo_pki``).
    """
    unit = Organisation.objects.get(pk=unit.pk)  # policy compares paths: decide on the current one
    policy.require(by, "signing.manage", unit)
    return _issue(by=by, unit=unit, root=_load_root(conf.current()))


def _can_sign(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        return True
    return bool(usage.digital_signature or usage.content_commitment)


@transaction.atomic
def install_unit_key(*, by, unit: Organisation, pkcs12: bytes, passphrase: bytes | str | None) -> SigningKey:
    """Install a key issued by a CA (a ``.p12``/``.pfx`` file and its passphrase) as ``unit``'s key.

    The file is re-encrypted with ``EGOV_SIGNING_PASSPHRASE`` and stored in the PKI directory; the
    original passphrase is not kept. Needs ``signing.manage`` over the unit.
    """
    unit = Organisation.objects.get(pk=unit.pk)
    policy.require(by, "signing.manage", unit)
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    try:
        contents = pki.read_pkcs12(pkcs12, passphrase=passphrase or None)
    except InvalidKeyFile as exc:
        raise ValidationFailed.field("pkcs12", exc.message) from exc
    now = timezone.now()
    errors = []
    if not contents.info.is_valid_at(now):
        errors.append(
            FieldError(
                "pkcs12",
                f"Chứng thư chỉ có hiệu lực từ {timezone.localtime(contents.info.not_before):%d/%m/%Y} "
                f"đến {timezone.localtime(contents.info.not_after):%d/%m/%Y}.",
            )
        )
    if not _can_sign(contents.certificate):
        errors.append(FieldError("pkcs12", "Chứng thư không được phép dùng để ký số (thiếu digitalSignature)."))
    if errors:
        raise ValidationFailed(errors)
    settings = conf.current()
    data = pki.reencrypt_pkcs12(
        pkcs12,
        passphrase=passphrase or None,
        new_passphrase=settings.passphrase,
        friendly_name=unit.identifier or f"unit{unit.pk}",
    )
    return _save_key(
        by=by,
        unit=unit,
        pkcs12=data,
        info=contents.info,
        origin=SigningKey.Origin.INSTALLED,
        action="signing.key_install",
    )


def ensure_demo_keys(units: Iterable[Organisation]) -> int:
    """Give every unit in ``units`` that has no key (active or not) a demo key; returns how many were made.

    Idempotent. Creates the demo root first if the PKI directory has none. Used by the demo seed with
    the active agencies and one-stop units; an ECDSA P-256 key costs a few milliseconds, so about a
    hundred units take well under a second.
    """
    units = list(units)
    if not units:
        return 0
    ensure_demo_root()
    have = set(SigningKey.objects.filter(unit__in=units).values_list("unit_id", flat=True))
    missing = [u for u in units if u.pk not in have]
    if not missing:
        return 0
    root = _load_root(conf.current())
    with transaction.atomic():
        for unit in missing:
            _issue(by=None, unit=unit, root=root)
    return len(missing)


# --------------------------------------------------------------------------------------------------
# Signing and validation
# --------------------------------------------------------------------------------------------------

# Loaded signers, so that a PKCS#12 file is decrypted once per process, not once per form.
_SIGNERS: dict[tuple[str, str, int], signers.SimpleSigner] = {}
_SIGNERS_LIMIT = 512
_SIGNERS_LOCK = threading.Lock()


def _signer(key: SigningKey, settings: conf.SigningSettings) -> signers.SimpleSigner:
    path = settings.key_path(key.p12_path)
    try:
        cache_key = (str(path), key.fingerprint_sha256, path.stat().st_mtime_ns)
    except OSError as exc:
        raise InvalidKeyFile(f"Không tìm thấy tệp khóa ký số của {key.unit.name} ({key.p12_path}).") from exc
    with _SIGNERS_LOCK:
        signer = _SIGNERS.get(cache_key)
    if signer is not None:
        return signer
    signer = pades.load_signer(path.read_bytes(), passphrase=settings.passphrase)
    fingerprint = signer.signing_cert.sha256_fingerprint.replace(" ", "").lower()
    if fingerprint != key.fingerprint_sha256:
        raise InvalidKeyFile(f"Tệp khóa {key.p12_path} không khớp với chứng thư đã đăng ký của {key.unit.name}.")
    with _SIGNERS_LOCK:
        if len(_SIGNERS) >= _SIGNERS_LIMIT:
            _SIGNERS.clear()
        _SIGNERS[cache_key] = signer
    return signer


def sign_pdf(
    *,
    pdf: bytes,
    unit: Organisation,
    reason: str = DEFAULT_REASON,
    location: str = "",
    field_name: str | None = None,
    appearance: str | None = None,
    stamp_lines: tuple[str, ...] = (),
) -> bytes:
    """``pdf`` signed (PAdES B-B) with the key of ``unit``: its own, else its agency's.

    ``stamp_lines`` (with ``appearance="stamp"``) are printed in the stamp above the signer's name.

    ``appearance``: ``None`` for an invisible signature, ``"stamp"`` for a small box at the top right
    of page 1 with the signer's name and the signing time (Vietnam time, ISO 8601). ``location``
    defaults to the signing unit's address. Raises :class:`KeyNotFound` (no key up to the agency),
    :class:`KeyNotUsable` (switched off, expired), :class:`InvalidKeyFile`, :class:`InvalidDocument`.
    """
    if appearance is not None and appearance not in {a.value for a in Appearance}:
        raise ValueError(f"unknown appearance {appearance!r}; use None or {[a.value for a in Appearance]}")
    key = selectors.key_for(unit)
    now = timezone.now()
    if not key.is_usable_at(now):
        raise KeyNotUsable(
            f"Khóa ký số của {key.unit.name} chỉ có hiệu lực từ {timezone.localtime(key.not_before):%d/%m/%Y} "
            f"đến {timezone.localtime(key.not_after):%d/%m/%Y}."
        )
    signer = _signer(key, conf.current())
    stamp = None
    if appearance == Appearance.STAMP:
        stamp = pades.Stamp(
            signer_name=pades.signer_display_name(signer.signing_cert) or key.unit.name,
            lines=tuple(stamp_lines),
            height_mm=11.0 + 2.4 * len(stamp_lines),
            width_mm=80.0 if stamp_lines else 64.0,
        )
    return pades.sign(
        pdf,
        signer=signer,
        signing_time=now,
        reason=reason,
        location=location or key.unit.address,
        field_name=field_name,
        stamp=stamp,
    )


def trust_root_certificates(paths: Iterable[Path | str] | None = None) -> list[x509.Certificate]:
    """The certificates in ``paths`` (default ``EGOV_TRUST_ROOTS``). A missing file is logged and skipped."""
    result: list[x509.Certificate] = []
    for path in conf.current().trust_roots if paths is None else paths:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError:
            logger.warning("trust root %s cannot be read; it is ignored", path)
            continue
        result.extend(pki.load_certificates(data))
    return result


def validate_pdf(
    pdf: bytes, *, trust_roots: Iterable[x509.Certificate | Path | str] | None = None
) -> list[SignatureReport]:
    """One :class:`SignatureReport` per signature of ``pdf``.

    ``trust_roots``: certificates or paths of PEM/DER files; default ``EGOV_TRUST_ROOTS`` (the demo root
    in the PKI directory unless configured). Raises :class:`InvalidDocument` (not a PDF) and
    :class:`NoSignatures`, both with a Vietnamese message for the person who uploaded the file.
    """
    if trust_roots is None:
        roots = trust_root_certificates()
    else:
        roots = []
        for item in trust_roots:
            roots.extend([item] if isinstance(item, x509.Certificate) else trust_root_certificates([item]))
    return pades.validate(pdf, trust_roots=roots, crls=_known_crls())


def _known_crls() -> list[bytes]:
    """The demo root's current CRL, when this platform holds a root (so validation knows revocations
    made after a document was signed)."""
    try:
        return [current_crl()]
    except (KeyNotFound, InvalidKeyFile):
        return []


# --------------------------------------------------------------------------------------------------
# Revocation (the demo root's CRL) and time-stamps (PAdES B-T)
# --------------------------------------------------------------------------------------------------

_CRLS: dict[tuple, tuple[bytes, object]] = {}


def current_crl() -> bytes:
    """The demo root's CRL (DER): every revoked officer certificate it issued. Rebuilt when a revocation
    is added and at least daily (it is valid for 7 days); served at ``/pki/crl/demo-root.crl``."""
    root = load_root()
    issuer = root.info.subject
    rows = list(
        OfficerCredential.objects.filter(revoked_at__isnull=False, issuer=issuer[:500])
        .order_by("revoked_at", "pk")
        .values_list("serial", "revoked_at")
    )
    today = timezone.now().date()
    cache_key = (root.info.fingerprint_sha256, tuple(rows), today)
    cached = _CRLS.get(cache_key)
    if cached is not None:
        return cached[0]
    crl = pki.build_crl(root, revoked=[(int(serial, 16), moment) for serial, moment in rows])
    from cryptography.hazmat.primitives import serialization

    der = crl.public_bytes(serialization.Encoding.DER)
    with _SIGNERS_LOCK:
        if len(_CRLS) > 16:
            _CRLS.clear()
        _CRLS[cache_key] = (der, crl)
    return der


_TSA: dict[tuple, object] = {}


def _tsa_path(settings: conf.SigningSettings) -> Path:
    return settings.pki_dir / "tsa.p12"


def timestamper():
    """The RFC 3161 time-stamper for B-T signatures: ``EGOV_TSA_URL`` if set, else the demo TSA (a key
    issued by the demo root, in ``EGOV_PKI_DIR/tsa.p12``), which answers in-process without a network."""
    settings = conf.current()
    if settings.tsa_url:
        from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

        return HTTPTimeStamper(settings.tsa_url, timeout=10)
    path = _tsa_path(settings)
    if not path.exists():
        ensure_demo_root()
        with _pki_lock(settings):
            if not path.exists():
                issued = pki.issue_tsa_key(_load_root(settings), passphrase=settings.passphrase)
                pki.write_private_file(path, issued.pkcs12)
    cache_key = (str(path), path.stat().st_mtime_ns)
    stamper = _TSA.get(cache_key)
    if stamper is None:
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        loaded = pades.load_signer(path.read_bytes(), passphrase=settings.passphrase)
        stamper = DummyTimeStamper(
            tsa_cert=loaded.signing_cert, tsa_key=loaded.signing_key, certs_to_embed=loaded.cert_registry
        )
        with _SIGNERS_LOCK:
            _TSA.clear()
            _TSA[cache_key] = stamper
    return stamper


def revocation_context():
    """A pyHanko validation context for signing: the configured trust roots and the demo root, with the
    demo root's current CRL, so that the signature embeds its revocation information (B-LT) offline."""
    roots = trust_root_certificates()
    crls = []
    try:
        root = load_root()
    except (KeyNotFound, InvalidKeyFile):
        root = None
    if root is not None:
        roots.append(root.certificate)
        crls.append(current_crl())
    return pades.crl_validation_context(trust_roots=roots, crls=crls)


# --------------------------------------------------------------------------------------------------
# The organisation's seal at issue
# --------------------------------------------------------------------------------------------------

ISSUE_REASON = "Ban hành văn bản"


def seal_image(unit: Organisation) -> bytes:
    """The demo's red round seal of ``unit`` (PNG, cached per name)."""
    return seal_png(unit.name)


def _usable_key(unit: Organisation) -> SigningKey:
    key = selectors.key_for(unit)
    now = timezone.now()
    if not key.is_usable_at(now):
        raise KeyNotUsable(
            f"Khóa ký số của {key.unit.name} chỉ có hiệu lực từ {timezone.localtime(key.not_before):%d/%m/%Y} "
            f"đến {timezone.localtime(key.not_after):%d/%m/%Y}."
        )
    return key


def seal_issued(
    *,
    unit: Organisation,
    pdf: bytes,
    seal: Placement,
    number_text: str,
    number: Placement,
    date_text: str,
    date: Placement,
) -> bytes:
    """The organisation's signature on a document the officer has signed: the red seal image at ``seal``
    (over about a third of the officer's signature), ``number_text`` ("Số: 15/QĐ-UBND") in ``number`` and
    ``date_text`` ("Sơn Nam, ngày 05 tháng 12 năm 2026") in ``date``, on a white background.

    One incremental revision: the number and the date are further widgets of the seal's signature field,
    so the officer's signature stays valid and its modification level stays "form filling". Signed with
    the key of ``unit`` (its own, else its agency's), time-stamped (B-T), revocation info embedded.
    Writes nothing. Raises :class:`KeyNotFound`, :class:`KeyNotUsable`, :class:`InvalidKeyFile`,
    :class:`InvalidDocument`.
    """
    key = _usable_key(unit)
    signer = _signer(key, conf.current())
    return pades.sign_placed(
        pdf,
        signer=signer,
        signing_time=timezone.now(),
        reason=ISSUE_REASON,
        location=key.unit.address,
        placement=seal,
        image_png=seal_image(key.unit),
        text_boxes=(
            TextBox(placement=number, text=number_text, align="left"),
            TextBox(placement=date, text=date_text, align="center", italic=True),
        ),
        field_prefix="DauCoQuan",
        timestamper=timestamper(),
        validation_context=revocation_context(),
    )


def seal_attachment(*, unit: Organisation, pdf: bytes, label: str) -> bytes:
    """The organisation's signature on an attachment (NĐ 30/2020 Phụ lục I): no image, a stamp at the top
    right of page 1 with ``label`` (the number/symbol of the document it belongs to), the signer and the
    time. Time-stamped (B-T). Writes nothing."""
    key = _usable_key(unit)
    signer = _signer(key, conf.current())
    stamp = pades.Stamp(
        signer_name=pades.signer_display_name(signer.signing_cert) or key.unit.name,
        lines=(label,) if label else (),
        height_mm=11.0 + (2.4 if label else 0),
        width_mm=80.0 if label else 64.0,
    )
    return pades.sign(
        pdf,
        signer=signer,
        signing_time=timezone.now(),
        reason=ISSUE_REASON,
        location=key.unit.address,
        stamp=stamp,
        timestamper=timestamper(),
    )
