"""Rendering form templates: a context dataclass in, HTML (previews) or a PDF (WeasyPrint) out.

Public API::

    render_pdf(form_set="tt01_2018", code="01", context=ReceiptContext(...)) -> bytes
    render_html(form_set=..., code=..., context=...) -> str
    render_pdf_for(form_set=..., context=...)   # picks the set's template of the context's kind
    render_template_pdf(template, context)      # a given row/version (previews, validation)
    qr_svg(text) -> str                         # data URI of an SVG QR code

Templates run on a dedicated Django template engine: no loaders (so no ``{% include %}`` of project
templates), the ``vn`` filters built in, autoescaping on. WeasyPrint may only fetch ``data:`` URIs, the
bundled font files and, when ``base_url`` is given, URLs under it; anything else an edited template
points at (``file:///etc/...``, another host) is refused, so a template cannot leak files into a PDF.

The page size comes from the row (``paper`` + ``orientation``), after the template's own CSS, so a
template sets margins but not a size that contradicts its row. Fonts: the Noto Serif files shipped
by Debian's fonts-noto-core (Vietnamese glyphs), falling back to DejaVu Serif, declared once as the
family "Form Serif"; the stylesheets are parsed once per CSS text and reused.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils.html import escape

from egov.forms.contexts import CONTEXT_CLASSES, FormContext
from egov.forms.errors import ContextMismatch, RenderFailed
from egov.forms.qr import qr_svg

__all__ = [
    "render_pdf",
    "render_html",
    "render_pdf_for",
    "render_html_for",
    "render_template_pdf",
    "render_template_html",
    "prepare_context",
    "compile_body",
    "qr_svg",
    "FONT_FAMILY",
]

logger = logging.getLogger(__name__)

FONT_FAMILY = "Form Serif"

# (weight, style) -> candidate files, first found wins. Override with settings.FORMS_FONT_FILES,
# a dict of the same shape with one path each (e.g. Times New Roman where it is licensed).
_FONT_CANDIDATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("normal", "normal"): (
        "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    ),
    ("bold", "normal"): (
        "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ),
    ("normal", "italic"): (
        "/usr/share/fonts/truetype/noto/NotoSerif-Italic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
    ),
    ("bold", "italic"): (
        "/usr/share/fonts/truetype/noto/NotoSerif-BoldItalic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
    ),
}

_ENGINE = Engine(
    dirs=[],
    app_dirs=False,
    debug=True,  # errors carry the template line (``template_debug``), for the admin's messages
    libraries={"vn": "egov.forms.templatetags.vn"},
    builtins=["egov.forms.templatetags.vn"],
    autoescape=True,
)


@lru_cache(maxsize=256)
def compile_body(body: str) -> Template:
    """Compile a template body once per distinct text (rows never change, versions are new rows)."""
    return _ENGINE.from_string(body)


@lru_cache(maxsize=1)
def font_files() -> dict[tuple[str, str], Path]:
    configured = getattr(settings, "FORMS_FONT_FILES", None)
    if configured:
        return {key: Path(path) for key, path in configured.items()}
    found: dict[tuple[str, str], Path] = {}
    for key, candidates in _FONT_CANDIDATES.items():
        for candidate in candidates:
            if Path(candidate).is_file():
                found[key] = Path(candidate)
                break
    if not found:
        logger.warning("No form font found; WeasyPrint falls back to fontconfig's serif")
    return found


@lru_cache(maxsize=1)
def font_css() -> str:
    rules = [
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{path.as_uri()}"); }}'
        for (weight, style), path in font_files().items()
    ]
    return "\n".join(rules)


# --- URL fetching -----------------------------------------------------------------------------------


def _fetcher(base_url: str | None):
    from weasyprint.urls import URLFetcher

    allowed_files = {path.resolve() for path in font_files().values()}
    http_prefix = base_url if base_url and base_url.lower().startswith(("http://", "https://")) else None

    class FormURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file" and Path(url2pathname(urlsplit(url).path)).resolve() in allowed_files:
                return super().fetch(url, headers)
            if scheme in ("http", "https") and http_prefix and url.startswith(http_prefix):
                return super().fetch(url, headers)
            raise ValueError(f"form templates may not load {url}")

    return FormURLFetcher(timeout=5, allow_redirects=False)


# --- WeasyPrint state, built once per process ---------------------------------------------------------

_lock = threading.Lock()


@dataclass
class _Weasy:
    font_config: Any
    fetcher: Any
    css: dict[str, Any]


_weasy: _Weasy | None = None


@atexit.register
def _drop_state() -> None:
    # Let WeasyPrint clean its font configuration while the interpreter is still whole.
    global _weasy
    _weasy = None


def _state() -> _Weasy:
    global _weasy
    if _weasy is None:
        with _lock:
            if _weasy is None:
                from weasyprint.text.fonts import FontConfiguration

                _weasy = _Weasy(font_config=FontConfiguration(), fetcher=_fetcher(None), css={})
    return _weasy


def _stylesheet(text: str):
    """A parsed WeasyPrint stylesheet, cached per text (font faces are loaded once)."""
    from weasyprint import CSS

    state = _state()
    sheet = state.css.get(text)
    if sheet is None:
        with _lock:
            sheet = state.css.get(text)
            if sheet is None:
                if len(state.css) > 256:
                    state.css.clear()
                sheet = CSS(string=text, font_config=state.font_config, url_fetcher=state.fetcher)
                state.css[text] = sheet
    return sheet


# --- context ----------------------------------------------------------------------------------------


def prepare_context(template, context: FormContext | Mapping[str, Any]) -> FormContext:
    """The context as the dataclass of the template's kind; a mapping is converted (and validated)."""
    expected = CONTEXT_CLASSES[template.kind]
    if isinstance(context, FormContext):
        if not isinstance(context, expected):
            raise ContextMismatch(
                f"Mẫu số {template.code} ({template.get_kind_display()}) cần {expected.__name__}, "
                f"không phải {type(context).__name__}."
            )
        return context
    if isinstance(context, Mapping):
        return expected.from_mapping(context)
    raise ContextMismatch(f"Dữ liệu biểu mẫu phải là {expected.__name__} hoặc dict.")


