"""The typed errors of the signing app.

Every error is a :class:`~egov.core.errors.DomainError`, so the API and the pages map it to HTTP in
the one usual place, with a stable ``code`` and a Vietnamese message. Library code (``pki``,
``pades``) raises them too: callers catch :class:`SigningError` and never a pyHanko or
``cryptography`` exception.
"""

from __future__ import annotations

from egov.core.errors import DomainError

__all__ = [
    "SigningError",
    "KeyNotFound",
    "KeyNotUsable",
    "InvalidKeyFile",
    "InvalidDocument",
    "NoSignatures",
    "NoOfficerCredential",
    "WrongPin",
    "CertificateRevoked",
    "CertificateExpired",
    "RemoteSigningFailed",
    "TokenModuleMissing",
    "TokenNotFound",
]


class SigningError(DomainError):
    """Base class of every signing error. Raised as such when pyHanko fails unexpectedly."""

    code = "signing_error"
    status = 500
    default_message = "Không ký số được tài liệu."


class KeyNotFound(SigningError):
    """Neither the unit nor its agency has a signing key (or the PKI directory has no root CA)."""

    code = "signing_key_not_found"
    status = 409
    default_message = "Đơn vị chưa có khóa ký số."


class KeyNotUsable(SigningError):
    """The key exists but may not sign now: switched off, expired or not yet valid."""

    code = "signing_key_not_usable"
    status = 409
    default_message = "Khóa ký số của đơn vị không dùng được (đã tắt hoặc hết hạn)."


class InvalidKeyFile(SigningError):
    """A key file is missing, damaged, or encrypted with another passphrase (a server set-up fault)."""

    code = "signing_key_invalid"
    status = 500
    default_message = "Không đọc được tệp khóa ký số (tệp hỏng, thiếu hoặc sai mật khẩu)."


class InvalidDocument(SigningError):
    """The bytes given are not a PDF that can be signed or checked."""

    code = "invalid_pdf"
    status = 422
    default_message = "Tệp không phải là tệp PDF hợp lệ."


class NoSignatures(InvalidDocument):
    """A readable PDF without any signature to check."""

    code = "pdf_not_signed"
    default_message = "Tệp PDF không có chữ ký số nào."


# The officer's own signature (the documents pillar): a token through PKCS#11 or a remote signing
# service (CSC API v2). Each refusal leaves the document as it was: nothing is signed.


class NoOfficerCredential(SigningError):
    """The officer has no active personal certificate (token or remote signing credential)."""

    code = "officer_credential_not_found"
    status = 409
    default_message = "Cán bộ chưa có chứng thư số cá nhân để ký."


class WrongPin(SigningError):
    """The token or the remote signing service refused the PIN (or OTP)."""

    code = "wrong_pin"
    status = 422
    default_message = "Mã PIN không đúng; văn bản chưa được ký."


class CertificateRevoked(SigningError):
    """The signer's certificate is on its CA's revocation list."""

    code = "certificate_revoked"
    status = 409
    default_message = "Chứng thư số đã bị thu hồi; không thể ký."


class CertificateExpired(SigningError):
    """The signer's certificate is not valid today (expired or not yet valid)."""

    code = "certificate_expired"
    status = 409
    default_message = "Chứng thư số đã hết hạn hoặc chưa có hiệu lực; không thể ký."


class RemoteSigningFailed(SigningError):
    """The remote signing service could not be reached or answered with an error."""

    code = "remote_signing_failed"
    status = 502
    default_message = "Dịch vụ ký số từ xa không phản hồi hoặc báo lỗi; văn bản chưa được ký."


class TokenModuleMissing(SigningError):
    """The PKCS#11 library (SoftHSM2 in the demo) is not installed where EGOV_PKCS11_MODULE says."""

    code = "pkcs11_module_missing"
    status = 500
    default_message = (
        "Không tìm thấy thư viện PKCS#11 của thiết bị ký số (EGOV_PKCS11_MODULE); "
        "cài SoftHSM2 (apt-get install softhsm2) hoặc trình điều khiển token của nhà cung cấp."
    )


class TokenNotFound(SigningError):
    """The officer's token is not present (unplugged, or its SoftHSM2 directory was lost)."""

    code = "token_not_found"
    status = 409
    default_message = "Không tìm thấy thiết bị ký số (token) của cán bộ; văn bản chưa được ký."
