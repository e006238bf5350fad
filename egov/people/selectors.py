"""Reads about people that several callers need."""

from __future__ import annotations

from django.utils import timezone

from egov.people.models import CitizenProfile, Position

__all__ = ["BACK_OFFICE_ROLES", "can_use_back_office", "notification_channels"]

# Roles whose holders work in the back office (Django admin); each screen still asks the policy.
BACK_OFFICE_ROLES = frozenset({"administrator", "evaluator"})


def can_use_back_office(user) -> bool:
    """Derived from the user's current positions, so granting or ending a role takes effect at once
    (Django's ``is_staff`` flag is not used)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_egov_back_office", None)
    if cached is None:
        cached = (
            Position.objects.active_on(timezone.localdate())
            .filter(user=user, role__code__in=BACK_OFFICE_ROLES)
            .exists()
        )
        user._egov_back_office = cached
    return cached


def notification_channels(user_id: int | None) -> tuple[str, ...] | None:
    """The channels the citizen chose on their account page, or None (no account, no profile):
    then the notifications app's default applies."""
    if user_id is None:
        return None
    row = (
        CitizenProfile.objects.filter(user_id=user_id)
        .values_list("notify_by_email", "notify_by_sms", "notify_by_zalo")
        .first()
    )
    if row is None:
        return None
    return tuple(channel for channel, chosen in zip(("email", "sms", "zalo"), row, strict=True) if chosen)
