"""PAdES signatures on PDF files, and their validation, with pyHanko.

This module owns the PDF side of signing: it adds one PAdES baseline B-B signature
(``/SubFilter /ETSI.CAdES.detached``, SHA-256, the signer's certificate chain in the CMS) as an
incremental update, optionally with a small visible stamp at the top right of page 1, and it reports
on every signature of a PDF: who signed, when, whether the document is intact, whether the signature
is cryptographically valid, whether the certificate chains to a trust root.

Plain library code: no Django import; keys, trust roots and times are explicit arguments. The Django
side (which unit signs with which key, the settings) is :mod:`egov.signing.services`.

Levels: :func:`sign` makes B-B signatures (the signing time is the signer's claim, ``/M``, Vietnam
time) unless given a ``timestamper``. :func:`sign_placed` (officers' signatures and the seal at issue,
ADR 0021) adds an RFC 3161 time-stamp (B-T) and, given a validation context with the CRLs, the
revocation information in the document's DSS (B-LT). Nothing is fetched from the network here: the
time-stamper and the CRLs are arguments.

Why the stamp is rendered by WeasyPrint: pyHanko's own text stamps need ``uharfbuzz`` to embed an
OpenType font, and the 14 standard PDF fonts have no Vietnamese glyphs. WeasyPrint (already used for
the forms) renders the stamp as a one-page PDF that becomes the signature's appearance.
"""

from __future__ import annotations

import enum
import hashlib
import io
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError, PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from egov.signing import pki
from egov.signing.errors import CertificateExpired, CertificateRevoked, InvalidDocument, NoSignatures, SigningError
from egov.signing.pki import VIETNAM_TZ
from egov.signing.placement import Placement

__all__ = [
    "Appearance",
    "Stamp",
    "SignatureReport",
    "load_signer",
    "sign",
    "render_stamp",
    "validate",
    "field_name_for",
    "signer_display_name",
    "TextBox",
    "render_text_boxes",
    "sign_placed",
    "crl_validation_context",
    "check_pdf",
]

logger = logging.getLogger(__name__)

_MM = 72 / 25.4  # PDF points per millimetre
_HASH = "sha256"


class Appearance(enum.StrEnum):
    """How a signature shows on the page. ``None`` (no appearance) means an invisible signature."""

    STAMP = "stamp"  # a small box at the top right of page 1: unit name and signing time


@dataclass(frozen=True)
class Stamp:
    """A visible stamp: "Ký bởi: <signer>" / "Thời gian ký: <ISO 8601, Vietnam time>".

    NĐ 30/2020 Phụ lục I: an organisation's signature on an attachment has no image and sits at the
    top right of page 1 with the signing time. Sizes are in millimetres, measured from the page's
    crop box; a rotated page (``/Rotate``) is not taken into account. A name too long for two lines
    wraps to a third; beyond that it is cut.
    """

    signer_name: str
    page: int = 0
    width_mm: float = 64.0
    height_mm: float = 11.0
    # Lines shown above "Ký bởi" (a certified copy's "Chứng thực bản sao đúng với bản chính", its number,
    # date and officer); the first is bold. Give the stamp the height they need.
    lines: tuple[str, ...] = ()
    margin_mm: float = 6.0
    colour: str = "#c00000"


@dataclass(frozen=True)
class SignatureReport:
    """What one signature of a PDF says, in terms a citizen and an officer both understand."""

    field_name: str
    signer_common_name: str  # CN of the signer's certificate (the unit's name)
    signer_organisation: str  # O of the signer's certificate
    signer_identifier: str  # serialNumber of the certificate (the agency code for platform keys)
    signer_subject: str  # the whole subject, readable
    certificate_fingerprint_sha256: str
    certificate_not_after: datetime | None
    signing_time: datetime | None  # Vietnam time; the signer's claim unless ``timestamped``
    timestamped: bool  # a trusted RFC 3161 time-stamp vouches for the time (never true for B-B)
    reason: str
    location: str
    intact: bool  # signed bytes unchanged, and nothing changed since except further signatures/forms
    coverage: str  # "entire_file", "entire_revision", "contiguous_block_from_start", "unclear"
    modification_level: str | None  # "none", "lta_updates", "form_filling", "annotations", "other"
    valid: bool  # the CMS signature is cryptographically valid for the signer's certificate
    trusted: bool  # the certificate chains to a configured trust root and is usable now
    trust_problem: str | None  # the AdES sub-indication when not trusted, e.g. "NO_CERTIFICATE_CHAIN_FOUND"
    summary: str  # one Vietnamese sentence
    level: str = "B-B"  # PAdES baseline level reached: "B-B", "B-T" (time-stamped), "B-LT" (+ revocation info)
    revoked: bool = False  # the signer's certificate is on its CA's CRL (among the CRLs known to validation)
    modifications_allowed: bool = False  # changes after this signature are only signatures/form filling

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


