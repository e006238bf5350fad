"""DOCX drafts to PDF with LibreOffice headless.

Each conversion runs ``soffice`` (setting ``EGOV_SOFFICE``, a name on PATH or a path) with its own
throw-away profile (``-env:UserInstallation``), so conversions may run side by side and never touch
a user's LibreOffice profile; the whole process tree is killed after ``EGOV_SOFFICE_TIMEOUT`` seconds.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings

from egov.documents.rendering.errors import ConversionFailed, ConversionUnavailable
from egov.documents.rendering.pdf import is_pdf
from egov.documents.rendering.tools import find_program, run

__all__ = ["docx_to_pdf", "is_docx"]

logger = logging.getLogger(__name__)


def is_docx(data: bytes) -> bool:
    """A ZIP (Office Open XML package) with a WordprocessingML main part."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF that LibreOffice makes of the DOCX. Raises ``ConversionUnavailable`` (no LibreOffice)
    or ``ConversionFailed`` (not a DOCX, damaged, or too slow)."""
    program = find_program(settings.EGOV_SOFFICE)
    if program is None:
        raise ConversionUnavailable()
    if not is_docx(data):
        raise ConversionFailed("Tệp không phải là tài liệu DOCX.")
    with tempfile.TemporaryDirectory(prefix="egov-soffice-") as tmp:
        base = Path(tmp)
        source, out = base / "draft.docx", base / "out"
        source.write_bytes(data)
        out.mkdir()
        done = run(
            [
                program,
                f"-env:UserInstallation={(base / 'profile').as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nolockcheck",
                "--nodefault",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(out),
                str(source),
            ],
            timeout=settings.EGOV_SOFFICE_TIMEOUT,
            cwd=tmp,
            env={**os.environ, "HOME": tmp},
        )
        result = out / "draft.pdf"
        pdf = result.read_bytes() if result.is_file() else b""
    if done.timed_out:
        raise ConversionFailed(f"LibreOffice không chuyển xong tệp DOCX trong {settings.EGOV_SOFFICE_TIMEOUT:g} giây.")
    if done.returncode != 0 or not is_pdf(pdf):
        logger.warning("soffice failed (exit %s): %s", done.returncode, done.stderr.decode("utf-8", "replace")[-2000:])
        raise ConversionFailed()
    return pdf
