"""The TOTP second factor: enrolling a device, and removing a lost one (``reset_totp``). Checking a
code is ``egov.access.credentials``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.access.credentials import totp_required, verify_totp
from egov.audit import services as audit
from egov.core.errors import NotFound, PermissionDenied, ValidationFailed
from egov.people.models import ApiToken, User

__all__ = ["start_totp_enrollment", "confirm_totp_enrollment", "reset_totp", "totp_required", "verify_totp"]


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


@transaction.atomic
def reset_totp(*, by: User | None, user: User, reason: str) -> int:
    """An officer lost their device (phone lost, app reinstalled): remove ``user``'s TOTP devices and
    revoke their API tokens (they may have come from the lost phone); returns how many devices went.

    The next sign-in asks them to enrol a new device. Only a superuser, or the server's operator
    (``by=None``, ``manage.py reset_totp``), with a reason for the audit trail. Check the officer's
    identity by another channel first: this removes their second factor.
    """
    if by is not None and not by.is_superuser:
        raise PermissionDenied("Chỉ quản trị cấp cao nhất mới đặt lại được thiết bị xác thực.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed.field("reason", "Cần ghi lý do đặt lại thiết bị xác thực.")
    user = User.objects.select_for_update().get(pk=user.pk)
    devices = list(TOTPDevice.objects.filter(user=user).values_list("pk", "name", "confirmed"))
    TOTPDevice.objects.filter(user=user).delete()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(
        actor=by,
        action="auth.reset_totp",
        target=user,
        before={"devices": [{"id": pk, "name": name, "confirmed": confirmed} for pk, name, confirmed in devices]},
        after={"devices": [], "revoked_tokens": revoked, "reason": reason},
    )
    return len(devices)
