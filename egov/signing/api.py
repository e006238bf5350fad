"""The public check of signed PDFs: ``POST /api/v1/signatures/verify`` (and the helpers the page
``/kiem-tra-chu-ky/`` shares with it).

Anyone may upload a PDF; the answer lists every signature: who signed, when, whether the file is
intact, whether the signature is valid and whether the certificate chains to a trust root configured
in ``EGOV_TRUST_ROOTS``. The file is read in memory and never stored. Calls are limited per client
address (``EGOV_VERIFY_RATE``, default ``"20/min"``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR

from django.conf import settings
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.throttling import AnonRateThrottle

from egov.core.errors import Throttled, ValidationFailed
from egov.core.openapi import errors
from egov.core.uploads import size_text
from egov.signing import services
from egov.signing.errors import InvalidDocument
from egov.signing.pades import SignatureReport
from egov.signing.pki import VIETNAM_TZ

__all__ = ["router", "VerifyThrottle", "VERIFY_THROTTLED", "max_upload_bytes", "read_pdf", "verify"]

router = Router(tags=["Kiểm tra chữ ký số"])

FIELD = "file"
VERIFY_THROTTLED = "Bạn kiểm tra quá nhiều tệp trong thời gian ngắn. Vui lòng thử lại sau ít phút."
NO_FILE = "Hãy chọn tệp PDF cần kiểm tra."


class VerifyThrottle(AnonRateThrottle):
    """Per client address, for everyone (the check is public), with its own allowance."""

    def allow_request(self, request):
        self.rate = getattr(settings, "EGOV_VERIFY_RATE", "20/min")
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(AnonRateThrottle, self).allow_request(request)

    def get_cache_key(self, request):
        from egov.core.middleware import client_ip

        return self.cache_format % {"scope": "signature_verify", "ident": client_ip(request) or "unknown"}


def max_upload_bytes() -> int:
    return getattr(settings, "EGOV_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


def read_pdf(upload) -> bytes:
    """The bytes of an uploaded PDF, checked by size and content; else :class:`ValidationFailed` on ``file``."""
    if upload is None:
        raise ValidationFailed.field(FIELD, NO_FILE)
    name = (upload.name or "tệp")[:120]
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed.field(FIELD, _too_large(name, upload.size, limit))
    content = upload.read(limit + 1)
    if not content:
        raise ValidationFailed.field(FIELD, f"Tệp '{name}' rỗng.")
    if len(content) > limit:
        raise ValidationFailed.field(FIELD, _too_large(name, len(content), limit))
    if not content.startswith(b"%PDF"):
        raise ValidationFailed.field(FIELD, f"Tệp '{name}' không phải tệp PDF (nhận dạng theo nội dung tệp).")
    return content


def _too_large(name: str, size: int, limit: int) -> str:
    return f"Tệp '{name}' quá lớn ({size_text(size, ROUND_CEILING)}); tối đa {size_text(limit, ROUND_FLOOR)}."


def verify(content: bytes) -> list[SignatureReport]:
    """The signatures of ``content``; a damaged or unsigned PDF is a :class:`ValidationFailed` on ``file``
    (``reason`` keeps the signing error's code: ``invalid_pdf`` or ``pdf_not_signed``)."""
    try:
        return services.validate_pdf(content)
    except InvalidDocument as exc:
        failed = ValidationFailed.field(FIELD, exc.message)
        failed.details = {"reason": exc.code}
        raise failed from exc


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(VIETNAM_TZ).isoformat() if moment else None


class SignatureOut(Schema):
    field_name: str
    signer_common_name: str
    signer_organisation: str
    signer_identifier: str
    signer_subject: str
    certificate_fingerprint_sha256: str
    certificate_not_after: str | None
    signing_time: str | None
    timestamped: bool
    reason: str
    location: str
    intact: bool
    coverage: str
    modification_level: str | None
    valid: bool
    trusted: bool
    trust_problem: str | None
    ok: bool
    summary: str

    @classmethod
    def of(cls, report: SignatureReport) -> SignatureOut:
        return cls(
            field_name=report.field_name,
            signer_common_name=report.signer_common_name,
            signer_organisation=report.signer_organisation,
            signer_identifier=report.signer_identifier,
            signer_subject=report.signer_subject,
            certificate_fingerprint_sha256=report.certificate_fingerprint_sha256,
            certificate_not_after=_iso(report.certificate_not_after),
            signing_time=_iso(report.signing_time),
            timestamped=report.timestamped,
            reason=report.reason,
            location=report.location,
            intact=report.intact,
            coverage=report.coverage,
            modification_level=report.modification_level,
            valid=report.valid,
            trusted=report.trusted,
            trust_problem=report.trust_problem,
            ok=report.ok,
            summary=report.summary,
        )


class VerifyOut(Schema):
    signatures: list[SignatureOut]


@router.post(
    "/verify",
    response={200: VerifyOut, **errors(429)},
    auth=None,
    summary="Kiểm tra chữ ký số của tệp PDF",
    description=(
        "Gửi tệp PDF (multipart, trường `file`). Trả về từng chữ ký: người ký, thời điểm ký (giờ Việt Nam), "
        "tài liệu còn nguyên vẹn không, chữ ký hợp lệ không, chứng thư có thuộc tổ chức chứng thực được tin "
        "cậy không. Tệp không được lưu lại. Lỗi 422 nêu trường `file`."
    ),
)
def verify_api(request, file: File[UploadedFile]):
    # Checked here rather than with ninja's ``throttle=``, whose 429 says "Too many requests." in English.
    if not VerifyThrottle().allow_request(request):
        raise Throttled(VERIFY_THROTTLED)
    reports = verify(read_pdf(file))
    return VerifyOut(signatures=[SignatureOut.of(r) for r in reports])
