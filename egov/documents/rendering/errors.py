"""The typed errors of document rendering, conversion and OCR.

Every error is a :class:`~egov.core.errors.DomainError` (stable ``code``, HTTP ``status``,
Vietnamese message), so callers catch :class:`RenderingError` and never a WeasyPrint, pyHanko or
subprocess exception. "Unavailable" errors mean a tool is missing on the server (503, an operator's
matter); "Failed" errors mean the file itself could not be processed (422, the user's file).
"""

from __future__ import annotations

from egov.core.errors import DomainError

__all__ = [
    "RenderingError",
    "RenderFailed",
    "InvalidPdf",
    "PdfTextUnavailable",
    "ConversionUnavailable",
    "ConversionFailed",
    "OcrUnavailable",
    "OcrFailed",
]


class RenderingError(DomainError):
    """Base class of every error of this package."""

    code = "document_rendering_error"
    status = 500
    default_message = "Không xử lý được tệp văn bản."


class RenderFailed(RenderingError):
    """WeasyPrint could not lay out the draft (a server fault: the content is plain text)."""

    code = "document_render_failed"
    status = 500
    default_message = "Không tạo được bản PDF của dự thảo văn bản."


class InvalidPdf(RenderingError):
    """The bytes are not a readable PDF."""

    code = "document_pdf_invalid"
    status = 422
    default_message = "Tệp không phải là PDF hợp lệ."


class PdfTextUnavailable(RenderingError):
    """``pdftotext`` (poppler-utils) is not installed on the server."""

    code = "document_pdf_text_unavailable"
    status = 503
    default_message = "Máy chủ chưa cài pdftotext (poppler-utils) nên không đọc được chữ trong tệp PDF."


class ConversionUnavailable(RenderingError):
    """LibreOffice (``soffice``, setting ``EGOV_SOFFICE``) is not installed on the server."""

    code = "document_conversion_unavailable"
    status = 503
    default_message = "Máy chủ chưa cài LibreOffice nên không chuyển được tệp DOCX sang PDF. Vui lòng tải lên bản PDF."


class ConversionFailed(RenderingError):
    """LibreOffice ran but produced no PDF: a damaged file, not a DOCX, or a time-out."""

    code = "document_conversion_failed"
    status = 422
    default_message = "Không chuyển được tệp DOCX sang PDF (tệp hỏng hoặc không đúng định dạng DOCX)."


class OcrUnavailable(RenderingError):
    """``ocrmypdf`` (setting ``EGOV_OCRMYPDF``) or Tesseract's Vietnamese data is not installed."""

    code = "document_ocr_unavailable"
    status = 503
    default_message = "Máy chủ chưa cài ocrmypdf (nhận dạng chữ tiếng Việt) nên không xử lý được bản quét."


class OcrFailed(RenderingError):
    """ocrmypdf ran but failed: not a PDF or image, a damaged scan, or a time-out."""

    code = "document_ocr_failed"
    status = 422
    default_message = "Không nhận dạng được chữ trong bản quét (tệp hỏng hoặc không phải PDF, JPEG, PNG)."
