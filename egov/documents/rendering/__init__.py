"""Rendering official documents: drafts to PDF with the NĐ 30/2020 layout, DOCX to PDF (LibreOffice),
scans to searchable PDFs (ocrmypdf), and reading PDFs (pages, text, where to sign).

Public API::

    render_draft(content: DraftContent) -> RenderedDraft        # pdf, placements, pages
    placements_for_upload(pdf: bytes) -> Placements             # boxes on an uploaded PDF
    page_count(pdf: bytes) -> int
    pdf_text(pdf: bytes) -> str
    docx_to_pdf(data: bytes) -> bytes; is_docx(data: bytes) -> bool
    ocr_pdf(data: bytes) -> bytes                               # PDF, JPEG or PNG in
    number_text(15, "QĐ-STP") -> "15/QĐ-STP"; date_line("Sơn Nam", date) -> "Sơn Nam, ngày ..."

No models, no database: the documents app's services call these and store the results.
"""

from egov.documents.rendering.content import (
    AUTHORITY_PREFIXES,
    SECRECIES,
    TYPE_NAMES,
    URGENCIES,
    DraftContent,
    Placements,
    RenderedDraft,
    date_line,
    number_text,
)
from egov.documents.rendering.convert import docx_to_pdf, is_docx
from egov.documents.rendering.errors import (
    ConversionFailed,
    ConversionUnavailable,
    InvalidPdf,
    OcrFailed,
    OcrUnavailable,
    PdfTextUnavailable,
    RenderFailed,
    RenderingError,
)
from egov.documents.rendering.layout import draft_html, render_draft
from egov.documents.rendering.ocr import ocr_pdf
from egov.documents.rendering.pdf import is_pdf, page_count, pdf_text, placements_for_upload

__all__ = [
    "AUTHORITY_PREFIXES",
    "SECRECIES",
    "TYPE_NAMES",
    "URGENCIES",
    "DraftContent",
    "Placements",
    "RenderedDraft",
    "date_line",
    "number_text",
    "render_draft",
    "draft_html",
    "placements_for_upload",
    "page_count",
    "pdf_text",
    "is_pdf",
    "docx_to_pdf",
    "is_docx",
    "ocr_pdf",
    "RenderingError",
    "RenderFailed",
    "InvalidPdf",
    "PdfTextUnavailable",
    "ConversionUnavailable",
    "ConversionFailed",
    "OcrUnavailable",
    "OcrFailed",
]
