from django.contrib import admin

from egov.access.admin_policy import PolicyAdmin
from egov.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(PolicyAdmin):
    """Browse and filter the trail; nothing here can change it."""

    view_permission = "audit.view"
    list_display = ("seq", "at", "actor_repr", "ip_address", "action", "target_type", "target_repr")
    list_filter = ("action", "target_type", "channel", ("at", admin.DateFieldListFilter))
    search_fields = ("=actor_repr", "target_repr", "=target_id", "action", "=ip_address")
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditRecord._meta.fields]
