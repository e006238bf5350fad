"""The outbox: every notification to an applicant is a row here first, then a delivery task.

A message is written in the same transaction as the change it reports (a dossier received, a
supplement requested...), so it exists if and only if that change committed. Delivery happens
after the commit, from the task queue or the ``deliver_outbox`` sweeper; every try is a
:class:`DeliveryAttempt`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn SMS"
    ZALO = "zalo", "Zalo (ZNS)"


class Status(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi không thành công"


class OutboxMessage(models.Model):
    """One message to one recipient over one channel.

    ``next_attempt_at`` is when the next try is due while the message is pending; while it is being
    sent, it is the end of the sender's lease (a sender that died is replaced after it); empty once
    the message is sent or has failed for good.
    """

    created_at = models.DateTimeField("tạo lúc", default=timezone.now, db_index=True)
    kind = models.CharField("loại", max_length=64)  # e.g. "dossier.received"
    channel = models.CharField("kênh", max_length=8, choices=Channel.choices)
    recipient = models.CharField("người nhận", max_length=254)  # e-mail address, or +84… for SMS and Zalo
    subject = models.CharField("tiêu đề", max_length=300, blank=True)
    body = models.TextField("nội dung")
    html_body = models.TextField("nội dung HTML", blank=True)
    # Zalo ZNS sends a registered template filled with parameters; ``body`` keeps the SMS text for
    # the record (what the citizen was told), the template is what is sent.
    template_id = models.CharField("mã mẫu Zalo", max_length=64, blank=True)
    template_data = models.JSONField("tham số mẫu Zalo", default=dict, blank=True)
    reference = models.CharField("tham chiếu", max_length=100, blank=True, db_index=True)  # e.g. dossier code
    status = models.CharField("trạng thái", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("lần gửi tới", null=True, blank=True, default=timezone.now)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    provider_message_id = models.CharField("mã tin của nhà cung cấp", max_length=200, blank=True)
    idempotency_key = models.CharField("khóa chống trùng", max_length=200, unique=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "hộp thư đi (thông báo)"
        ordering = ("-created_at", "-id")
        indexes = [
            # The sweeper's query: due pending messages and expired sending leases, oldest first.
            # Leading on status, it also serves the admin's status filter.
            models.Index(fields=["status", "next_attempt_at"], name="notif_outbox_due_idx"),
            models.Index(fields=["next_attempt_at"], name="notif_outbox_next_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values), name="notif_outbox_channel_valid"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="notif_outbox_status_valid"),
        ]

    def __str__(self) -> str:
        # No recipient here: this text lands in the (immutable) audit trail.
        return f"Thông báo #{self.pk} ({self.kind}, {self.get_channel_display()})"


class DeliveryAttempt(models.Model):
    """One try at handing a message to the e-mail server or the SMS gateway."""

    class Outcome(models.TextChoices):
        OK = "ok", "Thành công"
        ERROR = "error", "Lỗi"

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.PROTECT, related_name="delivery_attempts", verbose_name="thông báo"
    )
    at = models.DateTimeField("lúc", default=timezone.now)
    outcome = models.CharField("kết quả", max_length=8, choices=Outcome.choices)
    detail = models.TextField("chi tiết", blank=True)
    duration_ms = models.PositiveIntegerField("thời gian (ms)", default=0)

    class Meta:
        verbose_name = "lần gửi"
        verbose_name_plural = "các lần gửi"
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_outcome_display()}"
