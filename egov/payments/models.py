"""Online payment orders of dossier fees and the log of every message the gateway sent about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy


class OrderStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("payment status", "Chờ thanh toán")
    PAID = "paid", pgettext_lazy("payment status", "Đã thanh toán")
    FAILED = "failed", pgettext_lazy("payment status", "Không thành công")
    CANCELLED = "cancelled", pgettext_lazy("payment status", "Đã hủy")


class PaymentOrder(models.Model):
    """One attempt to pay a dossier's fees (phí, lệ phí) through a gateway. ``amount`` is in đồng."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payment_orders")
    order_id = models.CharField("mã giao dịch", max_length=100, unique=True)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    status = models.CharField(
        "trạng thái", max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING, db_index=True
    )
    gateway = models.CharField("cổng thanh toán", max_length=30)
    gateway_txn_no = models.CharField("mã giao dịch tại cổng", max_length=100, blank=True)
    bank_code = models.CharField("ngân hàng", max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField("thanh toán lúc", null=True, blank=True)
    return_verified_at = models.DateTimeField("xác thực kết quả trả về lúc", null=True, blank=True)
    ipn_count = models.PositiveIntegerField("số lần nhận thông báo", default=0)
    last_error = models.CharField("lỗi gần nhất", max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "giao dịch thanh toán"
        verbose_name_plural = "giao dịch thanh toán"

    def __str__(self) -> str:
        return self.order_id

    def policy_organisation(self):
        return self.dossier.receiving_unit


class EventKind(models.TextChoices):
    CREATE = "create", "Tạo giao dịch"
    RETURN = "return", "Kết quả trả về trình duyệt"
    IPN = "ipn", "Thông báo từ cổng (IPN)"


class PaymentEvent(models.Model):
    """Every message about an order, including tampered ones and those naming no known order."""

    order = models.ForeignKey(PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    order_ref = models.CharField("mã giao dịch nhận được", max_length=100, blank=True, db_index=True)
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    params = models.JSONField("tham số", default=dict)
    signature_ok = models.BooleanField("chữ ký hợp lệ")
    outcome = models.CharField("kết quả", max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "nhật ký thanh toán"
        verbose_name_plural = "nhật ký thanh toán"

    def __str__(self) -> str:
        return f"{self.kind} {self.order_ref} {self.outcome}"
