"""The public page "Kiểm tra văn bản ký số" (``/kiem-tra-chu-ky/``): upload a PDF, see its signatures.

Works without JavaScript (a plain multipart form). The checks, the rate limit and the messages are
those of ``POST /api/v1/signatures/verify`` (:mod:`egov.signing.api`); the file is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egov.core.errors import ValidationFailed
from egov.core.uploads import size_text
from egov.signing import api, services
from egov.signing.errors import InvalidKeyFile, KeyNotFound
from egov.signing.pades import SignatureReport
from egov.signing.pki import VIETNAM_TZ

TEMPLATE = "signing/verify.html"


@dataclass(frozen=True)
class SignatureView:
    """A report with the texts the page shows."""

    report: SignatureReport
    signing_time: str
    certificate_not_after: str
    certificate_expired: bool


def _when(moment: datetime | None, fmt: str) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime(fmt) if moment else ""


def _view(report: SignatureReport) -> SignatureView:
    expiry = report.certificate_not_after
    return SignatureView(
        report=report,
        signing_time=_when(report.signing_time, "%d/%m/%Y %H:%M"),
        certificate_not_after=_when(expiry, "%d/%m/%Y"),
        certificate_expired=bool(expiry and expiry < timezone.now()),
    )


@require_http_methods(["GET", "POST"])
def verify_page(request):
    context = {
        "max_size": size_text(api.max_upload_bytes(), ROUND_FLOOR),
        "summary_errors": [],
        "field_error": None,
        "signatures": None,
        "file_name": "",
    }
    if request.method == "GET":
        return render(request, TEMPLATE, context)
    if not api.VerifyThrottle().allow_request(request):
        context["summary_errors"] = [api.VERIFY_THROTTLED]
        return render(request, TEMPLATE, context, status=429)
    upload = request.FILES.get(api.FIELD)
    try:
        reports = api.verify(api.read_pdf(upload))
    except ValidationFailed as exc:
        message = exc.errors[0].message if exc.errors else exc.message
        context["field_error"] = message
        context["summary_errors"] = [message]
        return render(request, TEMPLATE, context, status=422)
    context["file_name"] = upload.name
    context["signatures"] = [_view(r) for r in reports]
    return render(request, TEMPLATE, context)


@require_http_methods(["GET", "HEAD"])
def demo_root_crl(request):
    """The demo root's certificate revocation list (DER, RFC 5280), the CRL distribution point written
    into the certificates it issues (``EGOV_CRL_URL``). 404 when this platform holds no root."""
    try:
        crl = services.current_crl()
    except (KeyNotFound, InvalidKeyFile) as exc:
        raise Http404(_("Không có danh sách chứng thư bị thu hồi.")) from exc
    response = HttpResponse(crl, content_type="application/pkix-crl")
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Disposition"] = 'inline; filename="demo-root.crl"'
    return response
