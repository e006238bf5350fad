"""Checking uploaded files by their content, not their name."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from io import BytesIO

import filetype
from django.conf import settings

from egov.core import scanning
from egov.core.errors import FieldError

__all__ = [
    "CheckedUpload",
    "check_upload",
    "clean_label",
    "detect_type",
    "discarded_on_error",
    "remember_written",
    "pdf_problem",
    "storage_name",
    "ALLOWED_TYPES",
    "EXTENSIONS",
]

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}


# The extension a stored file gets: from its detected type, never from the name the client sent.
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
LABEL_MAX_LENGTH = 200


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the client's name, cleaned: a label shown to people, never a path
    content: bytes
    content_type: str
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def clean_label(name: str, *, extension: str | None = None) -> str:
    """The client's file name as a label: its last path part (``/`` or ``\\``), without control or
    format characters, at most ``LABEL_MAX_LENGTH`` characters. With ``extension`` (the detected
    type), a label that does not end with it gets it appended, so ``poly.html`` becomes
    ``poly.html.pdf`` and nobody is misled about what they open."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    text = " ".join(text.split()).strip(" .")
    if extension:
        suffix = f".{extension}"
        known = (suffix, ".jpeg") if extension == "jpg" else (suffix,)
        if not text.lower().endswith(known):
            text = text[: LABEL_MAX_LENGTH - len(suffix)] + suffix if text else f"tep{suffix}"
    return text[-LABEL_MAX_LENGTH:] if len(text) > LABEL_MAX_LENGTH else text


def storage_name(upload: CheckedUpload) -> str:
    """The name the file is stored under, made by the platform: a hash prefix (for people reading
    the folder), a random part (two uploads never collide) and the detected type's extension."""
    return f"{upload.sha256[:16]}-{secrets.token_hex(8)}.{upload.extension}"


def _office_type(content: bytes) -> str | None:
    """DOCX and XLSX are ZIP files; tell them apart by the part they must contain."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def pdf_problem(content: bytes) -> str | None:
    """Why a PDF cannot be used, or ``None``: one check for every PDF the platform accepts (citizens'
    uploads, counter scans, result documents).

    The test is whether pyHanko, which signs results and verifies signatures, can open the file: a
    readable cross-reference table (or stream) and trailer, and no encryption. A PDF without an xref
    table is refused rather than repaired: readers "repair" it by guessing where the objects are, so
    two readers may show different content, and rewriting it would change the bytes (and the
    SHA-256) of what the applicant handed in. Asking for the file to be exported again is cheap.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(BytesIO(content), strict=False)
        encrypted = reader.encrypted
        if not encrypted:
            reader.root  # noqa: B018 - resolving the catalogue finds a broken trailer or xref
    except (PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return "damaged"
    return "encrypted" if encrypted else None


def detect_type(content: bytes) -> str | None:
    """The MIME type the content shows (magic numbers; DOCX and XLSX by their parts), or None."""
    kind = filetype.guess(content)
    mime = kind.mime if kind else None
    if mime == "application/zip" or mime is None or mime.startswith("application/vnd.openxmlformats"):
        mime = _office_type(content) or mime
    return mime


def size_text(size: int, rounding: str = ROUND_HALF_UP) -> str:
    """``2500`` -> ``"2,5 KB"``: one decimal (comma), in the largest unit that fits. The refusal rounds
    the file up and the limit down, so a file just over the limit never reads as equal to it."""
    for unit, name in ((1024**3, "GB"), (1024**2, "MB"), (1024, "KB")):
        if size >= unit:
            value = (Decimal(size) / unit).quantize(Decimal("0.1"), rounding=rounding)
            return f"{value:f}".removesuffix(".0").replace(".", ",") + f" {name}"
    return f"{size} byte"


def check_upload(*, field: str, name: str, content: bytes) -> CheckedUpload | FieldError:
    """The upload, typed by its content; or the reason it is refused, naming ``field``."""
    limit = getattr(settings, "EGOV_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    name = clean_label(name) or "tệp"
    if not content:
        return FieldError(field, f"Tệp '{name}' rỗng.")
    if len(content) > limit:
        size, most = size_text(len(content), ROUND_CEILING), size_text(limit, ROUND_FLOOR)
        return FieldError(field, f"Tệp '{name}' quá lớn ({size}); tối đa {most}.")
    mime = detect_type(content)
    if mime not in ALLOWED_TYPES:
        allowed = ", ".join(ALLOWED_TYPES.values())
        return FieldError(field, f"Tệp '{name}' không phải {allowed} (nhận dạng theo nội dung tệp).")
    try:
        verdict = scanning.scan(content)
    except scanning.ScannerUnavailable:
        return FieldError(
            field, f"Chưa kiểm tra được virus cho tệp '{name}' (dịch vụ quét virus không phản hồi); hãy thử lại sau."
        )
    if not verdict.clean:
        return FieldError(field, f"Tệp '{name}' bị chương trình diệt virus từ chối ({verdict.signature}).")
    # After the scan: the parser never reads a file the scanner refuses.
    if mime == "application/pdf":
        problem = pdf_problem(content)
        if problem == "damaged":
            return FieldError(
                field,
                f"Tệp '{name}' là PDF bị hỏng (không đọc được bảng tham chiếu chéo của tệp); "
                "hãy lưu hoặc xuất lại tệp PDF rồi tải lên lại.",
            )
        if problem == "encrypted":
            return FieldError(field, f"Tệp '{name}' là PDF có mật khẩu; hãy tải lên bản không đặt mật khẩu.")
    return CheckedUpload(
        name=clean_label(name, extension=EXTENSIONS[mime]),
        content=content,
        content_type=mime,
        sha256=hashlib.sha256(content).hexdigest(),
    )


# Files written to storage inside a service that then fails: the database rows go with the rollback,
# the files would not. A service that writes files runs inside ``discarded_on_error()`` and every
# write is announced with ``remember_written``; if the block ends with an exception, the files written
# in it are removed, so a refused request leaves nothing behind (issue #6, "nothing half-written").
_written: ContextVar[list | None] = ContextVar("egov_written_files", default=None)


def remember_written(field_file) -> None:
    """Note a file just saved (a ``FieldFile``) so that an enclosing ``discarded_on_error`` block
    removes it if it fails. Outside such a block, does nothing."""
    written = _written.get()
    if written is not None and field_file.name:
        written.append((field_file.storage, field_file.name))


@contextmanager
def discarded_on_error() -> Iterator[None]:
    """Remove the files written (and announced) inside the block when it ends with an exception.
    Nested blocks share the outermost one's list: only the outermost failure removes files, since an
    inner failure may be caught and the outer work committed."""
    if _written.get() is not None:
        yield
        return
    written: list = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            with suppress(OSError):
                storage.delete(name)
        raise
    finally:
        _written.reset(token)
