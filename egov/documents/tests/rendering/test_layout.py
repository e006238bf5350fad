"""Drafts rendered with the NĐ 30 layout: the parts in order, the blank boxes where the page left room."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from egov.core.errors import ValidationFailed
from egov.documents.rendering import (
    DraftContent,
    date_line,
    draft_html,
    number_text,
    page_count,
    pdf_text,
    render_draft,
)
from egov.documents.tests.rendering.conftest import DRAFTS, overlaps, replace, words

A4 = (595.28, 841.89)
MM = 72 / 25.4


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_in_order(text: str, parts: list[str]) -> None:
    position = -1
    for part in parts:
        found = text.find(part, position + 1)
        assert found > position, f"{part!r} missing or out of order in {text!r}"
        position = found


def test_every_type_renders_the_nd30_parts_in_order(draft):
    rendered = render_draft(draft)

    text = flat(pdf_text(rendered.pdf))
    first_words = " ".join(re.sub(r"^Điều \d+\. ", "", draft.body.split("\n\n")[-1]).split()[:6])
    type_line = [draft.type_name.upper()] if draft.type_name else []
    assert_in_order(text, [draft.issuer_parent, draft.issuer_name, "Số:"])
    assert_in_order(
        text,
        [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            *type_line,
            draft.subject,
            first_words,
            "Nơi nhận:",
            "- Lưu: VT, VP.",
        ],
    )
    assert_in_order(text, [first_words, draft.signer_authority, draft.signer_title, draft.signer_name])
    assert rendered.pages == 1 == page_count(rendered.pdf)


def test_the_type_name_is_absent_from_a_cong_van_and_its_subject_sits_under_the_number():
    rendered = render_draft(DRAFTS["CV"])

    placed = words(rendered.pdf)
    vv = next(box for _page, word, box in placed if word == "V/v")
    number = rendered.placements.number.box
    assert vv[3] <= number[1]  # below the number line
    assert vv[0] < number[2] and vv[2] < A4[0] / 2  # in the issuer's column
    text = flat(pdf_text(rendered.pdf))
    assert "Kính gửi: Ủy ban nhân dân các huyện, thị xã, thành phố" in text
    assert not re.search(r"\bCÔNG VĂN\b", text)  # no type name line (the body says "công văn này")


def test_a_decision_has_its_basis_the_decides_line_and_articles():
    text = flat(pdf_text(render_draft(DRAFTS["QD"]).pdf))

    assert_in_order(
        text,
        [
            "GIÁM ĐỐC SỞ TƯ PHÁP",
            "Căn cứ Nghị định số 30/2020/NĐ-CP",
            "Theo đề nghị của Chánh Văn phòng Sở.",
            "QUYẾT ĐỊNH:",
            "Điều 1. Ban hành kèm theo Quyết định này",
            "Điều 3. Chánh Văn phòng",
        ],
    )
    assert text.count("QUYẾT ĐỊNH:") == 1


def test_the_decides_line_is_not_doubled_when_the_body_has_it():
    content = replace(DRAFTS["QD"], body="Căn cứ Luật Tổ chức chính quyền địa phương;\n\nQUYẾT ĐỊNH:\n\nĐiều 1. Một.")

    html = draft_html(content)

    assert html.count("QUYẾT ĐỊNH:") == 1
    assert '<p class="basis">Căn cứ Luật Tổ chức chính quyền địa phương;</p>' in html
    assert '<p class="article"><span class="lead">Điều 1.</span> Một.</p>' in html


def test_urgency_and_secrecy_marks_are_printed_in_the_issuers_column():
    rendered = render_draft(replace(DRAFTS["GM"], urgency="Hỏa tốc", secrecy="Tối mật"))

    placed = words(rendered.pdf)
    for mark in ("HỎA", "TỐC", "TỐI", "MẬT"):
        box = next(box for _page, word, box in placed if word == mark)
        assert box[2] < 62 * MM + 30 * MM + 1  # left column: 30 mm margin + 62 mm


def test_the_blank_boxes_lie_inside_the_page_and_no_word_is_in_them(draft):
    rendered = render_draft(draft)
    placements = rendered.placements

    for name in ("number", "date", "signature", "seal"):
        x1, y1, x2, y2 = getattr(placements, name).box
        assert 0 <= x1 < x2 <= A4[0] and 0 <= y1 < y2 <= A4[1], name
    placed = words(rendered.pdf)
    # The check sees words: the signature box grown 10 mm upwards reaches the signer's title.
    x1, y1, x2, y2 = placements.signature.box
    grown = (x1, y1, x2, y2 + 10 * MM)
    assert [w for page, w, box in placed if page == placements.signature.page and overlaps(box, grown)]
    for name in ("number", "date", "signature"):
        placement = getattr(placements, name)
        inside = [word for page, word, box in placed if page == placement.page and overlaps(box, placement.box)]
        assert inside == [], f"{name}: {inside}"


def test_the_boxes_are_where_nd30_puts_them():
    p = render_draft(DRAFTS["QD"]).placements
    placed = words(render_draft(DRAFTS["QD"]).pdf)
    by_word = {word: box for _page, word, box in placed}

    # Number: right after "Số:", on its line, in the issuer's column; room for "1234/QĐ-STP".
    so = by_word["Số:"]
    assert so[2] <= p.number.box[0] <= so[2] + 6
    assert p.number.box[1] <= (so[1] + so[3]) / 2 <= p.number.box[3]
    assert p.number.width >= 30 * MM - 0.1
    # Date: in the right column, below "Độc lập - Tự do - Hạnh phúc".
    assert p.date.box[0] >= 30 * MM + 62 * MM - 1
    assert p.date.box[3] <= by_word["Hạnh"][1] + 0.5
    assert p.date.width >= 80 * MM
    # Signature: 40 × 25 mm, between the title and the name, in the signer's column.
    assert round(p.signature.width / MM) == 40 and round(p.signature.height / MM) == 25
    title = by_word["PHÓ"]
    name = by_word["Nhung"]
    assert name[3] <= p.signature.box[1] and p.signature.box[3] <= title[1]
    assert p.signature.box[0] > A4[0] / 2
    # Seal: covers the left third of the signature, centred on it vertically.
    overlap = p.seal.box[2] - p.signature.box[0]
    assert overlap == pytest.approx(p.signature.width / 3, abs=0.05)
    assert (p.seal.box[1] + p.seal.box[3]) / 2 == pytest.approx((p.signature.box[1] + p.signature.box[3]) / 2, abs=0.05)
    assert p.number.page == p.date.page == p.signature.page == p.seal.page == 0


def test_a_long_body_flows_on_and_the_signature_is_on_the_last_page():
    body = DRAFTS["QD"].body + "".join(
        f"\n\nĐiều {n}. Cơ quan, đơn vị có trách nhiệm thực hiện đúng quy định về văn thư, bảo đảm văn bản "
        f"được tiếp nhận, đăng ký và chuyển giao trong ngày."
        for n in range(4, 40)
    )
    rendered = render_draft(replace(DRAFTS["QD"], body=body))

    assert rendered.pages >= 2
    assert rendered.pages == page_count(rendered.pdf)
    assert rendered.placements.signature.page == rendered.pages - 1 == rendered.placements.seal.page
    assert rendered.placements.number.page == rendered.placements.date.page == 0
    placed = words(rendered.pdf)
    # Page numbers from page 2 on, at the top (NĐ 30 Phụ lục I, mục I.6).
    top_of_page_2 = [word for page, word, box in placed if page == 1 and box[1] > A4[1] - 20 * MM]
    assert top_of_page_2 == ["2"]
    assert [word for page, word, box in placed if page == 0 and box[1] > A4[1] - 20 * MM] == []
    sig = rendered.placements.signature
    assert [w for page, w, box in placed if page == sig.page and overlaps(box, sig.box)] == []


def test_text_is_escaped_not_interpreted():
    content = replace(DRAFTS["BC"], body='<img src="file:///etc/passwd"> & <b>đậm</b>')

    text = flat(pdf_text(render_draft(content).pdf))

    assert '<img src="file:///etc/passwd"> & <b>đậm</b>' in text


def test_recipients_get_dashes_and_the_nd30_punctuation():
    html = draft_html(replace(DRAFTS["BC"], recipients=["Như trên;", "  ", "Lưu: VT"]))

    assert "<p>- Như trên;</p><p>- Lưu: VT.</p>" in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type_code": "XX"}, "type_code"),
        ({"urgency": "Gấp"}, "urgency"),
        ({"secrecy": "Bí mật"}, "secrecy"),
        ({"signer_authority": "THAY MẶT GIÁM ĐỐC"}, "signer_authority"),
        ({"signer_name": " "}, "signer_name"),
    ],
)
def test_invalid_content_is_refused_by_field(changes, field):
    with pytest.raises(ValidationFailed) as raised:
        replace(DRAFTS["BC"], **changes)

    assert [error.field for error in raised.value.errors] == [field]


def test_the_type_name_defaults_from_the_code_and_lists_become_tuples():
    content = DraftContent(
        type_code="TB",
        issuer_name="SỞ TƯ PHÁP",
        symbol_suffix="TB-STP",
        place="Sơn Nam",
        subject="Lịch làm việc",
        body="Nội dung.",
        recipients=["Lưu: VT"],
        signer_title="GIÁM ĐỐC",
        signer_name="Trần Văn Bình",
        year=2026,
    )

    assert content.type_name == "Thông báo"
    assert content.recipients == ("Lưu: VT",)
    assert render_draft(content).pages == 1


def test_number_and_date_texts_follow_nd30():
    assert number_text(5, "QĐ-STP") == "05/QĐ-STP"
    assert number_text(15, "STP-VP") == "15/STP-VP"
    assert date_line("Sơn Nam", dt.date(2026, 12, 5)) == "Sơn Nam, ngày 05 tháng 12 năm 2026"
    assert date_line("Sơn Nam", dt.date(2026, 2, 14)) == "Sơn Nam, ngày 14 tháng 02 năm 2026"
    assert date_line("Sơn Nam", dt.date(2026, 3, 1)) == "Sơn Nam, ngày 01 tháng 3 năm 2026"
    with pytest.raises(ValueError):
        number_text(0, "QĐ-STP")


def test_the_blank_boxes_are_white_on_the_rendered_page():
    rendered = render_draft(DRAFTS["QD"])
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "draft.pdf"
        source.write_bytes(rendered.pdf)
        subprocess.run(["pdftoppm", "-r", "72", "-gray", "-singlefile", str(source), f"{tmp}/page"], check=True)
        page = Image.open(f"{tmp}/page.pgm").convert("L")
        page.load()
    height = page.height

    def darkest(box):
        x1, y1, x2, y2 = box
        return page.crop((round(x1) + 1, round(height - y2) + 1, round(x2) - 1, round(height - y1) - 1)).getextrema()[0]

    assert {name: darkest(getattr(rendered.placements, name).box) for name in ("number", "date", "signature")} == {
        "number": 255,
        "date": 255,
        "signature": 255,
    }
    # And the check sees ink: the box of the words "QUYẾT ĐỊNH" is not white.
    title = next(box for _page, word, box in words(rendered.pdf) if word == "QUYẾT")
    assert darkest(title) < 128


def test_a_provincial_decision_without_parent_signed_on_behalf_of_the_committee():
    content = replace(
        DRAFTS["QD"],
        issuer_parent="",
        issuer_name="ỦY BAN NHÂN DÂN TỈNH SƠN NAM",
        symbol_suffix="QĐ-UBND",
        issuing_authority="ỦY BAN NHÂN DÂN TỈNH SƠN NAM",
        signer_authority="TM. ỦY BAN NHÂN DÂN",
        signer_title="CHỦ TỊCH",
        signer_name="Lê Minh Khang",
    )

    rendered = render_draft(content)

    text = flat(pdf_text(rendered.pdf))
    assert_in_order(text, ["ỦY BAN NHÂN DÂN", "TỈNH SƠN NAM", "Số:"])
    assert_in_order(text, ["Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Minh Khang"])
    placed = words(rendered.pdf)
    for name in ("number", "date", "signature"):
        placement = getattr(rendered.placements, name)
        assert [w for page, w, box in placed if page == placement.page and overlaps(box, placement.box)] == []


def test_the_preview_html_carries_the_stylesheet():
    html = draft_html(DRAFTS["CV"], styles=True)

    assert "<style>" in html and "@page" in html and "#signature-box" in html
    assert "<style>" not in draft_html(DRAFTS["CV"])


@pytest.mark.parametrize("suffix", ["QĐ-STP", "QĐ-UBND", "UBND-VPĐKĐĐ", "TTr-STP"])
def test_the_number_box_holds_the_widest_number_with_its_symbol(suffix):
    from PIL import ImageFont

    from egov.documents.rendering.layout import font_files

    font = ImageFont.truetype(str(font_files()[("normal", "normal")]), 1300)  # 13 pt, scaled by 100
    widest = font.getlength(f"9999/{suffix}") / 100

    box = render_draft(replace(DRAFTS["QD"], symbol_suffix=suffix)).placements.number

    assert widest < box.width <= 55 * MM + 0.1
    assert box.box[2] <= (30 + 62) * MM  # inside the issuer's column
