"""Reading uploaded PDFs: page count, text, and where the issue step writes on them.

``placements_for_upload(pdf)``: a PDF uploaded as the body of a draft has no blank boxes of our
own, so the signature goes at the bottom right of the last page (the seal over its left third), the
number and date in the top margin of page 1, where the issue step paints a white band before writing.
Boxes are in default user space; pages with /Rotate are treated as unrotated (not handled yet).
"""

from __future__ import annotations

import tempfile
import unicodedata
from io import BytesIO
from pathlib import Path

from egov.documents.rendering.content import Placements
from egov.documents.rendering.errors import InvalidPdf, PdfTextUnavailable
from egov.documents.rendering.layout import MM, seal_for
from egov.documents.rendering.tools import find_program, run
from egov.signing.placement import Placement

__all__ = ["page_count", "page_boxes", "pdf_text", "placements_for_upload", "is_pdf"]

PDFTOTEXT_TIMEOUT = 60


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-")


def _reader(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not is_pdf(pdf):
        raise InvalidPdf()
    try:
        return PdfFileReader(BytesIO(pdf), strict=False)
    except Exception as exc:  # pyHanko raises PdfReadError, but also KeyError/ValueError on junk
        raise InvalidPdf() from exc


def page_count(pdf: bytes) -> int:
    """The number of pages. Raises ``InvalidPdf``."""
    reader = _reader(pdf)
    try:
        count = int(reader.root["/Pages"]["/Count"])
    except Exception as exc:
        raise InvalidPdf() from exc
    if count < 1:
        raise InvalidPdf("Tệp PDF không có trang nào.")
    return count


def page_boxes(pdf: bytes, pages: list[int]) -> dict[int, tuple[float, float, float, float]]:
    """The visible area (CropBox, else MediaBox, inherited as PDF allows) of the given pages."""
    reader = _reader(pdf)
    boxes = {}
    try:
        for index in pages:
            page = reader.find_page_for_modification(index)[0].get_object()
            box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
            x1, y1, x2, y2 = (float(v) for v in box)
            boxes[index] = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    except InvalidPdf:
        raise
    except Exception as exc:
        raise InvalidPdf() from exc
    return boxes


def _inherited(page, key: str):
    node = page
    for _ in range(64):  # a page tree deeper than this is malformed
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node["/Parent"].get_object()
    return None


def placements_for_upload(pdf: bytes) -> Placements:
    """Signature bottom right of the last page (40 × 25 mm, 25 mm from the bottom, 20 mm from the
    right), the seal over its left third; number top left and date top right of page 1, in the top
    margin band (8–16 mm from the top edge)."""
    count = page_count(pdf)
    last = count - 1
    boxes = page_boxes(pdf, sorted({0, last}))
    fx1, fy1, fx2, fy2 = boxes[0]
    band_top, band_bottom = fy2 - 8 * MM, fy2 - 16 * MM
    width = fx2 - fx1
    number = Placement(page=0, box=(fx1 + 0.08 * width, band_bottom, fx1 + 0.40 * width, band_top))
    date = Placement(page=0, box=(fx1 + 0.45 * width, band_bottom, fx2 - 0.05 * width, band_top))
    lx1, ly1, lx2, ly2 = boxes[last]
    sig_x2 = lx2 - 20 * MM
    sig_y1 = ly1 + 25 * MM
    signature = Placement(page=last, box=(sig_x2 - 40 * MM, sig_y1, sig_x2, sig_y1 + 25 * MM))
    return Placements(
        number=_rounded(number),
        date=_rounded(date),
        signature=_rounded(signature),
        seal=seal_for(_rounded(signature), lx2, ly2),
    )


def _rounded(placement: Placement) -> Placement:
    return Placement(page=placement.page, box=tuple(round(v, 2) for v in placement.box))


def pdf_text(pdf: bytes) -> str:
    """The text of the PDF (poppler's ``pdftotext``, reading order), NFC-normalised; pages separated
    by form feeds. Raises ``InvalidPdf`` or ``PdfTextUnavailable``."""
    if not is_pdf(pdf):
        raise InvalidPdf()
    program = find_program("pdftotext")
    if program is None:
        raise PdfTextUnavailable()
    with tempfile.TemporaryDirectory(prefix="egov-pdftext-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        done = run([program, "-enc", "UTF-8", str(source), "-"], timeout=PDFTOTEXT_TIMEOUT)
    if done.timed_out or done.returncode != 0:
        raise InvalidPdf()
    return unicodedata.normalize("NFC", done.stdout.decode("utf-8", errors="replace"))
