"""Thanh toán trực tuyến: the gateway's server-to-server notification (IPN)."""

import logging

from django.http import HttpRequest
from ninja import Router, Schema

from egov.core.openapi import errors
from egov.payments import services

logger = logging.getLogger(__name__)

router = Router(tags=["Thanh toán"])


class IpnAnswer(Schema):
    RspCode: str
    Message: str


@router.api_operation(
    ["GET", "POST"], "/ipn", response={200: IpnAnswer, **errors(400)}, auth=None, url_name="payments_ipn"
)
def ipn(request: HttpRequest):
    """Thông báo kết quả thanh toán từ cổng (IPN), có chữ ký HMAC-SHA512. Public: the signature
    authenticates the gateway. Answers 00 confirmed, 97 bad signature, 01 unknown order, 04 wrong
    amount, 02 already confirmed, 99 other error."""
    params = request.GET.dict() if request.method == "GET" else (request.POST.dict() or request.GET.dict())
    try:
        return services.handle_ipn(params)
    except Exception:
        logger.exception("Payment IPN failed")
        return {"RspCode": "99", "Message": "Unknown error"}
