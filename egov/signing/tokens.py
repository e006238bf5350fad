"""Officers' signing tokens through PKCS#11 (python-pkcs11); SoftHSM2 stands in for USB tokens in the
demo and the tests.

One token per officer, labelled from the account (``egov-<user id>-<random>``, at most 32 characters),
holding one RSA 2048 key pair and the officer's certificate, guarded by the officer's PIN. The platform
never keeps the PIN: it is asked at every signature.

SoftHSM2 reads its configuration file (``SOFTHSM2_CONF``) and its token directory when the library is
initialised, so this module writes ``EGOV_SOFTHSM_DIR/softhsm2.conf``, sets ``SOFTHSM2_CONF`` for the
process before loading the library, and re-initialises the library when a token made by another process
(or just now, by ``softhsm2-util``) is not found. Re-initialising closes every open session of the
process: a lock serialises token work within the process.

With a vendor's PKCS#11 module (``EGOV_PKCS11_MODULE``) the tokens are initialised by the CA; only
:func:`open_session` and :func:`find_token` apply then.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.translation import gettext as _
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass
from pkcs11 import exceptions as pkcs11_errors

from egov.signing import conf
from egov.signing.errors import SigningError, TokenModuleMissing, TokenNotFound, WrongPin

__all__ = [
    "KEY_LABEL",
    "TokenKey",
    "library",
    "softhsm_config",
    "token_label_for",
    "create_token",
    "find_token",
    "open_session",
    "signing_session",
    "generate_key",
    "store_certificate",
    "delete_token",
]

KEY_LABEL = "egov-signing"
_KEY_ID = b"\x01"
_LOCK = threading.RLock()
_STATE: dict[str, object] = {"key": None, "lib": None}


@dataclass(frozen=True)
class TokenKey:
    token_label: str
    key_label: str
    public_key: rsa.RSAPublicKey


def _is_softhsm(module: str) -> bool:
    return "softhsm" in Path(module).name.lower()


def softhsm_config(settings: conf.SigningSettings | None = None) -> Path:
    """``EGOV_SOFTHSM_DIR/softhsm2.conf`` (written if missing or different), tokens in ``tokens/``."""
    settings = settings or conf.current()
    directory = settings.softhsm_dir.resolve()
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    path = directory / "softhsm2.conf"
    content = (
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
    )
    if not path.exists() or path.read_text() != content:
        path.write_text(content)
    return path


def library(settings: conf.SigningSettings | None = None) -> pkcs11.lib:
    """The PKCS#11 library of ``EGOV_PKCS11_MODULE``, initialised for the current SoftHSM2 directory."""
    settings = settings or conf.current()
    module = settings.pkcs11_module
    if not Path(module).is_file():
        raise TokenModuleMissing(
            _(
                "Không tìm thấy thư viện PKCS#11 %(module)s (EGOV_PKCS11_MODULE); cài SoftHSM2 "
                "(apt-get install softhsm2) hoặc trình điều khiển token của nhà cung cấp."
            )
            % {"module": module}
        )
    with _LOCK:
        config = softhsm_config(settings) if _is_softhsm(module) else None
        key = (module, str(config))
        if _STATE["key"] != key:
            if config is not None:
                os.environ.update({"SOFTHSM2_CONF": str(config)})
            try:
                lib = pkcs11.lib(module)
            except (OSError, RuntimeError, pkcs11_errors.PKCS11Error) as exc:
                raise TokenModuleMissing() from exc
            if _STATE["key"] is not None:
                lib.reinitialize()
            _STATE.update(key=key, lib=lib)
        return _STATE["lib"]  # type: ignore[return-value]


def token_label_for(user_id: int | str) -> str:
    return f"egov-{user_id}-{secrets.token_hex(4)}"[:32]


def create_token(*, label: str, pin: str, settings: conf.SigningSettings | None = None) -> None:
    """A new SoftHSM2 token ``label`` whose user PIN is ``pin`` (the SO PIN is random and discarded)."""
    settings = settings or conf.current()
    if not _is_softhsm(settings.pkcs11_module):
        raise SigningError(_("Chỉ tạo được token mới với SoftHSM2; token thật do tổ chức chứng thực cấp."))
    util = shutil.which("softhsm2-util")
    if util is None:
        raise TokenModuleMissing(_("Không tìm thấy softhsm2-util: cài gói softhsm2 để tạo token ký số."))
    lib = library(settings)
    with _LOCK:
        config = softhsm_config(settings)
        result = subprocess.run(
            [util, "--init-token", "--free", "--label", label, "--so-pin", secrets.token_hex(8), "--pin", pin],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "SOFTHSM2_CONF": str(config)},
            check=False,
        )
        if result.returncode != 0:
            raise SigningError(
                _("Không tạo được token ký số: %(detail)s") % {"detail": result.stderr.strip() or result.stdout.strip()}
            )
        lib.reinitialize()


