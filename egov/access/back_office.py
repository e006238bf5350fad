"""Who may use the back office (the Django admin)."""

from __future__ import annotations

from django.apps import apps
from django.utils import timezone

__all__ = ["BACK_OFFICE_ROLES", "can_use_back_office", "may_open_reports"]

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
        _read_positions(user)
        cached = user._egov_back_office
    return cached


def may_open_reports(user) -> bool:
    """Does any current position of ``user`` grant ``report.view``? For the header's "Báo cáo"
    link; read with the back-office check in the same query. The pages ask the policy per unit."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_egov_reports_nav", None)
    if cached is None:
        _read_positions(user)
        cached = user._egov_reports_nav
    return cached


def _read_positions(user) -> None:
    """One query: the roles of the user's current positions, for both header links."""
    roles = (
        apps.get_model("people", "Position")
        .objects.active_on(timezone.localdate())
        .filter(user=user)
        .values_list("role__code", "role__permissions")
    )
    rows = list(roles)
    user._egov_back_office = any(code in BACK_OFFICE_ROLES for code, _ in rows)
    user._egov_reports_nav = any("report.view" in (permissions or []) for _, permissions in rows)