def _render_body(template, context: FormContext) -> str:
    try:
        compiled = compile_body(template.body)
        return compiled.render(Context(context.as_template_context(), autoescape=True))
    except TemplateSyntaxError as exc:
        raise RenderFailed(f"Mẫu {template} không biên dịch được: {describe_template_error(exc)}") from exc
    except Exception as exc:  # a filter or a property that fails on this data
        raise RenderFailed(f"Mẫu {template} lỗi khi điền dữ liệu: {describe_template_error(exc)}") from exc


def describe_template_error(exc: BaseException) -> str:
    """``"dòng 12: Invalid filter: 'vn_dat'"``: the message and, when Django knows it, the line."""
    info = getattr(exc, "template_debug", None)
    message = str(exc) or type(exc).__name__
    if info and info.get("line"):
        return f"dòng {info['line']}: {message}"
    return message


def _page_css(template) -> str:
    return f"@page {{ size: {template.page_size}; }}"


def _body_classes(template) -> str:
    return f"form form-{template.kind} paper-{template.paper.lower()} {template.orientation}"


def _document(template, inner: str, *, inline_css: bool) -> str:
    styles = f"<style>\n{font_css()}\n{template.css}\n{_page_css(template)}\n</style>" if inline_css else ""
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(template.name)}</title>{styles}</head>"
        f'<body class="{_body_classes(template)}">\n{inner}\n</body></html>'
    )


# --- entry points -----------------------------------------------------------------------------------


def render_template_html(template, context: FormContext | Mapping[str, Any]) -> str:
    """A whole HTML document (styles inline) of this template row filled with ``context``."""
    ctx = prepare_context(template, context)
    return _document(template, _render_body(template, ctx), inline_css=True)


def render_template_pdf(template, context: FormContext | Mapping[str, Any], *, base_url: str | None = None) -> bytes:
    """The PDF of this template row filled with ``context``."""
    from weasyprint import HTML

    ctx = prepare_context(template, context)
    html = _document(template, _render_body(template, ctx), inline_css=False)
    state = _state()
    stylesheets = [_stylesheet(font_css()), _stylesheet(template.css or ""), _stylesheet(_page_css(template))]
    fetcher = state.fetcher if base_url is None else _fetcher(base_url)
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=state.font_config, stylesheets=stylesheets
        )
        return document.write_pdf()
    except Exception as exc:
        raise RenderFailed(f"Không tạo được PDF từ mẫu {template}: {exc}") from exc


def _current(form_set: str, code: str):
    from egov.forms.selectors import current_template

    return current_template(form_set=form_set, code=code)


def render_pdf(
    *, form_set: str, code: str, context: FormContext | Mapping[str, Any], base_url: str | None = None
) -> bytes:
    """The PDF of form ``code`` of ``form_set`` (its latest active version) filled with ``context``.

    Raises ``TemplateNotFound``, ``ContextMismatch`` (a context of another kind), ``IncompleteContext``
    (a mapping missing required fields) or ``RenderFailed``.
    """
    return render_template_pdf(_current(form_set, code), context, base_url=base_url)


def render_html(*, form_set: str, code: str, context: FormContext | Mapping[str, Any]) -> str:
    """The HTML of the same document, for on-screen previews."""
    return render_template_html(_current(form_set, code), context)


def render_pdf_for(*, form_set: str, context: FormContext, base_url: str | None = None) -> bytes:
    """Like :func:`render_pdf`, choosing the set's form by the context's kind (no code needed)."""
    from egov.forms.selectors import current_template_of_kind

    return render_template_pdf(
        current_template_of_kind(form_set=form_set, kind=context.kind), context, base_url=base_url
    )


def render_html_for(*, form_set: str, context: FormContext) -> str:
    from egov.forms.selectors import current_template_of_kind

    return render_template_html(current_template_of_kind(form_set=form_set, kind=context.kind), context)
