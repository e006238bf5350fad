"""Recovering an officer's lost TOTP device (phone lost, authenticator app reinstalled).

The officer's confirmed devices are removed, and their API tokens revoked (they may have been issued
from the lost phone's session), so the next sign-in asks them to enrol a new device. Only a superuser
(or the server's operator, ``by=None``, through ``manage.py reset_totp``) may do it, with a reason that
goes into the audit trail. Check the officer's identity by another channel first: this removes the
second factor.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.audit import services as audit
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.people.models import ApiToken, User

__all__ = ["reset_totp"]


@transaction.atomic
def reset_totp(*, by: User | None, user: User, reason: str) -> int:
    """Remove ``user``'s TOTP devices and revoke their API tokens; returns how many devices went."""
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
