"""Security events and alerts for administrators: read-only, filtered by kind, time, username, address.

The list page shows how many events of each kind came in the last alert window, day and week.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext

from egov.access.admin_policy import PolicyAdmin
from egov.security import services
from egov.security.models import EventKind, SecurityAlert, SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(PolicyAdmin):
    view_permission = "audit.view"
    list_display = ("occurred_at", "kind", "username", "ip_address", "path", "detail")
    list_filter = ("kind", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("=username", "=ip_address", "path")
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]
    change_list_template = "admin/security/securityevent/change_list.html"

    def changelist_view(self, request, extra_context=None):
        now = timezone.now()
        window = services.alert_window()
        periods = [
            (
                gettext("%(minutes)s phút") % {"minutes": round(window.total_seconds() / 60)},
                services.counts(since=now - window),
            ),
            (gettext("24 giờ"), services.counts(since=now - timedelta(days=1))),
            (gettext("7 ngày"), services.counts(since=now - timedelta(days=7))),
        ]
        thresholds = services.thresholds()
        summary = [
            {
                "kind": kind.value,
                "label": kind.label,
                "threshold": thresholds[kind.value],
                "counts": [counts[kind.value] for _, counts in periods],
            }
            for kind in EventKind
        ]
        context = {"security_periods": [label for label, _ in periods], "security_summary": summary}
        return super().changelist_view(request, extra_context=(extra_context or {}) | context)


@admin.register(SecurityAlert)
class SecurityAlertAdmin(PolicyAdmin):
    view_permission = "audit.view"
    list_display = ("sent_at", "kind", "count", "threshold", "recipients")
    list_filter = ("kind",)
    date_hierarchy = "sent_at"
    readonly_fields = [f.name for f in SecurityAlert._meta.fields]
