"""Back office: the units' signing keys, read-only (keys change through the services and commands)."""

from django.contrib import admin

from egov.access.admin_policy import PolicyAdmin
from egov.signing.models import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(PolicyAdmin):
    view_permission = "signing.manage"
    path_field = "unit__path"
    list_display = ("unit", "subject", "origin", "not_after", "is_active")
    list_filter = ("origin", "is_active")
    search_fields = ("unit__name", "=unit__code", "=fingerprint_sha256", "=serial")
    list_select_related = ("unit",)
    readonly_fields = [f.name for f in SigningKey._meta.fields]

    def has_add_permission(self, request):
        return False  # issued with make_demo_pki / issue_unit_key, installed with install_signing_key
