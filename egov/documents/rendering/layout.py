"""Drafts of official documents to PDF, laid out as NĐ 30/2020/NĐ-CP Phụ lục I prescribes.

``render_draft(content)`` fills the type's Django template (``documents/pdf/<type>.html`` with
``document.css``), lays it out with WeasyPrint, and reads the positions of the blank boxes
(``#number-box``, ``#date-box``, ``#signature-box``) from WeasyPrint's own layout, so the boxes handed
to the signers are exactly where the page left room, whatever the length of the body.

Fonts: Times New Roman where installed (or ``DOCUMENT_FONT_FILES``), else Liberation Serif (metric-
compatible with Times New Roman, Vietnamese glyphs; Debian fonts-liberation2), else Noto Serif, else
DejaVu Serif, declared once as the family "Document Serif". The font faces and the stylesheet are
loaded once per process.
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string

from egov.documents.rendering.content import DraftContent, Placements, RenderedDraft
from egov.documents.rendering.errors import RenderFailed
from egov.signing.placement import Placement

__all__ = ["render_draft", "draft_html", "FONT_FAMILY"]

logger = logging.getLogger(__name__)

FONT_FAMILY = "Document Serif"
CSS_FILE = Path(__file__).resolve().parent.parent / "templates" / "documents" / "pdf" / "document.css"
TEMPLATES = {code: f"documents/pdf/{code.lower()}.html" for code in ("QD", "CV", "TTr", "BC", "GM", "TB")}

PT_PER_PX = 0.75  # CSS: 96 px per inch; PDF: 72 pt per inch
MM = 72 / 25.4  # points per millimetre
SEAL_SIDE = 36 * MM  # a Sở's round seal is 35–36 mm across; drawn at true size (DOMAIN §7)

_FONT_CANDIDATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("normal", "normal"): (
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    ),
    ("bold", "normal"): (
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ),
    ("normal", "italic"): (
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Italic.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf",
        "/usr/share/fonts/truetype/noto/NotoSerif-Italic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
    ),
    ("bold", "italic"): (
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold_Italic.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-BoldItalic.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-BoldItalic.ttf",
        "/usr/share/fonts/truetype/noto/NotoSerif-BoldItalic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
    ),
}


@lru_cache(maxsize=1)
def font_files() -> dict[tuple[str, str], Path]:
    configured = getattr(settings, "EGOV_DOCUMENT_FONT_FILES", None)
    if configured:
        return {key: Path(path) for key, path in configured.items()}
    found: dict[tuple[str, str], Path] = {}
    for key, candidates in _FONT_CANDIDATES.items():
        for candidate in candidates:
            if Path(candidate).is_file():
                found[key] = Path(candidate)
                break
    if not found:
        logger.warning("No document font found; WeasyPrint falls back to fontconfig's serif")
    return found


def _font_css() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{path.as_uri()}"); }}'
        for (weight, style), path in font_files().items()
    )


# --- WeasyPrint state, built once per process ---------------------------------------------------------

_lock = threading.Lock()


@dataclass
class _Weasy:
    font_config: Any
    fetcher: Any
    stylesheets: list


_weasy: _Weasy | None = None


@atexit.register
def _drop_state() -> None:
    global _weasy
    _weasy = None


def _make_fetcher():
    from weasyprint.urls import URLFetcher

    allowed = {path.resolve() for path in font_files().values()}

    class DocumentURLFetcher(URLFetcher):
        # The drafts are plain text, escaped; only the font files may ever be loaded.
        def fetch(self, url, headers=None):
            if url.startswith("file:") and Path(url2pathname(urlsplit(url).path)).resolve() in allowed:
                return super().fetch(url, headers)
            raise ValueError(f"document drafts may not load {url}")

    return DocumentURLFetcher(timeout=5, allow_redirects=False)


def _state() -> _Weasy:
    global _weasy
    if _weasy is None:
        with _lock:
            if _weasy is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                font_config = FontConfiguration()
                fetcher = _make_fetcher()
                css = _font_css() + "\n" + CSS_FILE.read_text(encoding="utf-8")
                _weasy = _Weasy(
                    font_config=font_config,
                    fetcher=fetcher,
                    stylesheets=[CSS(string=css, font_config=font_config, url_fetcher=fetcher)],
                )
    return _weasy


# --- the body -----------------------------------------------------------------------------------------

_BASIS = re.compile(r"^(Căn cứ|Theo đề nghị|Xét đề nghị|Theo đề xuất)\b", re.IGNORECASE)
_ARTICLE = re.compile(r"^(Điều\s+\d+[a-zđ]?\.)\s*(.*)$", re.DOTALL)
_DECIDES = re.compile(r"^QUYẾT\s+ĐỊNH\s*:$")


def paragraphs(content: DraftContent) -> list[dict[str, str]]:
    """The body as ``{"kind", "lead", "text"}`` items: paragraphs separated by blank lines; in a
    Quyết định the legal basis ("basis"), the "QUYẾT ĐỊNH:" line ("heading") and articles ("Điều N."
    as a bold lead)."""
    text = content.body.replace("\r\n", "\n").replace("\r", "\n")
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    items: list[dict[str, str]] = []
    decision = content.type_code == "QD"
    has_heading = decision and any(_DECIDES.match(chunk) for chunk in chunks)
    for chunk in chunks:
        if decision and _DECIDES.match(chunk):
            items.append({"kind": "heading", "lead": "", "text": "QUYẾT ĐỊNH:"})
            continue
        article = _ARTICLE.match(chunk) if decision else None
        if article:
            if not has_heading:
                items.append({"kind": "heading", "lead": "", "text": "QUYẾT ĐỊNH:"})
                has_heading = True
            items.append({"kind": "article", "lead": article.group(1), "text": article.group(2)})
        elif decision and _BASIS.match(chunk):
            items.append({"kind": "basis", "lead": "", "text": chunk})
        else:
            items.append({"kind": "para", "lead": "", "text": chunk})
    return items


def _recipients(lines: tuple[str, ...]) -> list[str]:
    # NĐ 30 Phụ lục I, mục II.9: one recipient a line, "- " before it, ";" after it, "." after the last.
    cleaned = [line.strip().rstrip(";.").strip() for line in lines if line.strip()]
    return [line + ("." if index == len(cleaned) - 1 else ";") for index, line in enumerate(cleaned)]


NUMBER_SIZE_PT = 13  # "Số:" line, NĐ 30 Phụ lục I: 13 pt
NUMBER_MAX_MM = 55.0  # the issuer's column (62 mm) less "Số: "


@lru_cache(maxsize=8)
def _measuring_font(weight: str, style: str):
    from PIL import ImageFont

    path = font_files().get((weight, style))
    return ImageFont.truetype(str(path), 1000) if path else None


def text_width(text: str, size_pt: float, *, weight: str = "normal", style: str = "normal") -> float | None:
    """The advance width of ``text`` in points, in the document font; None without a font file."""
    font = _measuring_font(weight, style)
    return font.getlength(text) * size_pt / 1000 if font else None


def _number_width(symbol_suffix: str) -> str:
    """Room for "9999/" + the suffix at 13 pt plus 2 mm, as a CSS length (formatted here: a template
    would localise "30,6")."""
    measured = text_width(f"9999/{symbol_suffix}", NUMBER_SIZE_PT)
    width_mm = measured / MM + 2 if measured is not None else 2.7 * (5 + len(symbol_suffix)) + 2
    return f"{min(max(width_mm, 30.0), NUMBER_MAX_MM):.1f}mm"


def draft_html(content: DraftContent, *, styles: bool = False) -> str:
    """The HTML of the draft; with ``styles``, the stylesheet inline (an on-screen preview, where the
    browser uses Times New Roman or its serif font, since it cannot load the server's font files)."""
    subject = content.subject.strip()
    html = render_to_string(
        TEMPLATES[content.type_code],
        {
            "c": content,
            "title": f"{content.type_name or 'Công văn'}: {subject}",
            "paragraphs": paragraphs(content),
            "recipients": _recipients(content.recipients),
            "addressees": [a.strip() for a in content.addressees if a.strip()],
            "number_width": _number_width(content.symbol_suffix),
            "subject_without_vv": re.sub(r"^V/v\s*", "", subject, flags=re.IGNORECASE),
        },
    )
    if styles:
        html = html.replace("</head>", f"<style>\n{CSS_FILE.read_text(encoding='utf-8')}\n</style>\n</head>", 1)
    return html


# --- layout -> placements ----------------------------------------------------------------------------


def _boxes_by_id(document, ids: set[str]) -> dict[str, tuple[int, float, float, float, float, float]]:
    """``id -> (page index, x, y, width, height, page height)`` in CSS px (origin top left) of the first
    box of each element."""
    found: dict[str, tuple[int, float, float, float, float, float]] = {}

    def walk(box, index, page_height):
        element = getattr(box, "element", None)
        element_id = element.get("id") if element is not None else None
        if element_id in ids and element_id not in found:
            found[element_id] = (
                index,
                box.border_box_x(),
                box.border_box_y(),
                box.border_width(),
                box.border_height(),
                page_height,
            )
        for child in getattr(box, "children", None) or ():
            walk(child, index, page_height)

    for index, page in enumerate(document.pages):
        walk(page._page_box, index, page.height)
    return found


def _placement(found) -> Placement:
    index, x, y, width, height, page_height = found
    return Placement(
        page=index,
        box=(
            round(x * PT_PER_PX, 2),
            round((page_height - y - height) * PT_PER_PX, 2),
            round((x + width) * PT_PER_PX, 2),
            round((page_height - y) * PT_PER_PX, 2),
        ),
    )


def seal_for(signature: Placement, page_width: float, page_height: float) -> Placement:
    """The seal's box: true size, centred on the signature's height, covering the left third of the
    signature box (DOMAIN §7), moved back inside the page if needed."""
    x1, y1, _x2, y2 = signature.box
    right = x1 + signature.width / 3
    left = max(0.0, right - SEAL_SIDE)
    right = left + SEAL_SIDE
    middle = (y1 + y2) / 2
    bottom = min(max(0.0, middle - SEAL_SIDE / 2), page_height - SEAL_SIDE)
    return Placement(
        page=signature.page,
        box=(round(left, 2), round(bottom, 2), round(min(right, page_width), 2), round(bottom + SEAL_SIDE, 2)),
    )


def render_draft(content: DraftContent) -> RenderedDraft:
    """The PDF of the draft, the blank boxes the issue step fills, and its page count."""
    from weasyprint import HTML

    state = _state()
    html = draft_html(content)
    try:
        document = HTML(string=html, url_fetcher=state.fetcher).render(
            font_config=state.font_config, stylesheets=state.stylesheets
        )
        pdf = document.write_pdf()
    except Exception as exc:  # WeasyPrint raises anything; the content is escaped plain text
        raise RenderFailed(f"Không tạo được bản PDF của dự thảo văn bản: {exc}") from exc
    found = _boxes_by_id(document, {"number-box", "date-box", "signature-box"})
    missing = {"number-box", "date-box", "signature-box"} - set(found)
    if missing:
        raise RenderFailed(f"Mẫu văn bản thiếu ô {', '.join(sorted(missing))}.")
    signature = _placement(found["signature-box"])
    last = document.pages[signature.page]
    return RenderedDraft(
        pdf=pdf,
        placements=Placements(
            number=_placement(found["number-box"]),
            date=_placement(found["date-box"]),
            signature=signature,
            seal=seal_for(signature, last.width * PT_PER_PX, last.height * PT_PER_PX),
        ),
        pages=len(document.pages),
    )
