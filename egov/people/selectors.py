"""Reads about people that other apps need."""

from __future__ import annotations

from egov.people.models import CitizenProfile

__all__ = ["notification_channels"]


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
