"""Audit records.

Each record stores who did what to which object, from which address, with before/after values,
and ``hash = sha256(prev_hash + canonical content)``. ``seq`` is contiguous, so a deleted record
leaves a gap that verification finds; an edited one breaks its hash. The database refuses UPDATE
(and DELETE on PostgreSQL) through triggers created in migration 0003.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit records are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit records are append-only.")


class AuditRecord(models.Model):
    seq = models.BigIntegerField("số thứ tự", unique=True)
    at = models.DateTimeField("thời điểm", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_repr = models.CharField("người thực hiện (tên)", max_length=200, blank=True)
    # Text, not inet: the value must read back byte-for-byte for the hash to verify.
    ip_address = models.CharField("địa chỉ IP", max_length=45, blank=True)
    channel = models.CharField("kênh", max_length=20, blank=True)
    action = models.CharField("thao tác", max_length=100, db_index=True)
    target_type = models.CharField("loại đối tượng", max_length=100, blank=True)
    target_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    target_repr = models.CharField("đối tượng", max_length=300, blank=True)
    before = models.JSONField("trước", null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "bản ghi nhật ký"
        verbose_name_plural = "nhật ký hệ thống"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit records are append-only.")


class AuditChainHead(models.Model):
    """The single row that serialises appends: last ``seq`` and ``hash`` of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "đầu chuỗi nhật ký"

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
