"""Users, roles, positions, citizen profiles and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    class Kind(models.TextChoices):
        OFFICER = "officer", "Cán bộ, công chức"
        CITIZEN = "citizen", "Công dân"
        BUSINESS = "business", "Doanh nghiệp, tổ chức"

    kind = models.CharField("loại tài khoản", max_length=10, choices=Kind.choices, default=Kind.CITIZEN, db_index=True)
    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username


class Role(models.Model):
    """A role and the permissions it grants, as data (see ``egov.access.policy.PERMISSIONS``)."""

    code = models.SlugField("mã vai trò", max_length=50, unique=True)
    name = models.CharField("tên vai trò", max_length=100)
    description = models.TextField("mô tả", blank=True)
    permissions = models.JSONField("quyền", default=list, blank=True)

    class Meta:
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PositionQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Position(models.Model):
    """An officer holds ``role`` in ``unit``; the role's permissions apply to the unit's subtree."""

    user = models.ForeignKey(User, verbose_name="cán bộ", on_delete=models.CASCADE, related_name="positions")
    unit = models.ForeignKey(
        "organisations.Organisation", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="positions"
    )
    role = models.ForeignKey(Role, verbose_name="vai trò", on_delete=models.PROTECT, related_name="positions")
    title = models.CharField("chức danh", max_length=100, blank=True)
    valid_from = models.DateField("từ ngày", null=True, blank=True)
    valid_to = models.DateField("đến ngày", null=True, blank=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = "vị trí công tác"
        verbose_name_plural = "vị trí công tác"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="position_unique_user_unit_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.unit}"


class CitizenProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen_profile")
    identity_number = models.CharField(
        "số định danh cá nhân",
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text="CCCD 12 chữ số hoặc CMND 9 chữ số",
    )
    tax_code = models.CharField("mã số thuế", max_length=14, unique=True, null=True, blank=True)
    organisation_name = models.CharField("tên tổ chức, doanh nghiệp", max_length=255, blank=True)
    date_of_birth = models.DateField("ngày sinh", null=True, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    oidc_subject = models.CharField("định danh VNeID (sub)", max_length=255, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = "hồ sơ công dân, doanh nghiệp"
        verbose_name_plural = "hồ sơ công dân, doanh nghiệp"

    def __str__(self) -> str:
        return self.organisation_name or str(self.user)


class ApiToken(models.Model):
    """A bearer token for API clients; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("tiền tố", max_length=8)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    expires_at = models.DateTimeField("hết hạn lúc", db_index=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class ContactVerification(models.Model):
    """A one-time code proving that the person behind an account reads an e-mail address or phone.

    Registration creates one (``purpose`` = registration) for the inactive account; entering the code
    activates it. Changing the e-mail address or phone creates one (contact_change) whose ``recipient``
    is the new value; entering the code stores it on the account. Only an HMAC of the code is kept,
    keyed with ``SECRET_KEY`` and this row's salt, so a copy of the table does not give the codes away.
    ``failed_attempts`` counts wrong guesses against the current code; past the limit only a new code
    (``resend``) helps. The opaque token (only its SHA-256 is stored) names the verification to the
    page (in the session) and the API (in the request), so nobody can address a verification by
    identity number.
    """

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", "Đăng ký tài khoản"
        CONTACT_CHANGE = "contact_change", "Đổi thư điện tử, số điện thoại"

    class Channel(models.TextChoices):
        EMAIL = "email", "Thư điện tử"
        SMS = "sms", "Tin nhắn SMS"

    user = models.ForeignKey(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="contact_verifications"
    )
    purpose = models.CharField("mục đích", max_length=20, choices=Purpose.choices, default=Purpose.REGISTRATION)
    channel = models.CharField("kênh", max_length=8, choices=Channel.choices)
    recipient = models.CharField("người nhận", max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("tạo lúc")
    code_sent_at = models.DateTimeField("gửi mã lúc")
    expires_at = models.DateTimeField("mã hết hạn lúc")
    failed_attempts = models.PositiveSmallIntegerField("số lần nhập sai", default=0)
    codes_sent = models.PositiveSmallIntegerField("số mã đã gửi", default=1)
    verified_at = models.DateTimeField("xác minh lúc", null=True, blank=True)

    class Meta:
        verbose_name = "xác minh liên hệ"
        verbose_name_plural = "xác minh liên hệ"
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=["email", "sms"]), name="people_verification_channel_valid"),
        ]

    def __str__(self) -> str:
        # No recipient and no code: this text lands in the audit trail.
        return f"Xác minh #{self.pk} ({self.get_purpose_display()}, {self.get_channel_display()})"
