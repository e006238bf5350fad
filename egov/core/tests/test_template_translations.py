"""Every user-facing string in the apps' page templates is marked for translation.

Reads each template as Django's lexer does, drops what is already marked (``{% translate %}``,
``{% blocktranslate %}`` blocks, ``_("...")`` arguments) and comments, then looks at what a reader
sees: HTML text, the attributes read aloud or shown (``title``, ``alt``, ``placeholder``,
``aria-label``, the label of a button), and string arguments of tags and filters with Vietnamese
letters. Any of those with a letter fails the test, unless it is listed in ``NOT_LANGUAGE``: codes
and names that read the same in every language.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

EGOV = Path(settings.BASE_DIR) / "egov"
# Page templates. Not here: notifications/ (message bodies sent by e-mail and SMS, in Vietnamese) and
# documents/pdf/ (the official documents themselves: NĐ 30/2020 prescribes their Vietnamese wording,
# like the forms of TT 01/2018, which are database templates).
TEMPLATES = sorted(
    p
    for p in EGOV.glob("**/templates/**/*.html")
    if "notifications" not in p.relative_to(EGOV).parts[:1] and "documents/pdf/" not in p.as_posix()
)

# Text that is not language (the whole stripped string must match).
NOT_LANGUAGE = re.compile(
    r"(PDF|PNG|JPEG|DOCX|XLSX|JSON|Excel|QR|OpenID Connect|VNeID|TOTP|SHA-256|HMAC-SHA512|PAdES|"
    r"USWDS|API|ID|URL|IPN|VNPay|English|Tiếng Việt|HTML|e-mail|OK|CCCD|\+84|N/A|[A-Z0-9._/-]+)"
)
ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription", "data-label"}
BUTTON_INPUTS = {"submit", "button", "reset"}
LETTER = re.compile(r"[^\W\d_]")
# What a tag or a variable becomes in the HTML that is read: a space keeps words and HTML tags apart.
MARK = " "


def _skeleton(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's HTML with every tag and variable replaced by a space (keeping line breaks), text
    inside translation blocks and comments dropped; and the string literals of tags and variables
    that are not marked for translation, with their lines."""
    out: list[str] = []
    literals: list[tuple[int, str]] = []
    skip_until: str | None = None
    for token in Lexer(source).tokenize():
        text = token.contents
        blank = MARK + "\n" * text.count("\n")
        if token.token_type == TokenType.TEXT:
            out.append(blank if skip_until else text)
            continue
        if token.token_type == TokenType.COMMENT:
            out.append("\n" * text.count("\n"))
            continue
        word = text.split(None, 1)[0] if text.split() else ""
        if skip_until:
            if word == skip_until:
                skip_until = None
            out.append(blank)
            continue
        if token.token_type == TokenType.BLOCK and word in ("blocktranslate", "blocktrans"):
            skip_until = "end" + word
        elif token.token_type == TokenType.BLOCK and word == "comment":
            skip_until = "endcomment"
        elif token.token_type == TokenType.BLOCK and text.split()[:2] == ["block", "bodyclass"]:
            skip_until = "endblock"  # the admin's CSS classes of <body>, not text
        elif word not in ("translate", "trans", "extends", "load", "url", "static", "block"):
            unmarked = re.sub(r'_\((".*?"|\'.*?\')\)', "", text)
            if word == "include":  # the template's name is not text; its ``with`` values may be
                unmarked = re.sub(r'^include\s+(".*?"|\'.*?\')', "", unmarked)
            for literal in re.findall(r'"([^"]*)"|\'([^\']*)\'', unmarked):
                value = literal[0] or literal[1]
                if re.search(r"[^\x00-\x7f]", value) and LETTER.search(value):
                    literals.append((token.lineno, value))
        out.append(blank)
    return "".join(out), literals


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        for name, value in attrs:
            shown = name in ATTRIBUTES or (
                name == "value" and tag == "input" and (values.get("type") or "") in BUTTON_INPUTS
            )
            if shown and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self._check(data)

    def _check(self, text: str) -> None:
        text = " ".join(text.split())
        if LETTER.search(text) and not NOT_LANGUAGE.fullmatch(text):
            self.found.append((self.getpos()[0], text))


def unmarked(path: Path) -> list[str]:
    skeleton, literals = _skeleton(path.read_text(encoding="utf-8"))
    reader = _Reader()
    reader.feed(skeleton)
    reader.close()
    return [f"{line}: {text}" for line, text in sorted(reader.found + literals)]


def test_the_page_templates_are_found():
    assert len(TEMPLATES) >= 40
    assert EGOV / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(EGOV)))
def test_every_user_facing_string_is_marked_for_translation(path):
    assert unmarked(path) == []


def test_the_check_finds_unmarked_text_attributes_and_arguments(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "{% load i18n %}<h1>{% translate 'Đã dịch' %}</h1>\n"
        "<p>Chưa dịch {{ code }}</p>{# ghi chú #}\n"
        '<a title="Đóng" href="/">PDF</a>{% blocktranslate %}Hồ sơ {{ code }}{% endblocktranslate %}\n'
        '<input type="submit" value="Gửi"><input type="hidden" value="mã">\n'
        '{% include "x.html" with label="Họ tên" hint=_("Đã dịch") %}{{ x|default:"Chưa có" }}\n'
        "<script>const s = 'chữ';</script>{% comment %}Không hiện{% endcomment %}\n",
        encoding="utf-8",
    )

    assert unmarked(page) == [
        "2: Chưa dịch",
        "3: Đóng",
        "4: Gửi",
        "5: Chưa có",
        "5: Họ tên",
    ]
