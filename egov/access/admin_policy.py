"""Django admin screens that ask the permission policy, not Django's model permissions.

A screen declares the policy permissions for viewing and changing, and how its rows map to an
organisation path; lists are then filtered in SQL to the officer's units.
"""

from __future__ import annotations

from django.contrib import admin, messages

from egov.access import policy
from egov.access.back_office import can_use_back_office
from egov.core.errors import DomainError


class PolicyAdmin(admin.ModelAdmin):
    view_permission: str = "organisation.view"
    change_permission: str | None = None
    path_field: str | None = None  # e.g. "path", "unit__path"; None: no row scoping

    def has_module_permission(self, request):
        return can_use_back_office(request.user) and self._holds(request, self.view_permission)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or self._allowed(request, self.view_permission, obj)
        )

    def has_change_permission(self, request, obj=None):
        perm = self.change_permission
        return (
            bool(perm)
            and can_use_back_office(request.user)
            and self._holds(request, perm)
            and (obj is None or self._allowed(request, perm, obj))
        )

    def _rows_belong_to_units(self) -> bool:
        return self.path_field is not None or hasattr(self.model, "policy_organisation")

    def _holds(self, request, perm) -> bool:
        """May the user use this screen at all (its list, its index entry)?

        Rows that belong to no unit are not scoped by the list, so the screen needs what each row
        needs (see ``_allowed``): a whole-tree grant. A grant over one department used to open the
        whole audit trail, every API token and every citizen's identity number.
        """
        if self._rows_belong_to_units():
            return policy.has(request.user, perm)
        return policy.has_everywhere(request.user, perm)

    has_add_permission = lambda self, request: self.has_change_permission(request)  # noqa: E731

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is deleted from the back office; records end or are revoked

    def _allowed(self, request, perm, obj) -> bool:
        try:
            return policy.has(request.user, perm, obj)
        except TypeError:
            # Rows that belong to no unit (audit records, roles, tokens): only for whole-tree grants.
            return policy.has_everywhere(request.user, perm)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.path_field:
            qs = policy.scope(request.user, self.view_permission, qs, path_field=self.path_field)
        return qs

    def run_service(self, request, fn) -> bool:
        """Run a service call, turning domain errors into admin messages."""
        try:
            fn()
        except DomainError as exc:
            detail = "; ".join(f"{e.field}: {e.message}" for e in getattr(exc, "errors", [])) or exc.message
            self.message_user(request, detail, level=messages.ERROR)
            return False
        return True
