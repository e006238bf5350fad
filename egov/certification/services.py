"""Certifying electronic copies from originals (chứng thực bản sao điện tử từ bản chính).

The applicant presents the original at the counter; the certifying officer (commune or justice
office) compares it, scans it and certifies the scan: it is signed with the certifying agency's key
with a visible "Chứng thực bản sao đúng với bản chính" stamp, numbered in the agency's register of
certified copies for the year, the fee is recorded, and the copy lands in the applicant's personal
store, from which later dossiers reuse it (NĐ 23/2015 Đ3, NĐ 45/2020 Đ6, verify)."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.certification.models import CertifiedCopy, RegisterCounter
from egov.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from egov.core.uploads import check_upload
from egov.organisations.selectors import agency_of
from egov.portal import services as portal
from egov.signing import services as signing
from egov.signing.errors import SigningError

__all__ = ["OriginalScan", "fee_for", "certify_copy", "CERTIFY_PERMISSIONS", "STAMP_HEADING"]

# Officers who receive or appraise at a commune or a justice office certify copies there.
CERTIFY_PERMISSIONS = ("dossier.receive", "dossier.process")
STAMP_HEADING = "Chứng thực bản sao đúng với bản chính"

# TT 226/2016/TT-BTC Đ4 (verify): 2,000 đồng a page for the first two pages, 1,000 đồng a page from
# the third, at most 200,000 đồng a copy.
FIRST_PAGES, FIRST_PAGE_FEE, NEXT_PAGE_FEE, MAX_FEE = 2, 2000, 1000, 200000

_IMAGE_TYPES = {"image/jpeg", "image/png"}


@dataclass(frozen=True)
class OriginalScan:
    name: str
    content: bytes


def fee_for(pages: int) -> int:
    first = min(pages, FIRST_PAGES) * FIRST_PAGE_FEE
    return min(first + max(pages - FIRST_PAGES, 0) * NEXT_PAGE_FEE, MAX_FEE)


def _money(amount: int) -> str:
    """Vietnamese thousands separator: 5.000."""
    return f"{amount:,}".replace(",", ".")


def _pdf_pages(content: bytes) -> int | None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        return int(reader.root["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 - any parse failure means "not a usable PDF"
        return None


def _image_pdf(content: bytes, content_type: str) -> bytes:
    """A scanned image as one A4 page (WeasyPrint), so it can carry a PDF signature."""
    from weasyprint import HTML

    data = base64.b64encode(content).decode()
    html = (
        "<!doctype html><html><head><style>@page { size: A4; margin: 10mm } html, body { margin: 0 }"
        "img { display: block; max-width: 100%; max-height: 277mm; margin: 0 auto }</style></head>"
        f'<body><img src="data:{content_type};base64,{data}" alt=""></body></html>'
    )
    return HTML(string=html).write_pdf()


def _next_number(agency, year: int) -> int:
    """The next number of the agency's register for ``year``, in one UPDATE (see RegisterCounter)."""
    for _ in range(3):
        if RegisterCounter.objects.filter(agency=agency, year=year).update(last=F("last") + 1):
            return RegisterCounter.objects.get(agency=agency, year=year).last
        try:
            with transaction.atomic():
                RegisterCounter.objects.create(agency=agency, year=year, last=1)
            return 1
        except IntegrityError:
            continue
    raise Conflict("Không cấp được số chứng thực, vui lòng thử lại.")


def _applicant(identity: str):
    from egov.people.models import User

    return User.objects.filter(citizen_profile__identity_number=identity, is_active=True).first() if identity else None


