"""A payment adapter with the pattern of Vietnamese gateways (VNPay and its peers).

The merchant redirects the browser to the gateway with signed parameters; the gateway answers twice,
by redirecting the browser back (the *return*) and by calling the merchant server to server (the
*IPN*, instant payment notification). Every message is signed with HMAC-SHA512 over its parameters
sorted by key, URL-encoded as ``k=v`` pairs joined by ``&``, the hash fields themselves excluded.

Library-grade: no Django import; the caller passes the secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus, urlencode

__all__ = [
    "HASH_FIELD",
    "HASH_FIELDS",
    "VERSION",
    "VIETNAM_OFFSET",
    "GatewayError",
    "SignatureInvalid",
    "PaymentRequest",
    "canonical",
    "sign",
    "verify",
    "signed",
    "build_payment_url",
    "payment_params",
    "format_time",
]

VERSION = "2.1.0"
HASH_FIELD = "vnp_SecureHash"
HASH_FIELDS = frozenset({HASH_FIELD, "vnp_SecureHashType"})
VIETNAM_OFFSET = timezone(timedelta(hours=7))

# Gateway response codes (vnp_ResponseCode) that the adapter interprets.
RESPONSE_SUCCESS = "00"
RESPONSE_CANCELLED = "24"  # the customer cancelled the payment


class GatewayError(Exception):
    """Base of the adapter's errors."""


class SignatureInvalid(GatewayError):
    """The parameters' signature is missing or does not match."""


def canonical(params: Mapping[str, object]) -> str:
    """The signed text: parameters sorted by key, without the hash fields, ``k=v`` joined by ``&``."""
    pairs = sorted((str(k), str(v)) for k, v in params.items() if k not in HASH_FIELDS)
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)


def sign(params: Mapping[str, object], secret: str) -> str:
    """HMAC-SHA512 of :func:`canonical` ``(params)`` under ``secret``, as lower-case hex."""
    return hmac.new(secret.encode("utf-8"), canonical(params).encode("utf-8"), hashlib.sha512).hexdigest()


def verify(params: Mapping[str, object], secret: str) -> bool:
    """Whether ``params[HASH_FIELD]`` is the signature of the other parameters (constant-time)."""
    given = params.get(HASH_FIELD)
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.lower().encode("ascii", "replace"), sign(params, secret).encode("ascii"))


def signed(params: Mapping[str, object], secret: str) -> dict[str, str]:
    """A copy of ``params`` (values as text) with its signature added."""
    out = {str(k): str(v) for k, v in params.items() if k not in HASH_FIELDS}
    out[HASH_FIELD] = sign(out, secret)
    return out


def format_time(moment: datetime) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time, the gateways' date format."""
    return moment.astimezone(VIETNAM_OFFSET).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class PaymentRequest:
    """What the merchant asks the gateway to collect. ``amount`` is in đồng."""

    tmn_code: str
    order_id: str
    amount: int
    order_info: str
    return_url: str
    created_at: datetime
    client_ip: str = "127.0.0.1"
    locale: str = "vn"


def payment_params(request: PaymentRequest) -> dict[str, str]:
    """The unsigned parameters of a payment request. Gateways count in 1/100 đồng."""
    if request.amount <= 0:
        raise GatewayError("Số tiền thanh toán phải lớn hơn 0.")
    return {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": request.tmn_code,
        "vnp_Amount": str(request.amount * 100),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": request.order_id,
        "vnp_OrderInfo": request.order_info,
        "vnp_OrderType": "other",
        "vnp_Locale": request.locale,
        "vnp_ReturnUrl": request.return_url,
        "vnp_IpAddr": request.client_ip or "127.0.0.1",
        "vnp_CreateDate": format_time(request.created_at),
    }


def build_payment_url(base_url: str, params: Mapping[str, object], secret: str) -> str:
    """``base_url`` with ``params`` and their signature as the query string."""
    separator = "&" if "?" in base_url else "?"
    return base_url + separator + urlencode(signed(params, secret))
