"""The local sandbox gateway for the demo and the tests: it plays the bank's side of the protocol.

It answers exactly as a real gateway would (signed parameters), and delivers the server-to-server
notification by calling :func:`notify` in process, so neither the demo nor the tests need a network.
It is served only while no real gateway is configured (``services.config().sandbox``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from django.utils import timezone

from egov.payments import gateway, services

__all__ = ["gateway_response", "notify"]


def gateway_response(request_params: Mapping[str, str], *, pay: bool, secret: str) -> dict[str, str]:
    """The signed parameters the gateway sends back (return and IPN) for a payment request."""
    return gateway.signed(
        {
            "vnp_TmnCode": request_params.get("vnp_TmnCode", ""),
            "vnp_Amount": request_params.get("vnp_Amount", ""),
            "vnp_BankCode": "SANDBOX",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": request_params.get("vnp_OrderInfo", ""),
            "vnp_PayDate": gateway.format_time(timezone.now()),
            "vnp_ResponseCode": gateway.RESPONSE_SUCCESS if pay else gateway.RESPONSE_CANCELLED,
            "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}",
            "vnp_TransactionStatus": "00" if pay else "02",
            "vnp_TxnRef": request_params.get("vnp_TxnRef", ""),
        },
        secret,
    )


def notify(params: Mapping[str, str]) -> dict[str, str]:
    """The server-to-server notification, delivered in process (a real gateway POSTs to the IPN URL)."""
    return services.handle_ipn(params)
