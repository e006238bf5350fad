"""A unit's signing key: where its PKCS#12 file lies and what its certificate says.

The key material itself never enters the database: the file lives under the PKI directory
(``EGOV_PKI_DIR``), encrypted with ``EGOV_SIGNING_PASSPHRASE``. Rows are written by
:mod:`egov.signing.services` only.
"""

from __future__ import annotations

from django.conf import settings
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


class OfficerCredential(models.Model):
    """An officer's personal signing certificate: on a PKCS#11 token or at a remote signing service (CSC).

    The private key never enters the database: for ``pkcs11`` it lives on the token named
    ``token_label`` (key ``key_label``, guarded by the officer's PIN); for ``csc`` at the remote service
    under ``csc_credential_id``. Rows are written by :mod:`egov.signing.officers` only. An officer has at
    most one active credential; a new enrolment switches the previous one off, a revocation also puts
    its serial on the demo CA's CRL.
    """

    class Method(models.TextChoices):
        PKCS11 = "pkcs11", "Thiết bị ký số (token PKCS#11)"
        CSC = "csc", "Ký số từ xa (CSC)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="cán bộ", on_delete=models.PROTECT, related_name="officer_credentials"
    )
    unit = models.ForeignKey(
        Organisation, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="officer_credentials"
    )
    title = models.CharField("chức vụ", max_length=120)
    method = models.CharField("cách ký", max_length=10, choices=Method.choices, default=Method.PKCS11)
    token_label = models.CharField("nhãn token", max_length=32, blank=True)
    key_label = models.CharField("nhãn khóa", max_length=64, blank=True)
    csc_credential_id = models.CharField("mã chứng thư ký từ xa", max_length=255, blank=True)
    certificate = models.BinaryField("chứng thư (DER)")
    subject = models.CharField("chủ thể chứng thư", max_length=500)
    issuer = models.CharField("tổ chức cấp", max_length=500, blank=True)
    serial = models.CharField("số hiệu chứng thư", max_length=64)
    fingerprint_sha256 = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    active = models.BooleanField("đang dùng", default=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    revocation_reason = models.CharField("lý do thu hồi", max_length=255, blank=True)
    signature_image = models.BinaryField("ảnh chữ ký (PNG)")
    created_at = models.DateTimeField("ngày tạo", default=timezone.now)

    class Meta:
        verbose_name = "chứng thư số cá nhân"
        verbose_name_plural = "chứng thư số cá nhân"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(not_after__gt=models.F("not_before")), name="officer_credential_valid_range"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(active=True), name="officer_credential_one_active"
            ),
            models.CheckConstraint(
                condition=models.Q(method="csc") | ~models.Q(token_label=""), name="officer_credential_pkcs11_token"
            ),
            models.CheckConstraint(
                condition=models.Q(method="pkcs11") | ~models.Q(csc_credential_id=""),
                name="officer_credential_csc_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"

    def policy_organisation(self) -> Organisation:
        return self.unit

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def is_valid_at(self, moment) -> bool:
        return self.not_before <= moment <= self.not_after
