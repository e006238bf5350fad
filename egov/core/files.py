"""Serving a stored file, after the caller has checked who may see it.

Uploaded and issued files are personal data: nothing under ``MEDIA_ROOT`` is served by URL, in any
mode. A view checks access, then hands the file to :func:`serve_stored_file`, which:

- sets ``Content-Type`` from the type detected when the file was stored (never from its name);
- shows PDFs and images inline and makes everything else a download, with the file name in both
  the ASCII ``filename`` and the RFC 5987 ``filename*`` forms;
- adds ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy that lets the file run
  nothing, so a file that is also valid HTML cannot become a page of this site;
- with ``MEDIA_ACCEL_REDIRECT_PREFIX`` set (production behind nginx), answers with
  ``X-Accel-Redirect`` and no body: nginx sends the file from an ``internal`` location
  (docs/deploy.md), so a Python worker is not tied up streaming it.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse

from egov.core.uploads import clean_label

__all__ = ["INLINE_TYPES", "content_disposition", "serve_stored_file"]

# Shown in the browser's own viewer; anything else is a download.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
# A file is a document, never a page: no scripts, no requests, no forms, no framing by other sites.
# PDFs are not sandboxed: Chromium refuses to open a PDF in a sandboxed document.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
SANDBOXED_FILE_CSP = FILE_CSP + "; sandbox"


def _ascii_fallback(name: str) -> str:
    """``Hợp đồng.pdf`` -> ``Hop dong.pdf``, for clients that ignore ``filename*``."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in folded if ch.isascii() and ch.isprintable() and ch not in '"\\')
    return text or "tep"


def content_disposition(filename: str, *, inline: bool) -> str:
    """``inline`` or ``attachment`` with an ASCII ``filename`` and, for any other name, the exact
    one as RFC 5987 ``filename*`` (RFC 6266 §4.3)."""
    disposition = "inline" if inline else "attachment"
    fallback = _ascii_fallback(filename)
    if fallback == filename:
        return f'{disposition}; filename="{filename}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=utf-8''{quote(filename)}"


def serve_stored_file(name: str, *, content_type: str, filename: str) -> HttpResponse:
    """The stored file ``name`` (a storage name, as in ``FieldFile.name``) as a response.

    ``content_type`` is the detected type recorded with the file; ``filename`` is the label the
    person sees (cleaned again here: older rows may hold a client's raw name)."""
    if not name or not default_storage.exists(name):
        raise Http404("Không tìm thấy tệp.")
    content_type = content_type or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    label = clean_label(filename) or "tep"
    response["Content-Disposition"] = content_disposition(label, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP if content_type == "application/pdf" else SANDBOXED_FILE_CSP
    response["Cache-Control"] = "private, no-store"
    return response