@transaction.atomic
def certify_copy(
    *, by, unit, applicant_identity: str, document_name: str, original: OriginalScan, fee_collected
) -> CertifiedCopy:
    """Certify ``original`` (a PDF or a JPEG/PNG scan) for the citizen whose identity number is
    ``applicant_identity``, at ``unit``; ``fee_collected`` must be the fee for its pages."""
    if not any(policy.has(by, perm, unit) for perm in CERTIFY_PERMISSIONS):
        raise PermissionDenied(f"Chỉ công chức của {unit.name} được chứng thực bản sao tại đơn vị này.")
    errors: list[FieldError] = []
    identity = (applicant_identity or "").strip()
    applicant = _applicant(identity)
    if not identity:
        errors.append(FieldError("applicant_identity", "Cần nhập số định danh cá nhân của người yêu cầu chứng thực."))
    elif applicant is None:
        errors.append(
            FieldError(
                "applicant_identity",
                f"Không có tài khoản công dân nào có số định danh {identity}: người yêu cầu cần có tài khoản "
                "để nhận bản sao điện tử vào kho dữ liệu.",
            )
        )
    name = (document_name or "").strip()
    if not name:
        errors.append(FieldError("document_name", "Cần ghi tên giấy tờ, văn bản được chứng thực."))
    elif len(name) > 300:
        errors.append(FieldError("document_name", "Tên giấy tờ tối đa 300 ký tự."))
    pdf, pages = None, None
    checked = check_upload(field="original", name=original.name, content=original.content) if original.content else None
    if checked is None:
        errors.append(FieldError("original", "Cần tải lên bản chụp (scan) của bản chính."))
    elif isinstance(checked, FieldError):
        errors.append(checked)
    elif checked.content_type == "application/pdf":
        pages = _pdf_pages(checked.content)
        if pages is None or pages < 1:
            errors.append(FieldError("original", f"Tệp '{checked.name}' không phải tệp PDF đọc được."))
        else:
            pdf = checked.content
    elif checked.content_type in _IMAGE_TYPES:
        pdf, pages = _image_pdf(checked.content, checked.content_type), 1
    else:
        errors.append(FieldError("original", "Bản chụp bản chính phải là tệp PDF hoặc ảnh JPEG, PNG."))
    try:
        fee = int(str(fee_collected).strip())
    except (TypeError, ValueError):
        fee = None
        errors.append(FieldError("fee", "Phí chứng thực phải là số tiền (đồng), ví dụ 2000."))
    if fee is not None and pages is not None and fee != fee_for(pages):
        errors.append(
            FieldError(
                "fee",
                f"Phí chứng thực bản sao {pages} trang là {_money(fee_for(pages))} đồng (TT 226/2016/TT-BTC), "
                f"không phải {_money(fee)} đồng.",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    agency = agency_of(unit)
    now = timezone.now()
    year = timezone.localtime(now).year
    number = _next_number(agency, year)
    book = f"{year}-SCT/BS"
    lines = (
        STAMP_HEADING,
        f"Số chứng thực: {number}, quyển số: {book}",
        f"Ngày {timezone.localtime(now):%d/%m/%Y}",
        f"Người chứng thực: {by.get_full_name()}",
    )
    try:
        signed = signing.sign_pdf(pdf=pdf, unit=agency, reason=STAMP_HEADING, appearance="stamp", stamp_lines=lines)
    except SigningError as exc:
        raise ValidationFailed.field("original", f"Không ký được bản sao: {exc.message}") from exc
    copy = CertifiedCopy(
        agency=agency,
        unit=unit,
        year=year,
        number=number,
        document_name=name,
        applicant=applicant,
        applicant_name=applicant.get_full_name(),
        applicant_identity=identity,
        pages=pages,
        fee_amount=fee,
        original_sha256=checked.sha256,
        sha256=hashlib.sha256(signed).hexdigest(),
        certified_at=now,
        certified_by=by,
    )
    file_name = f"ban-sao-chung-thuc-{year}-{number}.pdf"
    copy.pdf.save(file_name, ContentFile(signed), save=False)
    copy.save()
    stored = portal.keep_certified_copy(
        owner=applicant,
        name=f"{name} (bản sao chứng thực số {number}/{book})",
        file_name=file_name,
        content=signed,
    )
    CertifiedCopy.objects.filter(pk=copy.pk).update(personal_document_id=stored.pk)
    copy.personal_document_id = stored.pk
    audit.record(
        actor=by,
        action="certification.certify_copy",
        target=copy,
        after={"number": number, "year": year, "pages": pages, "fee": fee, "sha256": copy.sha256},
    )
    return copy
