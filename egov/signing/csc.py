"""Client of a remote signing service that speaks the Cloud Signature Consortium API v2.

An officer whose key lives in a remote signing service (a "chữ ký số từ xa" from a licensed CA) signs
like this: the platform computes the hash of what is to be signed, sends it with the officer's PIN,
and receives the signature; the key never leaves the service. This module owns the HTTP side of it:

* an OAuth 2.0 client-credentials token (``oauth2/token``) for the platform, cached until it expires;
* ``credentials/list`` (:func:`list_credentials`) and ``credentials/info``
  (:func:`credential_certificates`);
* :func:`open_signer`, a pyHanko signer for :func:`egov.signing.pades.sign` that, for each signature,
  calls ``credentials/authorize`` with the PIN and the hash (explicit authorisation: the service answers
  with Signature Activation Data, SAD, bound to that hash) and then ``signatures/signHash`` with only
  the hash.

Every failure is one of the typed errors of :mod:`egov.signing.errors`, and none leaves anything
signed: a PIN the service refuses is :class:`WrongPin`; a service that cannot be reached, times out,
refuses the request or answers something that is not a CSC answer is :class:`RemoteSigningFailed`; a
certificate that is not valid today is :class:`CertificateExpired`. The signatures the service returns
are checked against the officer's certificate before pyHanko puts them in the PDF.

Settings (``egov/signing/README.md``, "Remote signing"): ``EGOV_CSC_URL`` (the base URL, ending in
``/csc/v2/``), ``EGOV_CSC_CLIENT_ID``, ``EGOV_CSC_CLIENT_SECRET``, ``EGOV_CSC_TIMEOUT`` (seconds).

The HTTP client is ``aiohttp`` (pyHanko's CSC signer is built on it). The synchronous functions run
their requests in a private event loop (``asyncio.run``), so they must not be called from inside a
running event loop; the signer's requests run in the loop pyHanko's ``PdfSigner.sign_pdf`` starts.
Nothing here touches the database.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import urljoin

import aiohttp
from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
)

from egov.signing.errors import CertificateExpired, NoOfficerCredential, RemoteSigningFailed, WrongPin

__all__ = [
    "DIGEST_ALGORITHM",
    "CscSettings",
    "CscCredential",
    "ServiceSession",
    "PinAuthorizationManager",
    "RemoteSigner",
    "current_settings",
    "list_credentials",
    "credential_certificates",
    "open_signer",
    "forget_tokens",
]

logger = logging.getLogger(__name__)

DIGEST_ALGORITHM = "sha256"  # what egov.signing.pades signs with
_TOKEN_MARGIN_SECONDS = 30  # a cached token is renewed this long before the service says it expires
_MAX_PAGES = 50  # credentials/list pages followed at most (a service looping on its page token)
# Service errors that mean "the officer's PIN (or OTP) is wrong".
_WRONG_PIN_ERRORS = frozenset({"invalid_pin", "invalid_otp"})

T = TypeVar("T")


class CscCredential(Protocol):
    """What :func:`open_signer` needs of an officer's credential (``OfficerCredential`` has it)."""

    csc_credential_id: str


@dataclass(frozen=True)
class CscSettings:
    url: str  # base URL of the CSC API, ending with "/" (".../csc/v2/")
    client_id: str
    client_secret: str = field(repr=False)
    timeout: float

    def endpoint(self, name: str) -> str:
        return urljoin(self.url, name)


def current_settings() -> CscSettings:
    """The settings in force now; :class:`RemoteSigningFailed` when no service is configured."""
    url = (getattr(settings, "EGOV_CSC_URL", "") or "").strip()
    if not url:
        logger.error("remote signing asked for, but EGOV_CSC_URL is not set")
        raise RemoteSigningFailed(_("Chưa cấu hình dịch vụ ký số từ xa; văn bản chưa được ký."))
    if not url.endswith("/"):
        url += "/"
    return CscSettings(
        url=url,
        client_id=getattr(settings, "EGOV_CSC_CLIENT_ID", "") or "",
        client_secret=getattr(settings, "EGOV_CSC_CLIENT_SECRET", "") or "",
        timeout=float(getattr(settings, "EGOV_CSC_TIMEOUT", 10) or 10),
    )


