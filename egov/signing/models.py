"""A unit's signing key: where its PKCS#12 file lies and what its certificate says.

The key material itself never enters the database: the file lives under the PKI directory
(``EGOV_PKI_DIR``), encrypted with ``EGOV_SIGNING_PASSPHRASE``. Rows are written by
:mod:`egov.signing.services` only.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from egov.organisations.models import Organisation


class SigningKey(models.Model):
    class Origin(models.TextChoices):
        PLATFORM = "platform", "Cấp bởi chứng thư gốc của hệ thống"
        INSTALLED = "installed", "Cài từ tệp của tổ chức chứng thực"

    unit = models.OneToOneField(
        Organisation, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="signing_key"
    )
    p12_path = models.CharField("tệp PKCS#12 (trong thư mục PKI)", max_length=255)
    origin = models.CharField("nguồn", max_length=20, choices=Origin.choices, default=Origin.PLATFORM)
    subject = models.CharField("chủ thể chứng thư", max_length=500)
    issuer = models.CharField("tổ chức cấp", max_length=500, blank=True)
    serial = models.CharField("số hiệu chứng thư", max_length=64)
    fingerprint_sha256 = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    created_at = models.DateTimeField("ngày tạo", default=timezone.now)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "khóa ký số"
        verbose_name_plural = "khóa ký số"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(not_after__gt=models.F("not_before")), name="signing_key_valid_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.fingerprint_sha256[:16]})"

    def policy_organisation(self) -> Organisation:
        return self.unit

    def is_usable_at(self, moment) -> bool:
        return self.is_active and self.not_before <= moment <= self.not_after
