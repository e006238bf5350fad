"""Paying dossier fees online: create an order, take the gateway's notification (IPN), show the return.

State changes only through :func:`handle_ipn`, the signed server-to-server notification: the browser's
return is shown and logged, never trusted to mark an order paid. Every message, including tampered
ones, is logged as a :class:`PaymentEvent`.

Settings (read with defaults): ``EGOV_PAYMENT_SECRET``, ``EGOV_PAYMENT_GATEWAY_URL`` (unset: the
built-in sandbox gateway, which is then enabled), ``EGOV_PAYMENT_TMN_CODE``, ``EGOV_PAYMENT_GATEWAY``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.access import policy
from egov.audit import services as audit
from egov.audit.services import snapshot
from egov.core.context import public_url
from egov.core.errors import Conflict, DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import TRANSITIONS, Status
from egov.payments import gateway
from egov.payments.models import EventKind, OrderStatus, PaymentEvent, PaymentOrder
from egov.security import services as security

__all__ = [
    "DEMO_SECRET",
    "PaymentConfig",
    "ReturnResult",
    "config",
    "may_pay",
    "create_order",
    "handle_ipn",
    "handle_return",
]

logger = logging.getLogger(__name__)

DEMO_SECRET = "sandbox-demo-secret-khong-dung-that"
DEMO_TMN_CODE = "SONNAM01"

# VNPay-like answers to an IPN.
RSP_OK = ("00", "Confirm Success")
RSP_NOT_FOUND = ("01", "Order not found")
RSP_ALREADY = ("02", "Order already confirmed")
RSP_AMOUNT = ("04", "Invalid amount")
RSP_SIGNATURE = ("97", "Invalid signature")


@dataclass(frozen=True)
class PaymentConfig:
    secret: str
    gateway_url: str
    tmn_code: str
    gateway: str
    sandbox: bool


def config() -> PaymentConfig:
    configured_url = getattr(settings, "EGOV_PAYMENT_GATEWAY_URL", "") or ""
    return PaymentConfig(
        secret=getattr(settings, "EGOV_PAYMENT_SECRET", "") or DEMO_SECRET,
        gateway_url=configured_url or reverse("payments:sandbox_pay"),
        tmn_code=getattr(settings, "EGOV_PAYMENT_TMN_CODE", "") or DEMO_TMN_CODE,
        gateway=getattr(settings, "EGOV_PAYMENT_GATEWAY", "") or ("vnpay" if configured_url else "sandbox"),
        # The sandbox pays anything it is shown: it exists only while no real gateway is configured.
        sandbox=not configured_url,
    )


def may_pay(by, dossier: Dossier) -> bool:
    """The applicant's own account, an officer of the receiving unit, or the platform (``by=None``)."""
    if by is None:
        return True
    if not getattr(by, "is_authenticated", False) or not by.is_active:
        return False
    if dossier.applicant_user_id is not None and dossier.applicant_user_id == by.pk:
        return True
    return policy.has(by, "dossier.receive", dossier.receiving_unit)


def payable_statuses() -> frozenset[int]:
    """Where a payment can be recorded, so where paying online can succeed (the transition table)."""
    return TRANSITIONS["record_payment"].sources


_NOT_PAYABLE = {  # the applicant's words (the refusal is shown on the applicant's page)
    Status.NEW: _("Hồ sơ chưa được tiếp nhận: Ông/Bà thanh toán phí, lệ phí sau khi cơ quan tiếp nhận hồ sơ."),
    Status.WAITING_SUPPLEMENT: _("Hồ sơ đang chờ bổ sung: Ông/Bà thanh toán phí, lệ phí sau khi nộp hồ sơ bổ sung."),
    Status.REFUSED: _("Hồ sơ không được tiếp nhận nên không phải nộp phí, lệ phí."),
    Status.WITHDRAWN: _("Hồ sơ đã rút nên không phải nộp phí, lệ phí."),
    Status.STOPPED: _("Hồ sơ đã dừng xử lý nên không phải nộp phí, lệ phí."),
    Status.RETURNED: _("Hồ sơ đã trả kết quả; không thanh toán trực tuyến được nữa."),
}


