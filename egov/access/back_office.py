"""Who may use the back office (the Django admin)."""

from __future__ import annotations

from django.apps import apps
from django.utils import timezone

__all__ = ["BACK_OFFICE_ROLES", "can_use_back_office"]

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
            apps.get_model("people", "Position")
            .objects.active_on(timezone.localdate())
            .filter(user=user, role__code__in=BACK_OFFICE_ROLES)
            .exists()
        )
        user._egov_back_office = cached
    return cached
