"""Scans to searchable PDFs with ocrmypdf (Tesseract, Vietnamese)."""

from __future__ import annotations

import io
import unicodedata

import pytest
from PIL import Image, ImageDraw, ImageFont

from egov.documents.rendering import OcrFailed, OcrUnavailable, ocr_pdf, page_count, pdf_text
from egov.documents.rendering.layout import font_files

LINES = [
    "ỦY BAN NHÂN DÂN TỈNH SƠN NAM",
    "Quyết định về việc thành lập",
    "Hội đồng thẩm định văn bản",
    "Sở Tư pháp chủ trì thực hiện",
]


def scan(*, mode: str = "RGB", dpi: int | None = 300, fmt: str = "PNG") -> bytes:
    """A page of Vietnamese text rendered at 300 dpi, as a scanner would give it."""
    font = ImageFont.truetype(str(font_files()[("normal", "normal")]), 56)
    image = Image.new(mode, (2000, 700), "white")
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(LINES):
        draw.text((100, 80 + index * 140), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format=fmt, **({"dpi": (dpi, dpi)} if dpi else {}))
    return out.getvalue()


def folded(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).lower()


@pytest.fixture(scope="module")
def png_scan_pdf() -> bytes:
    return ocr_pdf(scan())


def test_a_png_scan_becomes_a_pdf_with_its_vietnamese_words(png_scan_pdf):
    text = folded(pdf_text(png_scan_pdf))

    assert page_count(png_scan_pdf) == 1
    # OCR may miss a letter here and there: a few distinctive words, with their diacritics.
    found = [word for word in ("quyết", "định", "thẩm", "tư", "pháp", "sơn", "nam", "hội", "đồng") if word in text]
    assert len(found) >= 7, text


def test_a_pdf_scan_is_made_searchable_and_a_jpeg_without_resolution_is_accepted(png_scan_pdf):
    jpeg = scan(dpi=None, fmt="JPEG")

    pdf = ocr_pdf(jpeg)

    assert "thẩm định" in folded(pdf_text(pdf)) or "hội đồng" in folded(pdf_text(pdf))
    # The searchable PDF again: its page has text, so --skip-text keeps it as it is.
    again = ocr_pdf(png_scan_pdf)
    assert folded(pdf_text(again)) == folded(pdf_text(png_scan_pdf))


def test_an_image_with_an_alpha_channel_is_flattened_first():
    pdf = ocr_pdf(scan(mode="RGBA"))

    assert "pháp" in folded(pdf_text(pdf))


def test_a_file_that_is_neither_pdf_nor_image_is_refused():
    with pytest.raises(OcrFailed) as raised:
        ocr_pdf(b"GIF89a not supported")

    assert raised.value.status == 422
    assert raised.value.code == "document_ocr_failed"


def test_a_damaged_image_is_refused():
    with pytest.raises(OcrFailed):
        ocr_pdf(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)


def test_missing_ocrmypdf_is_a_clear_error(settings):
    settings.EGOV_OCRMYPDF = "/nonexistent/ocrmypdf"

    with pytest.raises(OcrUnavailable) as raised:
        ocr_pdf(scan())

    assert raised.value.status == 503
    assert "ocrmypdf" in raised.value.message