@transaction.atomic
def create_order(
    *, by, dossier: Dossier, return_url: str | None = None, client_ip: str = ""
) -> tuple[PaymentOrder, str]:
    """Open a payment order for the dossier's unpaid fees; returns it and the gateway URL to redirect to."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("receiving_unit").get(pk=dossier.pk)
    if not may_pay(by, dossier):
        raise PermissionDenied("Chỉ chủ hồ sơ hoặc cán bộ bộ phận một cửa tiếp nhận hồ sơ được thanh toán phí.")
    if dossier.fee_amount <= 0:
        raise ValidationFailed.field("dossier", "Hồ sơ không có khoản phí, lệ phí nào phải nộp.")
    if dossier.fee_paid_at is not None:
        raise Conflict("Hồ sơ đã được ghi nhận nộp phí.")
    if dossier.status not in payable_statuses():
        # Said to the applicant, who pays: what happens to the dossier and when paying is possible.
        raise InvalidTransition(
            str(_NOT_PAYABLE.get(dossier.status, _NOT_PAYABLE[Status.NEW])),
            details={"current_status": int(dossier.status), "action": "record_payment"},
        )
    cfg = config()
    # The dossier row is locked, so the count cannot race; order_id is unique as a backstop.
    number = PaymentOrder.objects.filter(dossier=dossier).count() + 1
    order = PaymentOrder.objects.create(
        dossier=dossier,
        order_id=f"{dossier.code}-{number}",
        amount=dossier.fee_amount,
        gateway=cfg.gateway,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if return_url is None:
        return_url = public_url(reverse("payments:return"))
    params = gateway.payment_params(
        gateway.PaymentRequest(
            tmn_code=cfg.tmn_code,
            order_id=order.order_id,
            amount=order.amount,
            order_info=f"Nop phi ho so {dossier.code}",
            return_url=return_url,
            created_at=timezone.now(),
            client_ip=client_ip,
        )
    )
    PaymentEvent.objects.create(
        order=order,
        order_ref=order.order_id,
        kind=EventKind.CREATE,
        params=params,
        signature_ok=True,
        outcome="created",
    )
    audit.record(actor=by, action="payment.create_order", target=order, after=snapshot(order))
    return order, gateway.build_payment_url(cfg.gateway_url, params, cfg.secret)


def _answer(code_message: tuple[str, str], *, params: dict, order: PaymentOrder | None, signature_ok: bool) -> dict:
    code, message = code_message
    PaymentEvent.objects.create(
        order=order,
        order_ref=params.get("vnp_TxnRef", "")[:100],
        kind=EventKind.IPN,
        params=params,
        signature_ok=signature_ok,
        outcome=f"{code} {message}",
    )
    return {"RspCode": code, "Message": message}


def _gateway_amount(params: dict) -> int | None:
    try:
        return int(params.get("vnp_Amount", ""))
    except ValueError:
        return None


@transaction.atomic
def handle_ipn(params: Mapping[str, object]) -> dict[str, str]:
    """The gateway's server-to-server notification. Idempotent: a repeated one changes nothing.

    Answers ``{"RspCode", "Message"}``: 00 confirmed, 97 bad signature, 01 unknown order, 04 wrong
    amount, 02 already confirmed. A paid order is applied to the dossier (``record_payment``, which
    resumes a paused clock) in the same transaction; if the dossier refuses it the order stays paid
    (the money was taken) and the reconciliation page shows the mismatch.
    """
    params = {str(k): str(v) for k, v in params.items()}
    cfg = config()
    ref = params.get("vnp_TxnRef", "")
    order = PaymentOrder.objects.filter(order_id=ref).first() if ref else None
    if not gateway.verify(params, cfg.secret):
        logger.warning("Payment IPN with an invalid signature for order %r", ref)
        security.record(security.EventKind.PAYMENT_TAMPERED, detail=f"IPN: chữ ký sai (đơn {ref[:100]})")
        return _answer(RSP_SIGNATURE, params=params, order=order, signature_ok=False)
    if order is None or params.get("vnp_TmnCode") != cfg.tmn_code:
        return _answer(RSP_NOT_FOUND, params=params, order=order, signature_ok=True)

    order = PaymentOrder.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=order.pk)
    PaymentOrder.objects.filter(pk=order.pk).update(ipn_count=F("ipn_count") + 1)
    if _gateway_amount(params) != order.amount * 100:
        logger.warning("Payment IPN for order %s with amount %r", order.order_id, params.get("vnp_Amount"))
        security.record(security.EventKind.PAYMENT_TAMPERED, detail=f"IPN: số tiền sai (đơn {order.order_id})")
        PaymentOrder.objects.filter(pk=order.pk).update(
            last_error=f"Số tiền cổng báo ({params.get('vnp_Amount', '')}) khác số tiền giao dịch."[:500]
        )
        return _answer(RSP_AMOUNT, params=params, order=order, signature_ok=True)
    if order.status != OrderStatus.PENDING:
        return _answer(RSP_ALREADY, params=params, order=order, signature_ok=True)

    before = snapshot(order)
    response_code = params.get("vnp_ResponseCode", "")
    order.gateway_txn_no = params.get("vnp_TransactionNo", "")[:100]
    order.bank_code = params.get("vnp_BankCode", "")[:30]
    if response_code == gateway.RESPONSE_SUCCESS and params.get("vnp_TransactionStatus", "00") == "00":
        order.status = OrderStatus.PAID
        order.paid_at = timezone.now()
        order.last_error = _apply_to_dossier(order)
    else:
        order.status = OrderStatus.CANCELLED if response_code == gateway.RESPONSE_CANCELLED else OrderStatus.FAILED
        order.last_error = f"Cổng thanh toán trả mã {response_code}."
    order.save(update_fields=["status", "paid_at", "gateway_txn_no", "bank_code", "last_error"])
    order.ipn_count += 1
    audit.record(actor=None, action=f"payment.{order.status}", target=order, before=before, after=snapshot(order))
    return _answer(RSP_OK, params=params, order=order, signature_ok=True)


def _apply_to_dossier(order: PaymentOrder) -> str:
    """Record the payment on the dossier; returns why it could not be, or ``""``."""
    dossier = order.dossier
    if dossier.fee_amount != order.amount:
        return f"Số tiền đã thu ({order.amount}) khác phí của hồ sơ ({dossier.fee_amount}); cần đối soát."
    try:
        with transaction.atomic():
            dossier_services.record_payment(by=None, dossier=dossier)
    except DomainError as exc:
        logger.warning("Paid order %s not applied to dossier %s: %s", order.order_id, dossier.code, exc.message)
        return f"Chưa ghi nhận vào hồ sơ: {exc.message}"[:500]
    return ""


@dataclass(frozen=True)
class ReturnResult:
    signature_ok: bool
    order: PaymentOrder | None
    gateway_success: bool
    message: str


@transaction.atomic
def handle_return(params: Mapping[str, object]) -> ReturnResult:
    """The browser's return from the gateway: verified and logged, shown, never trusted to mark paid."""
    params = {str(k): str(v) for k, v in params.items()}
    cfg = config()
    ref = params.get("vnp_TxnRef", "")
    order = PaymentOrder.objects.select_related("dossier").filter(order_id=ref).first() if ref else None
    ok = gateway.verify(params, cfg.secret)
    success = ok and params.get("vnp_ResponseCode") == gateway.RESPONSE_SUCCESS
    if not ok:
        message = "Chữ ký không hợp lệ: kết quả này không đến từ cổng thanh toán."
        logger.warning("Payment return with an invalid signature for order %r", ref)
        security.record(security.EventKind.PAYMENT_TAMPERED, detail=f"Trang trả về: chữ ký sai (đơn {ref[:100]})")
    elif order is None:
        message = "Không tìm thấy giao dịch."
    elif order.status == OrderStatus.PAID:
        message = "Thanh toán thành công. Hồ sơ đã được ghi nhận nộp phí."
    elif success:
        message = "Cổng thanh toán báo thành công; hệ thống đang chờ xác nhận từ cổng."
    else:
        message = "Thanh toán không thành công hoặc đã bị hủy."
    if ok and order is not None and order.return_verified_at is None:
        order.return_verified_at = timezone.now()
        PaymentOrder.objects.filter(pk=order.pk).update(return_verified_at=order.return_verified_at)
    PaymentEvent.objects.create(
        order=order, order_ref=ref[:100], kind=EventKind.RETURN, params=params, signature_ok=ok, outcome=message[:200]
    )
    return ReturnResult(signature_ok=ok, order=order, gateway_success=success, message=message)
