"""The TOTP second factor: enrolling a device. Checking a code is ``egov.access.credentials``."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.access.credentials import totp_required, verify_totp
from egov.audit import services as audit
from egov.core.errors import NotFound, ValidationFailed
from egov.people.models import User

__all__ = ["start_totp_enrollment", "confirm_totp_enrollment", "totp_required", "verify_totp"]


@transaction.atomic
def start_totp_enrollment(*, user: User) -> TOTPDevice:
    """An unconfirmed device (reused if one is pending) whose secret the user scans."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrollment(*, user: User, code: str) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise NotFound("Chưa bắt đầu đăng ký thiết bị xác thực.")
    if not device.verify_token((code or "").strip()):
        raise ValidationFailed.field("otp_token", "Mã xác thực không đúng hoặc đã hết hạn.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=user, action="auth.enroll_totp", target=device, target_repr=f"TOTP {user.username}")
    return device