def find_token(label: str, settings: conf.SigningSettings | None = None) -> pkcs11.Token:
    lib = library(settings)
    with _LOCK:
        try:
            return lib.get_token(token_label=label)
        except pkcs11_errors.NoSuchToken:
            lib.reinitialize()  # made by another process since this one loaded the library
            try:
                return lib.get_token(token_label=label)
            except pkcs11_errors.NoSuchToken as exc:
                raise TokenNotFound() from exc


_PIN_ERRORS = (
    pkcs11_errors.PinIncorrect,
    pkcs11_errors.PinInvalid,
    pkcs11_errors.PinLenRange,
    pkcs11_errors.PinExpired,
    pkcs11_errors.ArgumentsBad,
)


def open_session(label: str, pin: str, *, rw: bool = False, settings=None) -> pkcs11.Session:
    """A logged-in session on token ``label``. :class:`WrongPin` when the token refuses ``pin``."""
    if not pin:
        raise WrongPin(_("Chưa nhập mã PIN; văn bản chưa được ký."))
    token = find_token(label, settings)
    try:
        return token.open(rw=rw, user_pin=pin)
    except pkcs11_errors.PinLocked as exc:
        raise WrongPin(_("Token đã bị khóa do nhập sai mã PIN nhiều lần; văn bản chưa được ký.")) from exc
    except _PIN_ERRORS as exc:
        raise WrongPin() from exc


@contextmanager
def signing_session(label: str, pin: str, settings=None) -> Iterator[pkcs11.Session]:
    """A logged-in session for one signature, held under the process's token lock (a re-initialisation
    by another thread, after a new token, would otherwise close it mid-signature). PKCS#11 failures
    other than the PIN become :class:`SigningError`."""
    with _LOCK:
        session = open_session(label, pin, settings=settings)
        try:
            yield session
        except pkcs11_errors.PKCS11Error as exc:
            raise SigningError(_("Thiết bị ký số báo lỗi khi ký; văn bản chưa được ký.")) from exc
        finally:
            session.close()


def generate_key(*, label: str, pin: str, settings=None) -> TokenKey:
    """An RSA 2048 key pair generated inside token ``label`` (the private key is not extractable)."""
    with _LOCK, open_session(label, pin, rw=True, settings=settings) as session:
        public, _private = session.generate_keypair(
            KeyType.RSA,
            2048,
            store=True,
            label=KEY_LABEL,
            id=_KEY_ID,
            private_template={Attribute.EXTRACTABLE: False, Attribute.SENSITIVE: True},
        )
        modulus = int.from_bytes(public[Attribute.MODULUS], "big")
        exponent = int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big")
    return TokenKey(
        token_label=label, key_label=KEY_LABEL, public_key=rsa.RSAPublicNumbers(exponent, modulus).public_key()
    )


def store_certificate(*, label: str, pin: str, certificate: x509.Certificate, settings=None) -> None:
    """The officer's certificate on the token next to the key (same label and id, as CAs do)."""
    with _LOCK, open_session(label, pin, rw=True, settings=settings) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: KEY_LABEL,
                Attribute.ID: _KEY_ID,
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.ISSUER: certificate.issuer.public_bytes(),
                Attribute.SERIAL_NUMBER: certificate.serial_number.to_bytes(20, "big").lstrip(b"\x00") or b"\x00",
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
            }
        )


def delete_token(label: str, settings: conf.SigningSettings | None = None) -> None:
    """Remove SoftHSM2 token ``label`` (used when an enrolment fails half-way)."""
    settings = settings or conf.current()
    util = shutil.which("softhsm2-util")
    if util is None or not _is_softhsm(settings.pkcs11_module):
        return
    with _LOCK:
        config = softhsm_config(settings)
        subprocess.run(
            [util, "--delete-token", "--token", label],
            capture_output=True,
            timeout=60,
            env={**os.environ, "SOFTHSM2_CONF": str(config)},
            check=False,
        )
        library(settings).reinitialize()
