"""Scanned paper documents to searchable PDFs with ocrmypdf (Tesseract, Vietnamese and English).

``ocr_pdf(data)`` takes a PDF scan or a JPEG/PNG image and returns a PDF with a text layer; pages that
already have text are kept as they are (``--skip-text``). An image is normalised with Pillow first
(EXIF orientation, no alpha channel, a resolution: 300 dpi when the file gives none), because
ocrmypdf's image input (img2pdf) refuses images with an alpha channel or without a resolution.
"""

from __future__ import annotations

import io
import logging
import tempfile
from pathlib import Path

from django.conf import settings

from egov.documents.rendering.errors import OcrFailed, OcrUnavailable
from egov.documents.rendering.pdf import is_pdf
from egov.documents.rendering.tools import find_program, run

__all__ = ["ocr_pdf", "image_kind", "OCR_LANGUAGES"]

logger = logging.getLogger(__name__)

OCR_LANGUAGES = "vie+eng"
DEFAULT_DPI = 300
# ocrmypdf's exit codes (ocrmypdf.ExitCode): a missing program or language is the server's fault.
_MISSING_DEPENDENCY = 3


def image_kind(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _normalised_image(data: bytes) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            dpi = image.info.get("dpi")
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("1", "L", "RGB"):
                upright = upright.convert("RGB")
            resolution = (
                (round(float(dpi[0])), round(float(dpi[1])))
                if dpi and float(dpi[0]) >= 50
                else (DEFAULT_DPI, DEFAULT_DPI)
            )
            out = io.BytesIO()
            upright.save(out, format="PNG", dpi=resolution)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise OcrFailed("Tệp ảnh bản quét bị hỏng.") from exc


def ocr_pdf(data: bytes) -> bytes:
    """A searchable PDF of the scan (PDF, JPEG or PNG). Raises ``OcrUnavailable`` (no ocrmypdf or no
    Vietnamese data) or ``OcrFailed`` (not a scan we can read, damaged, or too slow)."""
    program = find_program(settings.EGOV_OCRMYPDF)
    if program is None:
        raise OcrUnavailable()
    if is_pdf(data):
        source_bytes, suffix = data, ".pdf"
    elif image_kind(data):
        source_bytes, suffix = _normalised_image(data), ".png"
    else:
        raise OcrFailed()
    with tempfile.TemporaryDirectory(prefix="egov-ocr-") as tmp:
        source, target = Path(tmp) / f"scan{suffix}", Path(tmp) / "searchable.pdf"
        source.write_bytes(source_bytes)
        done = run(
            [
                program,
                "-l",
                OCR_LANGUAGES,
                "--skip-text",
                "--rotate-pages",
                "--output-type",
                "pdf",
                "--quiet",
                str(source),
                str(target),
            ],
            timeout=settings.EGOV_OCR_TIMEOUT,
            cwd=tmp,
        )
        pdf = target.read_bytes() if target.is_file() else b""
    if done.timed_out:
        raise OcrFailed(f"Nhận dạng chữ không xong trong {settings.EGOV_OCR_TIMEOUT:g} giây.")
    if done.returncode == _MISSING_DEPENDENCY:
        logger.error("ocrmypdf misses a dependency: %s", done.stderr.decode("utf-8", "replace")[-2000:])
        raise OcrUnavailable()
    if done.returncode != 0 or not is_pdf(pdf):
        logger.warning("ocrmypdf failed (exit %s): %s", done.returncode, done.stderr.decode("utf-8", "replace")[-2000:])
        raise OcrFailed()
    return pdf
