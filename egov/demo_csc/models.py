"""What the stand-in remote signing service keeps: each officer's credential (key, certificate, PIN)
and the signature activations (SAD) it has handed out."""

from __future__ import annotations

from django.db import models

__all__ = ["RemoteCredential", "Authorization"]


class RemoteCredential(models.Model):
    """A signing key held by the service for one of its users (CSC "credential")."""

    credential_id = models.CharField("mã chứng thư trên dịch vụ", max_length=64, unique=True)
    # The service's own user identifier ("userID" of credentials/list): the platform user's id.
    user_id = models.CharField("mã người dùng", max_length=64, db_index=True)
    description = models.CharField("mô tả", max_length=300)
    # PKCS#8 PEM, encrypted with EGOV_SIGNING_PASSPHRASE (the demo's server secret).
    key_pem = models.TextField("khóa bí mật (mã hóa)")
    certificate_pem = models.TextField("chứng thư số")
    # The issuing CA's certificate(s), PEM, given with the credential (credentials/info "chain").
    chain_pem = models.TextField("chứng thư của tổ chức chứng thực", blank=True)
    pin_hash = models.CharField("mã PIN (băm)", max_length=200)
    is_enabled = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("thời điểm cấp")

    class Meta:
        verbose_name = "chứng thư ký số từ xa (mô phỏng)"
        verbose_name_plural = "chứng thư ký số từ xa (mô phỏng)"
        ordering = ["credential_id"]

    def __str__(self) -> str:
        return self.description


class Authorization(models.Model):
    """Signature Activation Data handed out by credentials/authorize: good for ``remaining`` more
    signatures of exactly the hashes listed, until ``expires_at``."""

    credential = models.ForeignKey(RemoteCredential, on_delete=models.CASCADE, related_name="authorizations")
    # SHA-256 of the SAD (hex): the SAD itself is a bearer secret and is not stored.
    sad_digest = models.CharField(max_length=64, unique=True)
    hashes = models.JSONField("giá trị băm được phép ký", default=list)
    remaining = models.PositiveIntegerField("số chữ ký còn được phép")
    expires_at = models.DateTimeField("hết hạn lúc")
    created_at = models.DateTimeField("thời điểm cấp")

    class Meta:
        verbose_name = "phiên cho phép ký (SAD)"
        verbose_name_plural = "phiên cho phép ký (SAD)"
        indexes = [models.Index(fields=["expires_at"], name="demo_csc_auth_expires_idx")]

    def __str__(self) -> str:
        return f"SAD {self.sad_digest[:12]}… ({self.remaining})"
