"""Back office: the units' signing keys and the officers' personal certificates, read-only (they change
through the services and commands)."""

from django.contrib import admin

from egov.access.admin_policy import PolicyAdmin
from egov.signing.models import OfficerCredential, SigningKey


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


@admin.register(OfficerCredential)
class OfficerCredentialAdmin(PolicyAdmin):
    view_permission = "signing.manage"
    path_field = "unit__path"
    list_display = ("user", "title", "unit", "method", "not_after", "active", "revoked_at")
    list_filter = ("method", "active")
    search_fields = ("user__username", "user__full_name", "unit__name", "=serial", "=fingerprint_sha256")
    list_select_related = ("user", "unit")
    exclude = ("certificate", "signature_image")
    readonly_fields = [
        f.name for f in OfficerCredential._meta.fields if f.name not in ("certificate", "signature_image")
    ]

    def has_add_permission(self, request):
        return False  # enrolled and revoked through egov.signing.officers
