from django.contrib import admin

from egov.certification.models import CertifiedCopy


@admin.register(CertifiedCopy)
class CertifiedCopyAdmin(admin.ModelAdmin):
    """Read-only: copies are certified through the service (signature, number, fee, audit)."""

    list_display = ("number", "year", "agency", "document_name", "applicant_name", "certified_at")
    list_filter = ("year",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
