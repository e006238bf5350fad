"""The signing app's settings, read once per call into a frozen dataclass.

Django settings (all optional; see ``egov/signing/README.md``):

``EGOV_PKI_DIR``
    Directory holding ``root-ca.pem``, ``root-ca.key`` (encrypted) and ``units/*.p12``.
    Default ``VAR_DIR / "pki"``.
``EGOV_SIGNING_PASSPHRASE``
    Passphrase of the root key and of every unit PKCS#12 file. Default ``"demo-signing-passphrase"``
    (demo only): production sets it from a secret file (``EGOV_SIGNING_PASSPHRASE_FILE``).
``EGOV_TRUST_ROOTS``
    Paths of PEM or DER files with the certificates that :func:`egov.signing.services.validate_pdf`
    trusts (a list, or one comma-separated string). Default ``[EGOV_PKI_DIR / "root-ca.pem"]``; an
    empty list trusts nothing.
``EGOV_PKCS11_MODULE``
    The PKCS#11 library of the officers' tokens. Default ``/usr/lib/softhsm/libsofthsm2.so`` (SoftHSM2,
    the demo's software token).
``EGOV_SOFTHSM_DIR``
    Where the demo's SoftHSM2 tokens and their generated ``softhsm2.conf`` live. Default
    ``VAR_DIR / "softhsm"``.
``EGOV_TSA_URL``
    An RFC 3161 time-stamping authority. Empty (the demo): the demo TSA key in the PKI directory
    time-stamps in-process, so signatures are PAdES B-T without a network.
``EGOV_CRL_URL``
    The CRL distribution point written into the certificates the demo root issues. Default
    ``EGOV_PUBLIC_URL + "/pki/crl/demo-root.crl"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

__all__ = ["DEFAULT_PASSPHRASE", "DEFAULT_PKCS11_MODULE", "CRL_PATH", "SigningSettings", "current"]

DEFAULT_PASSPHRASE = "demo-signing-passphrase"
DEFAULT_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
CRL_PATH = "/pki/crl/demo-root.crl"


@dataclass(frozen=True)
class SigningSettings:
    pki_dir: Path
    passphrase: bytes
    trust_roots: tuple[Path, ...]
    pkcs11_module: str = DEFAULT_PKCS11_MODULE
    softhsm_dir: Path = Path("var/softhsm")
    tsa_url: str = ""
    crl_url: str = ""

    @property
    def root_cert_path(self) -> Path:
        return self.pki_dir / "root-ca.pem"

    @property
    def root_key_path(self) -> Path:
        return self.pki_dir / "root-ca.key"

    @property
    def units_dir(self) -> Path:
        return self.pki_dir / "units"

    def key_path(self, relative: str) -> Path:
        return self.pki_dir / relative


def current() -> SigningSettings:
    """The settings in force now (read on every call, so tests can override them)."""
    pki_dir = Path(getattr(settings, "EGOV_PKI_DIR", None) or Path(settings.VAR_DIR) / "pki")
    passphrase = getattr(settings, "EGOV_SIGNING_PASSPHRASE", None) or DEFAULT_PASSPHRASE
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    roots = getattr(settings, "EGOV_TRUST_ROOTS", None)
    if isinstance(roots, str):  # "a.pem,b.pem", as an environment variable would give it
        roots = [p.strip() for p in roots.split(",") if p.strip()]
    trust_roots = (pki_dir / "root-ca.pem",) if roots is None else tuple(Path(p) for p in roots)
    public_url = (getattr(settings, "EGOV_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return SigningSettings(
        pki_dir=pki_dir,
        passphrase=passphrase,
        trust_roots=trust_roots,
        pkcs11_module=getattr(settings, "EGOV_PKCS11_MODULE", "") or DEFAULT_PKCS11_MODULE,
        softhsm_dir=Path(getattr(settings, "EGOV_SOFTHSM_DIR", None) or Path(settings.VAR_DIR) / "softhsm"),
        tsa_url=getattr(settings, "EGOV_TSA_URL", "") or "",
        crl_url=getattr(settings, "EGOV_CRL_URL", "") or public_url + CRL_PATH,
    )
