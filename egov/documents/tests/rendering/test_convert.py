"""DOCX to PDF with LibreOffice headless."""

from __future__ import annotations

import io
import zipfile

import pytest

from egov.documents.rendering import ConversionFailed, ConversionUnavailable, docx_to_pdf, is_docx, pdf_text

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="word/document.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paragraphs}
<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"""


def make_docx(*paragraphs: str) -> bytes:
    """A minimal DOCX built by hand (python-docx is not a dependency)."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>' for text in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", RELS)
        package.writestr("word/document.xml", DOCUMENT.format(paragraphs=body))
    return buffer.getvalue()


def test_a_docx_becomes_a_pdf_with_its_text():
    data = make_docx("TỜ TRÌNH", "Về việc phê duyệt kế hoạch số hóa tài liệu lưu trữ của Sở Tư pháp")

    pdf = docx_to_pdf(data)

    assert pdf.startswith(b"%PDF-")
    text = " ".join(pdf_text(pdf).split())
    assert "TỜ TRÌNH Về việc phê duyệt kế hoạch số hóa tài liệu lưu trữ của Sở Tư pháp" in text


def test_is_docx_recognises_only_wordprocessing_packages():
    assert is_docx(make_docx("Một"))
    assert not is_docx(b"%PDF-1.7\n")
    assert not is_docx(b"PK\x03\x04 not really a zip")
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("xl/workbook.xml", "<workbook/>")
    assert not is_docx(other.getvalue())


def test_a_file_that_is_not_a_docx_is_refused_before_libreoffice_runs():
    with pytest.raises(ConversionFailed) as raised:
        docx_to_pdf(b"%PDF-1.7 not a docx")

    assert raised.value.code == "document_conversion_failed"
    assert raised.value.status == 422
    assert raised.value.message == "Tệp không phải là tài liệu DOCX."


def test_a_damaged_docx_fails_with_the_typed_error():
    # The parts a DOCX needs, but a main part LibreOffice cannot read.
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", RELS)
        package.writestr("word/document.xml", "<w:document this is not xml")
    assert is_docx(damaged.getvalue())

    with pytest.raises(ConversionFailed):
        docx_to_pdf(damaged.getvalue())


def test_missing_libreoffice_is_a_clear_error(settings):
    settings.EGOV_SOFFICE = "/nonexistent/soffice"

    with pytest.raises(ConversionUnavailable) as raised:
        docx_to_pdf(make_docx("Một"))

    assert raised.value.status == 503
    assert raised.value.code == "document_conversion_unavailable"
    assert "LibreOffice" in raised.value.message
