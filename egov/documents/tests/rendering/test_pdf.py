"""Reading PDFs: page count, text, and the boxes on an uploaded PDF."""

from __future__ import annotations

import pytest

from egov.documents.rendering import (
    InvalidPdf,
    PdfTextUnavailable,
    page_count,
    pdf_text,
    placements_for_upload,
    render_draft,
)
from egov.documents.tests.rendering.conftest import DRAFTS, overlaps, replace, words

MM = 72 / 25.4


def minimal_pdf(pages: list[str], *, inherited_media_box: str = "[0 0 612 792]") -> bytes:
    """A PDF with one object per page; each item is the page's own extra entries (e.g. a CropBox)."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{3 + i} 0 R' for i in range(len(pages)))}] /Count {len(pages)} "
        f"/MediaBox {inherited_media_box} >>",
        *(f"<< /Type /Page /Parent 2 0 R {extra} >>" for extra in pages),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return bytes(out)


def test_upload_placements_sign_bottom_right_of_the_last_page_and_number_date_on_top_of_page_1():
    pdf = minimal_pdf(["", "", "/MediaBox [0 0 842 595]"])  # Letter, Letter, then A4 landscape

    p = placements_for_upload(pdf)

    assert p.number.page == p.date.page == 0
    assert p.signature.page == p.seal.page == 2
    # Signature: 40 × 25 mm, 20 mm from the right edge and 25 mm from the bottom of the last page.
    assert p.signature.box == pytest.approx((842 - 60 * MM, 25 * MM, 842 - 20 * MM, 50 * MM), abs=0.01)
    assert p.seal.box[2] - p.signature.box[0] == pytest.approx(p.signature.width / 3, abs=0.02)
    # Number (left) and date (right) in the top margin band of page 1 (Letter: 612 × 792).
    for box in (p.number.box, p.date.box):
        assert 792 - 16 * MM == pytest.approx(box[1], abs=0.01) and box[3] == pytest.approx(792 - 8 * MM, abs=0.01)
        assert 0 <= box[0] < box[2] <= 612
    assert p.number.box[2] < p.date.box[0]


def test_upload_placements_follow_a_crop_box_that_does_not_start_at_zero():
    pdf = minimal_pdf(["/CropBox [100 50 695.28 891.89]"], inherited_media_box="[0 0 800 1000]")

    p = placements_for_upload(pdf)

    assert p.signature.box[2] == pytest.approx(695.28 - 20 * MM, abs=0.01)
    assert p.signature.box[1] == pytest.approx(50 + 25 * MM, abs=0.01)
    assert p.date.box[3] == pytest.approx(891.89 - 8 * MM, abs=0.01)
    assert p.number.box[0] > 100


def test_upload_placements_on_a_rendered_draft_do_not_cover_its_words():
    long_body = DRAFTS["BC"].body + "\n\n" + "\n\n".join(["Nội dung báo cáo chi tiết của đơn vị."] * 30)
    rendered = render_draft(replace(DRAFTS["BC"], body=long_body))

    p = placements_for_upload(rendered.pdf)

    assert p.signature.page == rendered.pages - 1 >= 1
    placed = words(rendered.pdf)
    for name in ("number", "date"):
        placement = getattr(p, name)
        assert [w for page, w, box in placed if page == placement.page and overlaps(box, placement.box)] == []


def test_page_count_and_text_of_a_rendered_draft():
    rendered = render_draft(DRAFTS["TB"])

    assert page_count(rendered.pdf) == 1
    assert "THÔNG BÁO" in pdf_text(rendered.pdf)


@pytest.mark.parametrize("junk", [b"", b"hello", b"%PDF-1.7\nnothing else", b"PK\x03\x04"])
def test_junk_is_not_a_pdf(junk):
    with pytest.raises(InvalidPdf) as raised:
        page_count(junk)
    assert raised.value.status == 422
    with pytest.raises(InvalidPdf):
        placements_for_upload(junk)


def test_text_of_junk_is_refused():
    with pytest.raises(InvalidPdf):
        pdf_text(b"not a pdf")
    with pytest.raises(InvalidPdf):
        pdf_text(b"%PDF-1.7\nbroken")


def test_missing_pdftotext_is_a_clear_error(monkeypatch):
    pdf = minimal_pdf([""])
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(PdfTextUnavailable) as raised:
        pdf_text(pdf)

    assert raised.value.status == 503
