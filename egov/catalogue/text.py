"""Text folding for search: lower case, no diacritics, "đ" → "d", single spaces.

The same function builds ``Procedure.search_text`` and folds the query, so a search ignores case and
diacritics with a plain ``LIKE`` on SQLite and PostgreSQL alike (no ``unaccent`` extension needed).
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "clean_text"]

# "đ"/"Đ" are letters of their own, not "d" plus a combining mark, so NFD does not split them.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def fold(text: str | None) -> str:
    """``"Đăng ký  KHAI SINH"`` → ``"dang ky khai sinh"``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Stored form of user text: NFC (text pasted from PDFs is often NFD), stripped, Unix newlines."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = " ".join(text.split())
    return text.strip()