# --------------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------------


class _KeySigner(signers.SimpleSigner):
    """pyHanko's ``SimpleSigner`` with the private key loaded once.

    ``SimpleSigner.sign_raw`` re-parses the key for every signature, and ``cryptography`` checks an RSA
    key as it loads it (about 30 ms for RSA 2048, twice per PDF signature because pyHanko signs a
    dummy first to size the container). ECDSA and RSA PKCS#1 v1.5 sign with the loaded key; anything
    else goes through pyHanko.
    """

    def __init__(self, *, private_key: pki.PrivateKey, **kwargs) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        return super().sign_raw(data, digest_algorithm)


def load_signer(pkcs12_data: bytes, *, passphrase: bytes | None) -> signers.SimpleSigner:
    """A pyHanko signer from a PKCS#12 file: key, certificate, and the chain to embed in the CMS.

    Raises :class:`InvalidKeyFile` when the file cannot be read with ``passphrase``.
    """
    contents = pki.read_pkcs12(pkcs12_data, passphrase=passphrase)
    der = serialization.Encoding.DER
    return _KeySigner(
        private_key=contents.private_key,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            contents.private_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        signing_cert=_asn1(contents.certificate),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in contents.chain]),
    )


class _PdfBytesPage(PdfContent):
    """Page 1 of an in-memory PDF, imported as a form XObject (pyHanko's ``ImportedPdfPage`` reads files)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = data

    def render(self) -> bytes:
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        name = "/Stamp" + uuid.uuid4().hex
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return f"{name} Do".encode("ascii")


class _TimedPdfSigner(signers.PdfSigner):
    # pyHanko takes the signing time from the server's local zone; forms state Vietnam time, and the
    # stamp must show exactly the time in /M, so the session gets the caller's time.
    def __init__(self, *args, signing_time: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def render_stamp(stamp: Stamp, *, signing_time: datetime) -> bytes:
    """The stamp as a one-page PDF of exactly the stamp's size (WeasyPrint, imported on first use)."""
    from weasyprint import HTML

    moment = signing_time.astimezone(VIETNAM_TZ).isoformat(timespec="seconds")
    html = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page {{ size: {stamp.width_mm}mm {stamp.height_mm}mm; margin: 0 }}