# --------------------------------------------------------------------------------------------------
# HTTP: requests, the service's errors, the OAuth 2.0 token
# --------------------------------------------------------------------------------------------------


class _Refused(Exception):
    """The service answered with a CSC error object (``{"error": ..., "error_description": ...}``)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description


def _as_domain_error(refusal: _Refused, endpoint: str) -> Exception:
    logger.warning("remote signing service refused %s: %s", endpoint, refusal)
    if refusal.error in _WRONG_PIN_ERRORS:
        return WrongPin(details={"service_error": refusal.error})
    return RemoteSigningFailed(
        _("Dịch vụ ký số từ xa từ chối yêu cầu; văn bản chưa được ký."),
        details={"service_error": refusal.error or f"http_{refusal.status}"},
    )


# (service URL, client id) -> (access token, expiry on the monotonic clock)
_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def forget_tokens() -> None:
    """Drop every cached access token (tests; a changed client secret)."""
    with _tokens_lock:
        _tokens.clear()


@dataclass
class ServiceSession:
    """The platform's connection to one CSC service: its settings, and the HTTP session of the event
    loop in which requests run now (opened by :meth:`connected`)."""

    conf: CscSettings
    http: aiohttp.ClientSession | None = None

    @asynccontextmanager
    async def connected(self):
        """An ``aiohttp`` session for the requests of this block (sessions belong to one event loop)."""
        # trust_env=False: no proxy from the environment between the platform and the signing service.
        async with aiohttp.ClientSession(trust_env=False) as http:
            self.http = http
            try:
                yield self
            finally:
                self.http = None

    async def _post(self, endpoint: str, *, body: dict | None = None, form: dict | None = None, token: str = ""):
        if self.http is None:
            raise RuntimeError("ServiceSession.connected() first")
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with self.http.post(
                self.conf.endpoint(endpoint),
                json=body if form is None else None,
                data=form,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.conf.timeout),
                allow_redirects=False,
            ) as response:
                status, text = response.status, await response.text()
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
            logger.warning("remote signing service unreachable at %s: %r", endpoint, exc)
            raise RemoteSigningFailed() from exc
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            logger.warning("remote signing service gave a non-JSON answer to %s (HTTP %s)", endpoint, status)
            raise RemoteSigningFailed()
        if status != 200:
            raise _Refused(status, str(answer.get("error") or ""), str(answer.get("error_description") or ""))
        return answer

    async def token(self, *, renew: bool = False) -> str:
        """The platform's access token (OAuth 2.0 client credentials), from the cache while it lasts."""
        key = (self.conf.url, self.conf.client_id)
        with _tokens_lock:
            cached = _tokens.get(key)
        if cached and not renew and cached[1] > time.monotonic():
            return cached[0]
        form = {
            "grant_type": "client_credentials",
            "client_id": self.conf.client_id,
            "client_secret": self.conf.client_secret,
        }
        try:
            answer = await self._post("oauth2/token", form=form)
        except _Refused as refusal:
            # A refused client is a set-up fault of the platform, never the officer's PIN.
            logger.error("remote signing service refused the platform's client credentials: %s", refusal)
            raise RemoteSigningFailed() from refusal
        access_token = answer.get("access_token")
        token_type = str(answer.get("token_type") or "Bearer")
        try:
            lifetime = int(answer.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 0
        if not isinstance(access_token, str) or not access_token or token_type.lower() != "bearer":
            logger.warning("remote signing service gave no bearer token")
            raise RemoteSigningFailed()
        if lifetime > _TOKEN_MARGIN_SECONDS:
            with _tokens_lock:
                _tokens[key] = (access_token, time.monotonic() + lifetime - _TOKEN_MARGIN_SECONDS)
        return access_token

    async def call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to a CSC endpoint with the platform's token; typed errors on any failure.

        A token the service no longer accepts (HTTP 401) is renewed once.
        """
        for attempt in range(2):
            token = await self.token(renew=attempt > 0)
            try:
                return await self._post(endpoint, body=body, token=token)
            except _Refused as refusal:
                if refusal.status == 401 and attempt == 0:
                    continue
                raise _as_domain_error(refusal, endpoint) from refusal
        raise AssertionError("unreachable")  # pragma: no cover


def _run(conf: CscSettings, work: Callable[[ServiceSession], Awaitable[T]]) -> T:
    async def main() -> T:
        async with ServiceSession(conf).connected() as service:
            return await work(service)

    return asyncio.run(main())


# --------------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------------


def list_credentials(*, user_id: str) -> list[str]:
    """The ids of the credentials the service holds for its user ``user_id`` (``credentials/list``)."""
    conf = current_settings()

    async def work(service: ServiceSession) -> list[str]:
        ids: list[str] = []
        page_token = None
        for _page in range(_MAX_PAGES):
            body: dict[str, Any] = {"userID": user_id}
            if page_token:
                body["pageToken"] = page_token
            answer = await service.call("credentials/list", body)
            page = answer.get("credentialIDs")
            if not isinstance(page, list) or not all(isinstance(item, str) for item in page):
                logger.warning("credentials/list answered without a list of credentialIDs")
                raise RemoteSigningFailed()
            ids += page
            page_token = answer.get("nextPageToken")
            if not page_token:
                return ids
        raise RemoteSigningFailed()

    return _run(conf, work)


async def _fetch_credential_info(service: ServiceSession, credential_id: str) -> CSCCredentialInfo:
    answer = await service.call(
        "credentials/info",
        {"credentialID": credential_id, "certificates": "chain", "certInfo": False, "authInfo": True},
    )
    return _credential_info(answer)


def _credential_info(answer: dict[str, Any]) -> CSCCredentialInfo:
    """A ``credentials/info`` answer (v2, or v1's field names) as pyHanko's :class:`CSCCredentialInfo`."""
    try:
        encoded = answer["cert"]["certificates"]
        if not isinstance(encoded, list) or not encoded:
            raise TypeError("no certificates")
        certificates = [asn1_x509.Certificate.load(base64.b64decode(item, validate=True)) for item in encoded]
        for certificate in certificates:
            certificate.native  # noqa: B018 - parses the whole structure now, not inside pyHanko later
        algorithm_oids = answer["key"]["algo"]
        if not isinstance(algorithm_oids, list):
            raise TypeError("key/algo is not a list")
        mechanisms = frozenset(algos.SignedDigestAlgorithmId(oid).native for oid in algorithm_oids)
        max_batch = int(answer.get("multisign", 1))
        scal = int(answer.get("SCAL", 1))
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        logger.warning("credentials/info answer not understood: %r", exc)
        raise RemoteSigningFailed() from exc
    key_status = (answer.get("key") or {}).get("status", "enabled")
    if key_status != "enabled":
        raise RemoteSigningFailed(_("Khóa ký số trên dịch vụ ký số từ xa đang bị khóa; văn bản chưa được ký."))
    auth = answer.get("auth") if isinstance(answer.get("auth"), dict) else {}
    mode = auth.get("mode") or answer.get("authMode") or "explicit"
    if mode != "explicit":
        # "oauth2code" sends the officer to the provider's own page: not supported (yet).
        logger.error("credential wants authorisation mode %r; only 'explicit' (PIN) is supported", mode)
        raise RemoteSigningFailed(
            _("Dịch vụ ký số từ xa yêu cầu cách xác thực chưa được hỗ trợ; văn bản chưa được ký.")
        )
    return CSCCredentialInfo(
        signing_cert=certificates[0],  # the CSC API puts the signer's certificate first
        chain=certificates[1:],
        supported_mechanisms=mechanisms,
        max_batch_size=max(1, max_batch),
        hash_pinning_required=scal == 2,
        response_data=answer,
    )


def _to_cryptography(certificate: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def credential_certificates(*, credential_id: str) -> tuple[x509.Certificate, tuple[x509.Certificate, ...]]:
    """The certificate of a credential and the CA certificates the service gives with it
    (``credentials/info``)."""
    conf = current_settings()
    info = _run(conf, lambda service: _fetch_credential_info(service, str(credential_id)))
    return _to_cryptography(info.signing_cert), tuple(_to_cryptography(c) for c in info.chain)


# --------------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------------


class _SessionInfo(CSCServiceSessionInfo):
    """``EGOV_CSC_URL`` already ends in ``/csc/v2/``; pyHanko would append ``/csc/<version>/``."""

    def endpoint_url(self, endpoint_name):
        return urljoin(self.service_url, endpoint_name)


class PinAuthorizationManager(CSCAuthorizationManager):
    """Explicit authorisation: ``credentials/authorize`` with the officer's PIN and the hashes about to
    be signed, for exactly that many signatures. A fresh SAD for every batch; the PIN stays in memory
    for as long as the signer lives."""

    def __init__(
        self,
        csc_session_info: CSCServiceSessionInfo,
        credential_info: CSCCredentialInfo,
        *,
        service: ServiceSession,
        pin: str,
        digest_algorithm: str = DIGEST_ALGORITHM,
    ) -> None:
        super().__init__(csc_session_info, credential_info)
        self._service = service
        self._pin = pin
        self._digest_algorithm = digest_algorithm

    def __repr__(self) -> str:  # never the PIN
        return f"<PinAuthorizationManager {self.csc_session_info.credential_id}>"

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        request = self.format_csc_auth_request(pin=self._pin, hash_b64s=list(hash_b64s))
        # CSC v2 names the hashes "hashes" and wants their algorithm (pyHanko writes v1's "hash").
        request["hashes"] = request.pop("hash")
        request["hashAlgorithmOID"] = algos.DigestAlgorithmId(self._digest_algorithm).dotted
        answer = await self._service.call("credentials/authorize", request)
        try:
            return self.parse_csc_auth_response(answer)
        except PyHankoSigningError as exc:
            logger.warning("credentials/authorize answered without a usable SAD")
            raise RemoteSigningFailed() from exc


class RemoteSigner(CSCSigner):
    """pyHanko's CSC signer, with the platform's conventions:

    * requests go through :class:`ServiceSession` (token, typed errors), in an ``aiohttp`` session
      opened for each signature in the event loop that pyHanko runs;
    * ``signatures/signHash`` gets CSC v2 field names and only the hash;
    * the signatures that come back are counted and verified against the certificate, so a service
      that answers nonsense leaves the PDF unsigned, not signed with garbage.
    """

    def __init__(self, *, auth_manager: PinAuthorizationManager, service: ServiceSession) -> None:
        self._service = service
        super().__init__(
            session=None,  # opened per signature, see async_sign_raw
            auth_manager=auth_manager,
            sign_timeout=int(service.conf.timeout) or 1,
            batch_size=1,
        )

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:  # pyHanko sizing the signature container: no request
            return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
        async with self._service.connected() as service:
            self.session = service.http
            try:
                signature = await super().async_sign_raw(data, digest_algorithm)
            except PyHankoSigningError as exc:
                logger.warning("remote signature failed inside pyHanko: %r", exc)
                raise RemoteSigningFailed() from exc
            finally:
                self.session = None
        self._verify(data, signature, digest_algorithm)
        return signature

    async def format_csc_signing_req(self, tbs_hashes: list[str], digest_algorithm: str) -> dict:
        request = await super().format_csc_signing_req(tbs_hashes, digest_algorithm)
        request["hashes"] = request.pop("hash")
        request["hashAlgorithmOID"] = request.pop("hashAlgo")
        request["operationMode"] = "S"  # synchronous
        return request

    async def commit(self) -> None:
        """``signatures/signHash`` for the current batch (pyHanko's commit, with typed errors).

        Uses ``CSCSigner``'s batch bookkeeping (``_current_batch``), as pyHanko's own commit does.
        """
        batch = self._current_batch
        if batch is None or batch.results is not None:
            return
        batch.initiated = True
        try:
            request = await self.format_csc_signing_req(batch.b64_hashes, batch.md_algorithm)
            answer = await self._service.call("signatures/signHash", request)
            encoded = answer.get("signatures")
            if not isinstance(encoded, list) or len(encoded) != len(batch.b64_hashes):
                logger.warning(
                    "signatures/signHash answered %s signature(s) for %s hash(es)",
                    len(encoded) if isinstance(encoded, list) else "no",
                    len(batch.b64_hashes),
                )
                raise RemoteSigningFailed()
            try:
                batch.results = [base64.b64decode(item, validate=True) for item in encoded]
            except (TypeError, ValueError, binascii.Error) as exc:
                raise RemoteSigningFailed() from exc
        finally:
            self._current_batch = None
            batch.notifier.set()

    def _verify(self, data: bytes, signature: bytes, digest_algorithm: str) -> None:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)["algorithm"].native
        public_key = _to_cryptography(self.signing_cert).public_key()
        chosen = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}
        hash_algorithm = chosen.get(digest_algorithm)
        if hash_algorithm is None:
            return
        digest = hashes.Hash(hash_algorithm)
        digest.update(data)
        prehashed = utils.Prehashed(hash_algorithm)
        try:
            if isinstance(public_key, rsa.RSAPublicKey) and mechanism.endswith("_rsa"):
                public_key.verify(signature, digest.finalize(), padding.PKCS1v15(), prehashed)
            elif isinstance(public_key, ec.EllipticCurvePublicKey) and mechanism.endswith("_ecdsa"):
                public_key.verify(signature, digest.finalize(), ec.ECDSA(prehashed))
        except InvalidSignature as exc:
            logger.warning("the remote signing service returned a signature that does not match the certificate")
            raise RemoteSigningFailed() from exc


def _certificate_of(credential: Any) -> x509.Certificate | None:
    """The certificate the platform has on file for ``credential`` (PEM/DER text or bytes, or an object)."""
    value = getattr(credential, "certificate", None)
    if value is None or value == "" or value == b"":
        return None
    if isinstance(value, x509.Certificate):
        return value
    if isinstance(value, asn1_x509.Certificate):
        return _to_cryptography(value)
    data = value.encode("ascii") if isinstance(value, str) else bytes(value)
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        logger.error("the officer's certificate on file cannot be read")
        raise RemoteSigningFailed() from exc


def open_signer(*, credential: CscCredential, pin: str, now: datetime | None = None) -> RemoteSigner:
    """A pyHanko signer for ``credential`` (``.csc_credential_id``, optionally ``.certificate``) that
    authorises each signature with ``pin``. Give it to :func:`egov.signing.pades.sign`.

    Calls ``credentials/info`` now: the service's certificate for the credential must be the one on
    file (when the credential has one) and valid at ``now``. The PIN is checked by the service at the
    first signature. Raises :class:`NoOfficerCredential`, :class:`WrongPin` (no PIN),
    :class:`CertificateExpired` or :class:`RemoteSigningFailed`; later, while signing,
    :class:`WrongPin` or :class:`RemoteSigningFailed`.
    """
    credential_id = str(getattr(credential, "csc_credential_id", "") or "")
    if not credential_id:
        raise NoOfficerCredential()
    if not pin:
        raise WrongPin(_("Chưa nhập mã PIN; văn bản chưa được ký."))
    conf = current_settings()
    info = _run(conf, lambda service: _fetch_credential_info(service, credential_id))
    certificate = _to_cryptography(info.signing_cert)
    on_file = _certificate_of(credential)
    if on_file is not None and on_file.fingerprint(hashes.SHA256()) != certificate.fingerprint(hashes.SHA256()):
        logger.error("credential %s: the service's certificate is not the one on file", credential_id)
        raise RemoteSigningFailed(
            _("Chứng thư số trên dịch vụ ký số từ xa khác với chứng thư đã đăng ký của cán bộ; văn bản chưa được ký.")
        )
    moment = now or datetime.now(UTC)
    if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
        raise CertificateExpired()
    service = ServiceSession(conf)
    session_info = _SessionInfo(service_url=conf.url, credential_id=credential_id, api_ver="v2")
    manager = PinAuthorizationManager(session_info, info, service=service, pin=pin)
    signer = RemoteSigner(auth_manager=manager, service=service)
    try:
        signer.get_signature_mechanism_for_digest(DIGEST_ALGORITHM)
    except PyHankoSigningError as exc:
        logger.error("credential %s supports none of the platform's signature mechanisms: %s", credential_id, exc)
        raise RemoteSigningFailed() from exc
    return signer
