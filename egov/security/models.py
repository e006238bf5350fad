"""Security events (failed sign-ins, lock-outs, refused tokens, refused accesses, tampered payment
notifications, a broken audit chain) and the alerts sent when one kind passes its threshold.

Only the username and the client address are kept about a person: no password, token, body or
query string.
"""

from __future__ import annotations

from django.db import models


class EventKind(models.TextChoices):
    LOGIN_FAILED = "login_failed", "Đăng nhập sai"
    LOCKOUT = "lockout", "Khóa tài khoản do đăng nhập sai nhiều lần"
    TOKEN_REFUSED = "token_refused", "Mã truy cập API bị từ chối"
    FORBIDDEN = "forbidden", "Truy cập bị từ chối (403)"
    PAYMENT_TAMPERED = "payment_tampered", "Thông báo thanh toán bị giả mạo"
    AUDIT_CHAIN_BROKEN = "audit_chain_broken", "Chuỗi nhật ký bị phá vỡ"


class SecurityEvent(models.Model):
    occurred_at = models.DateTimeField("thời điểm", db_index=True)
    kind = models.CharField("loại", max_length=32, choices=EventKind.choices)
    username = models.CharField("tên đăng nhập", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    path = models.CharField("đường dẫn", max_length=300, blank=True)
    detail = models.CharField("chi tiết", max_length=300, blank=True)

    class Meta:
        verbose_name = "sự kiện an ninh"
        verbose_name_plural = "sự kiện an ninh"
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["kind", "occurred_at"], name="security_kind_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class SecurityAlert(models.Model):
    """One alert per kind and window: the row is the lock that keeps a burst from sending many."""

    kind = models.CharField("loại", max_length=32, choices=EventKind.choices)
    window_start = models.DateTimeField("đầu khoảng thời gian")
    sent_at = models.DateTimeField("thời điểm cảnh báo")
    count = models.PositiveIntegerField("số sự kiện")
    threshold = models.PositiveIntegerField("ngưỡng")
    recipients = models.CharField("gửi tới", max_length=1000, blank=True)

    class Meta:
        verbose_name = "cảnh báo an ninh"
        verbose_name_plural = "cảnh báo an ninh"
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "window_start"], name="security_alert_once_per_window")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.count} ≥ {self.threshold}"