html, body {{ margin: 0 }}
div {{ box-sizing: border-box; width: {stamp.width_mm}mm; height: {stamp.height_mm}mm; overflow: hidden;
  border: 0.6pt solid {stamp.colour}; padding: 0.8mm 1.4mm; color: {stamp.colour};
  font-family: "Noto Sans", "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 6.4pt; line-height: 1.3 }}
</style></head><body><div>{_stamp_lines(stamp.lines)}Ký bởi: <b>{escape(stamp.signer_name)}</b><br>
Thời gian ký: {moment}</div></body></html>"""
    return HTML(string=html).write_pdf()


def _stamp_lines(lines: tuple[str, ...]) -> str:
    if not lines:
        return ""
    first, *rest = lines
    return "".join([f"<b>{escape(first)}</b><br>", *(f"{escape(line)}<br>" for line in rest)])


def _page_box(writer: IncrementalPdfFileWriter, page: int) -> tuple[float, float, float, float]:
    page_ref, _ = writer.prev.find_page_for_modification(page)
    page_obj = page_ref.get_object()
    box = find_inherited_value_in_tree(page_obj, "/CropBox", "/Parent") or find_inherited_value_in_tree(
        page_obj, "/MediaBox", "/Parent"
    )
    x1, y1, x2, y2 = (float(v) for v in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def field_name_for(reader: PdfFileReader, prefix: str = "ChuKy") -> str:
    """The first unused ``ChuKy<n>`` field name of the document."""
    used = {name for name, _value, _ref in fields.enumerate_sig_fields(reader)}
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


def sign(
    pdf: bytes,
    *,
    signer: signers.SimpleSigner,
    signing_time: datetime,
    reason: str,
    location: str,
    field_name: str | None = None,
    stamp: Stamp | None = None,
    timestamper=None,
) -> bytes:
    """``pdf`` with one more PAdES B-B signature (an incremental update; earlier signatures stay valid).

    ``signing_time`` must be timezone-aware; it is written in Vietnam time. Without ``stamp`` the
    signature is invisible. Raises :class:`InvalidDocument` when ``pdf`` cannot be signed.
    """
    if signing_time.tzinfo is None:
        raise ValueError("signing_time must be timezone-aware")
    signing_time = signing_time.astimezone(VIETNAM_TZ)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise InvalidDocument() from exc
    if writer.prev.encrypted:
        raise InvalidDocument("Tệp PDF được mã hóa: không ký số được.")
    try:
        name = field_name or field_name_for(writer.prev)
        field_spec = None
        style = None
        if stamp is not None:
            left, bottom, right, top = _page_box(writer, stamp.page)
            margin, width, height = stamp.margin_mm * _MM, stamp.width_mm * _MM, stamp.height_mm * _MM
            x2, y2 = right - margin, top - margin
            field_spec = fields.SigFieldSpec(
                sig_field_name=name, on_page=stamp.page, box=(max(left, x2 - width), max(bottom, y2 - height), x2, y2)
            )
            style = StaticStampStyle(
                background=_PdfBytesPage(render_stamp(stamp, signing_time=signing_time)),
                background_opacity=1.0,
                border_width=0,
            )
        metadata = signers.PdfSignatureMetadata(
            field_name=name,
            md_algorithm=_HASH,
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason or None,
            location=location or None,
        )
        pdf_signer = _TimedPdfSigner(
            metadata,
            signer,
            signing_time=signing_time,
            stamp_style=style,
            new_field_spec=field_spec,
            timestamper=timestamper,
        )
        return pdf_signer.sign_pdf(writer).getvalue()
    except PyHankoSigningError as exc:
        raise InvalidDocument(
            "Không thêm được chữ ký số vào tài liệu này (tài liệu đã khóa hoặc trường chữ ký đã được ký)."
        ) from exc
    except (PdfReadError, KeyError, IndexError) as exc:  # structure errors found while updating the file
        raise InvalidDocument() from exc
    except PdfError as exc:
        raise SigningError() from exc


@dataclass(frozen=True)
class TextBox:
    """Text drawn on a white background in a box of the page (the number and the date added at issue)."""

    placement: Placement
    text: str
    align: str = "left"  # "left", "center" or "right"
    italic: bool = False
    font_size: float | None = None  # points; default: fitted to the box height (at most 13 pt)


_SERIF = {
    False: "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    True: "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
}


def _fitting_size(text: str, *, width: float, italic: bool) -> float:
    """The largest font size (points) at which ``text`` fits in ``width`` points, measured with Liberation
    Serif (the font the boxes ask for first); unbounded when the font file is missing."""
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(_SERIF[italic], 100)
    except OSError:
        return float("inf")
    length = font.getlength(text) / 100  # points per point of font size
    return width / length if length else float("inf")


def render_text_boxes(boxes: Sequence[TextBox]) -> bytes:
    """One PDF page per box, each exactly the box's size: white background, the text in Times-like
    serif (WeasyPrint embeds the font, so Vietnamese letters come out right)."""
    from weasyprint import HTML

    pages, bodies = [], []
    for i, box in enumerate(boxes):
        size = box.font_size or min(13.0, box.placement.height * 0.62)
        size = min(size, _fitting_size(box.text, width=box.placement.width - 2, italic=box.italic))
        pages.append(f"@page p{i} {{ size: {box.placement.width}pt {box.placement.height}pt; margin: 0 }}")
        style = (
            f"page: p{i}; width: {box.placement.width}pt; height: {box.placement.height}pt; font-size: {size}pt;"
            f" line-height: {box.placement.height}pt; text-align: {box.align};"
            f" font-style: {'italic' if box.italic else 'normal'}"
        )
        bodies.append(f'<div style="{style}">{escape(box.text)}</div>')
    html = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
{chr(10).join(pages)}
html, body {{ margin: 0 }}
div {{ box-sizing: border-box; overflow: hidden; white-space: nowrap; background: #fff; color: #000;
  font-family: "Liberation Serif", "Times New Roman", "Noto Serif", "DejaVu Serif", serif; break-after: page }}
</style></head><body>{"".join(bodies)}</body></html>"""
    return HTML(string=html).write_pdf()


def _image_style(png: bytes) -> StaticStampStyle:
    image = Image.open(io.BytesIO(png))
    image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    return StaticStampStyle(background=PdfImage(image), background_opacity=1.0, border_width=0)


def _add_text_widgets(writer: IncrementalPdfFileWriter, field_name: str, boxes: Sequence[TextBox]) -> None:
    """Extra widget annotations of the signature field ``sig_field``, one per box, each with its own
    appearance (a white rectangle and the text). Added in the revision that carries the signature, so
    they are covered by it and count as part of the signature's own field for the modification analysis
    of the earlier signatures."""
    rendered = PdfFileReader(io.BytesIO(render_text_boxes(boxes)))
    ((_name, _value, field_ref),) = fields.enumerate_sig_fields(writer, with_name=field_name)
    sig_field = field_ref.get_object()
    kids = sig_field["/Kids"]
    for i, box in enumerate(boxes):
        page_ref, _ = writer.prev.find_page_for_modification(box.placement.page)
        xobject = writer.import_page_as_xobject(rendered, page_ix=i)
        x1, y1, x2, y2 = box.placement.box
        width, height = x2 - x1, y2 - y1
        appearance = generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, width, height)]),
                pdf_name("/Resources"): generic.DictionaryObject(
                    {pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/T0"): xobject})}
                ),
            },
            stream_data=f"q 1 1 1 rg 0 0 {width:.3f} {height:.3f} re f Q q /T0 Do Q".encode("ascii"),
        )
        widget = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/F"): generic.NumberObject(0b10000100),  # print + locked
                pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (x1, y1, x2, y2)]),
                pdf_name("/P"): page_ref,
                pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): writer.add_object(appearance)}),
            }
        )
        widget_ref = writer.add_object(widget)
        kids.append(widget_ref)
        writer.register_annotation(page_ref, widget_ref)


