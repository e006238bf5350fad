"""The typed errors of the documents app: each refusal has a stable ``code``, an HTTP ``status`` and
a Vietnamese message; errors about one field name it (``field`` in ``details``)."""

from __future__ import annotations

from egov.core.errors import Conflict, DomainError

__all__ = [
    "DocumentError",
    "NotSigned",
    "SecretRelease",
    "NotTheSigner",
    "AlreadyIssued",
    "MissingAbbreviation",
    "ConversionUnavailableError",
]


class DocumentError(DomainError):
    code = "document_error"
    status = 400
    default_message = "Thao tác với văn bản không hợp lệ."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message, details={"field": field} if field else None)
        self.field = field


class NotSigned(DocumentError):
    """The clerk may issue only what the named signer has signed."""

    code = "document_not_signed"
    status = 409
    default_message = "Văn bản chưa được người có thẩm quyền ký số; văn thư không thể cấp số, phát hành."


class SecretRelease(DocumentError):
    """NĐ 30/2020 and the law on state secrets: secret documents never travel electronically."""

    code = "secret_document_release"
    status = 409
    default_message = "Văn bản mật không được phát hành qua mạng hoặc gửi ra ngoài hệ thống."


class NotTheSigner(DocumentError):
    code = "not_the_signer"
    status = 403
    default_message = "Chỉ người ký được ghi trên văn bản mới được ký văn bản này."


class AlreadyIssued(Conflict):
    """A number is asked for a document that already has one."""

    code = "document_already_issued"
    default_message = "Văn bản đã được cấp số và phát hành; không cấp số lần nữa."


class MissingAbbreviation(DocumentError):
    code = "missing_abbreviation"
    status = 409
    default_message = "Cơ quan hoặc đơn vị chưa có chữ viết tắt để ghi ký hiệu văn bản."


class ConversionUnavailableError(DocumentError):
    """LibreOffice is not installed on the server: a DOCX cannot become a PDF."""

    code = "docx_conversion_unavailable"
    status = 422
    default_message = "Máy chủ chưa cài LibreOffice nên không chuyển được tệp DOCX sang PDF; hãy tải lên bản PDF."
