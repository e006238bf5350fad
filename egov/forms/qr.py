"""QR codes for the forms: the dossier's lookup link as an inline SVG that WeasyPrint draws as vectors."""

from __future__ import annotations

from functools import lru_cache

import segno

__all__ = ["qr_svg", "QR_ERROR_LEVEL", "QR_BORDER"]

QR_ERROR_LEVEL = "m"  # 15% recovery: survives a fold or a stamp's edge on a printed slip
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


@lru_cache(maxsize=512)
def qr_svg(text: str) -> str:
    """A ``data:image/svg+xml`` URI of the QR code of ``text``, for ``<img src="...">``.

    The SVG has a ``viewBox`` and no fixed size, so the template's CSS decides how large it prints.
    """
    if not text:
        raise ValueError("qr_svg needs a non-empty text")
    code = segno.make(text, error=QR_ERROR_LEVEL, micro=False, boost_error=False)
    return code.svg_data_uri(border=QR_BORDER, omitsize=True, xmldecl=False, nl=False)