class _PlacedPdfSigner(_TimedPdfSigner):
    """Signs a field whose first widget shows an image; ``text_boxes`` become further widgets of it."""

    def __init__(self, *args, text_boxes: Sequence[TextBox] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._text_boxes = tuple(text_boxes)

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        if self._text_boxes:
            prepare = session.prepare_tbs_document

            def prepare_with_widgets(*args, **kwargs):
                document = prepare(*args, **kwargs)
                _add_text_widgets(pdf_out, self.signature_meta.field_name, self._text_boxes)
                return document

            session.prepare_tbs_document = prepare_with_widgets
        return session


def check_pdf(pdf: bytes) -> None:
    """:class:`InvalidDocument` unless ``pdf`` is a readable, unencrypted PDF with at least one page."""
    if not isinstance(pdf, bytes | bytearray) or not bytes(pdf[:1024]).lstrip().startswith(b"%PDF-"):
        raise InvalidDocument()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        encrypted = reader.encrypted
        pages = int(reader.root["/Pages"]["/Count"])
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: any parser failure means "not a PDF"
        raise InvalidDocument() from exc
    if encrypted:
        raise InvalidDocument("Tệp PDF được mã hóa: không ký số được.")
    if pages < 1:
        raise InvalidDocument()


def sign_placed(
    pdf: bytes,
    *,
    signer: signers.Signer,
    signing_time: datetime,
    reason: str,
    location: str,
    placement: Placement,
    image_png: bytes,
    text_boxes: Sequence[TextBox] = (),
    field_name: str | None = None,
    field_prefix: str = "ChuKy",
    timestamper=None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """``pdf`` with one more PAdES signature whose appearance is ``image_png`` in ``placement`` (the
    officer's signature between title and name, or the seal over it), plus ``text_boxes`` drawn as
    further widgets of the same field, all in one incremental revision.

    ``timestamper`` (a pyHanko ``TimeStamper``) makes it B-T; ``validation_context`` (with the CRLs)
    embeds the revocation information of the signer's chain (B-LT). Raises :class:`InvalidDocument`.
    """
    if signing_time.tzinfo is None:
        raise ValueError("signing_time must be timezone-aware")
    signing_time = signing_time.astimezone(VIETNAM_TZ)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise InvalidDocument() from exc
    if writer.prev.encrypted:
        raise InvalidDocument("Tệp PDF được mã hóa: không ký số được.")
    try:
        pages = int(writer.prev.root["/Pages"]["/Count"])
        for box in (placement, *(t.placement for t in text_boxes)):
            if box.page >= pages:
                raise InvalidDocument(f"Tài liệu chỉ có {pages} trang: không đặt được chữ ký ở trang {box.page + 1}.")
        name = field_name or field_name_for(writer.prev, field_prefix)
        field_spec = fields.SigFieldSpec(
            sig_field_name=name, on_page=placement.page, box=placement.box, combine_annotation=False
        )
        metadata = signers.PdfSignatureMetadata(
            field_name=name,
            md_algorithm=_HASH,
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason or None,
            location=location or None,
            validation_context=validation_context,
            embed_validation_info=validation_context is not None,
            use_pades_lta=False,
        )
        pdf_signer = _PlacedPdfSigner(
            metadata,
            signer,
            signing_time=signing_time,
            stamp_style=_image_style(image_png),
            new_field_spec=field_spec,
            timestamper=timestamper,
            text_boxes=text_boxes,
        )
        return pdf_signer.sign_pdf(writer).getvalue()
    except InvalidDocument:
        raise
    except PyHankoSigningError as exc:
        _raise_for_chain(exc)
        raise InvalidDocument(
            "Không thêm được chữ ký số vào tài liệu này (tài liệu đã khóa hoặc trường chữ ký đã được ký)."
        ) from exc
    except (PdfReadError, KeyError, IndexError) as exc:
        raise InvalidDocument() from exc
    except PdfError as exc:
        raise SigningError() from exc


def _raise_for_chain(exc: PyHankoSigningError) -> None:
    """The typed error when pyHanko refused to sign because the signer's (or the TSA's) chain did not
    validate while collecting the revocation information (B-LT)."""
    cause = exc.__cause__
    if isinstance(cause, RevokedError):
        raise CertificateRevoked() from exc
    if isinstance(cause, ExpiredError | NotYetValidError):
        raise CertificateExpired() from exc
    if isinstance(cause, PathBuildingError | PathValidationError):
        raise SigningError(
            "Chứng thư của người ký không thuộc tổ chức chứng thực được tin cậy (EGOV_TRUST_ROOTS); "
            "văn bản chưa được ký."
        ) from exc


def crl_validation_context(
    *, trust_roots: Iterable[x509.Certificate | asn1_x509.Certificate], crls: Iterable[bytes] = (), moment=None
) -> ValidationContext:
    """A validation context that trusts ``trust_roots`` and knows ``crls`` (DER), fetching nothing."""
    return ValidationContext(
        trust_roots=[_asn1(c) for c in trust_roots],
        crls=list(crls),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------

# Who may sign: certificates with non-repudiation or digital signature (CAs differ).
_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False)

_TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "chứng thư không thuộc tổ chức chứng thực được tin cậy",
    "EXPIRED": "chứng thư đã hết hạn",
    "OUT_OF_BOUNDS_NO_POE": "chứng thư đã hết hạn",
    "OUT_OF_BOUNDS_NOT_REVOKED": "chứng thư đã hết hạn",
    "NOT_YET_VALID": "chứng thư chưa có hiệu lực",
    "REVOKED": "chứng thư đã bị thu hồi",
    "REVOKED_NO_POE": "chứng thư đã bị thu hồi",
    "REVOKED_CA_NO_POE": "chứng thư của tổ chức chứng thực đã bị thu hồi",
    "CHAIN_CONSTRAINTS_FAILURE": "chứng thư không được dùng để ký số",
    "SIG_CONSTRAINTS_FAILURE": "chứng thư không được dùng để ký số",
}


def _asn1(certificate: x509.Certificate | asn1_x509.Certificate) -> asn1_x509.Certificate:
    if isinstance(certificate, asn1_x509.Certificate):
        return certificate
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _name_part(cert: asn1_x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    if isinstance(value, list):  # a repeated attribute
        value = ", ".join(str(v) for v in value)
    return str(value)


def signer_display_name(cert: asn1_x509.Certificate) -> str:
    """The signer's name to show: the CN, or the O when the CN was cut to the X.509 bound."""
    common_name, organisation = _name_part(cert, "common_name"), _name_part(cert, "organization_name")
    if common_name.endswith("…") and organisation.startswith(common_name[:-1].rstrip()):
        return organisation
    return common_name or organisation


def _text(sig_object, key: str) -> str:
    value = sig_object.get(key)
    return str(value) if value is not None else ""


def _when(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime("%H:%M:%S ngày %d/%m/%Y") if moment else "không rõ thời điểm"


def _summary(
    *,
    signer: str,
    signing_time: datetime | None,
    intact: bool,
    entire_file: bool,
    valid: bool,
    trusted: bool,
    trust_problem: str | None,
) -> str:
    head = f"{signer or 'Không rõ người ký'} ký lúc {_when(signing_time)} (giờ Việt Nam)"
    if not valid:
        return f"{head}: chữ ký KHÔNG hợp lệ (sai về mật mã)."
    if not intact:
        return f"{head}: tài liệu ĐÃ BỊ THAY ĐỔI sau khi ký, chữ ký không còn giá trị."
    integrity = (
        "tài liệu không bị thay đổi sau khi ký"
        if entire_file
        else "sau khi ký tài liệu chỉ được thêm chữ ký hoặc điền biểu mẫu"
    )
    if trusted:
        return f"{head}: chữ ký hợp lệ, {integrity}, chứng thư được tin cậy."
    problem = _TRUST_PROBLEMS.get(trust_problem or "", "chứng thư không được tin cậy")
    return f"{head}: chữ ký đúng về mật mã và {integrity}, nhưng {problem}."


_REVOKED = {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}


def _report(embedded, status: PdfSignatureStatus, *, dss_revocation: bool = False) -> SignatureReport:
    cert: asn1_x509.Certificate = status.signing_cert
    sig_object = embedded.sig_object
    timestamped = bool(status.timestamp_validity and status.timestamp_validity.trusted)
    moment = status.timestamp_validity.timestamp if timestamped else status.signer_reported_dt
    moment = moment.astimezone(VIETNAM_TZ) if moment else None
    modification = status.modification_level
    entire_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    intact = bool(
        status.intact
        and status.coverage in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
        and (entire_file or (status.docmdp_ok and modification is not None and modification.value <= 2))
    )
    trusted = bool(status.valid and status.validation_path is not None and status.trust_problem_indic is None)
    problem = None if trusted else (status.trust_problem_indic.name if status.trust_problem_indic else None)
    signer = signer_display_name(cert)
    modifications_allowed = bool(
        entire_file or (status.docmdp_ok and modification is not None and modification.value <= 2)
    )
    level = "B-B"
    if status.timestamp_validity is not None:
        level = "B-LT" if dss_revocation else "B-T"
    return SignatureReport(
        level=level,
        revoked=problem in _REVOKED,
        modifications_allowed=modifications_allowed,
        field_name=embedded.field_name,
        signer_common_name=_name_part(cert, "common_name"),
        signer_organisation=_name_part(cert, "organization_name"),
        signer_identifier=_name_part(cert, "serial_number"),
        signer_subject=cert.subject.human_friendly,
        certificate_fingerprint_sha256=hashlib.sha256(cert.dump()).hexdigest(),
        certificate_not_after=cert.not_valid_after,
        signing_time=moment,
        timestamped=timestamped,
        reason=_text(sig_object, "/Reason"),
        location=_text(sig_object, "/Location"),
        intact=intact,
        coverage=status.coverage.name.lower() if status.coverage else "unclear",
        modification_level=modification.name.lower() if modification is not None else None,
        valid=bool(status.valid),
        trusted=trusted,
        trust_problem=problem,
        summary=_summary(
            signer=signer,
            signing_time=moment,
            intact=intact,
            entire_file=entire_file,
            valid=bool(status.valid),
            trusted=trusted,
            trust_problem=problem,
        ),
    )


def _unreadable(field_name: str, embedded, exc: Exception) -> SignatureReport:
    """A signature that cannot even be checked (damaged container, unknown format): reported as invalid."""
    logger.info("signature %s could not be validated: %r", field_name, exc)
    try:
        cert = embedded.signer_cert
        signer, common_name = signer_display_name(cert), _name_part(cert, "common_name")
        organisation, identifier = _name_part(cert, "organization_name"), _name_part(cert, "serial_number")
        subject, not_after = cert.subject.human_friendly, cert.not_valid_after
        fingerprint = hashlib.sha256(cert.dump()).hexdigest()
    except Exception:  # noqa: BLE001 - the certificate itself may be what is broken, or there is no embedded
        signer = common_name = organisation = identifier = subject = fingerprint = ""
        not_after = None
    try:
        moment = embedded.self_reported_timestamp
    except Exception:  # noqa: BLE001
        moment = None
    moment = moment.astimezone(VIETNAM_TZ) if moment else None
    return SignatureReport(
        field_name=field_name,
        signer_common_name=common_name,
        signer_organisation=organisation,
        signer_identifier=identifier,
        signer_subject=subject,
        certificate_fingerprint_sha256=fingerprint,
        certificate_not_after=not_after,
        signing_time=moment,
        timestamped=False,
        reason="",
        location="",
        intact=False,
        coverage="unclear",
        modification_level=None,
        valid=False,
        trusted=False,
        trust_problem=None,
        summary=f"{signer or 'Không rõ người ký'} ký lúc {_when(moment)} (giờ Việt Nam): "
        "không kiểm tra được chữ ký (chữ ký bị hỏng hoặc không đúng định dạng).",
    )


def _signatures(reader: PdfFileReader) -> tuple[list[EmbeddedPdfSignature], list[SignatureReport]]:
    """The regular signatures in signing order, and reports for the signature fields that cannot be read.

    pyHanko's ``reader.embedded_signatures`` fails on the first damaged signature and skips unknown
    formats silently; here each field is read on its own.
    """
    readable: list[EmbeddedPdfSignature] = []
    broken: list[SignatureReport] = []
    for field_name, sig_object, sig_field in fields.enumerate_sig_fields(reader, filled_status=True):
        try:
            if sig_object.get_object().get("/Type") == "/DocTimeStamp":
                continue
            embedded = EmbeddedPdfSignature(reader, sig_field, field_name)
        except Exception as exc:  # noqa: BLE001 - untrusted input
            broken.append(_unreadable(field_name, None, exc))
            continue
        readable.append(embedded)
    readable.sort(key=lambda e: e.signed_revision)
    return readable, broken


def validate(
    pdf: bytes,
    *,
    trust_roots: Iterable[x509.Certificate | asn1_x509.Certificate],
    moment: datetime | None = None,
    crls: Iterable[bytes] = (),
) -> list[SignatureReport]:
    """One report per signature of ``pdf`` (document time-stamps are not listed), in file order.

    ``crls`` (DER) are used for revocation checks together with the CRLs in the document's DSS (B-LT);
    a certificate on one of them is reported ``revoked``.

    Only ``trust_roots`` are trusted; nothing is fetched from the network (revocation is "soft-fail":
    certificates without revocation information are accepted). ``moment`` (default: now) is the time
    at which certificates must be valid. Raises :class:`InvalidDocument` for bytes that are not a
    readable PDF and :class:`NoSignatures` for a PDF without signatures.
    """
    roots: Sequence[asn1_x509.Certificate] = [_asn1(c) for c in trust_roots]
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise InvalidDocument("Tệp PDF được mã hóa: không kiểm tra được chữ ký.")
        readable, broken = _signatures(reader)
    except InvalidDocument:
        raise
    except Exception as exc:  # noqa: BLE001 - untrusted uploads: any parser failure means "not a PDF"
        logger.info("not a readable PDF: %r", exc)
        raise InvalidDocument() from exc
    if not readable and not broken:
        raise NoSignatures()
    known_crls = list(crls)
    dss_revocation = False
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        known_crls += [ref.get_object().data for ref in dss.crls]
        dss_revocation = bool(dss.crls or dss.ocsps)
    except NoDSSFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - a damaged DSS only loses the embedded revocation info
        logger.info("unreadable DSS: %r", exc)
    reports = []
    for embedded in readable:
        context = ValidationContext(
            trust_roots=list(roots), moment=moment, allow_fetching=False, crls=known_crls, revocation_mode="soft-fail"
        )
        try:
            status = validate_pdf_signature(embedded, signer_validation_context=context, key_usage_settings=_KEY_USAGE)
            reports.append(_report(embedded, status, dss_revocation=dss_revocation))
        except Exception as exc:  # noqa: BLE001 - untrusted input: one bad signature must not hide the others
            reports.append(_unreadable(embedded.field_name, embedded, exc))
    return reports + broken
