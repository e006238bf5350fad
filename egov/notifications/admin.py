from django.contrib import admin, messages

from egov.access import policy
from egov.access.admin_policy import PolicyAdmin
from egov.notifications import services
from egov.notifications.models import DeliveryAttempt, OutboxMessage

PERMISSION = "notification.view"


def _may_see_outbox(request) -> bool:
    # Messages carry applicants' addresses and belong to no unit: whole-tree grants only.
    return policy.has_everywhere(request.user, PERMISSION)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("at", "outcome", "duration_ms", "detail")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return _may_see_outbox(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PolicyAdmin):
    """The outbox, read-only; the one write is "gửi lại", through ``services.retry_now``."""

    view_permission = PERMISSION
    list_display = (
        "id",
        "created_at",
        "kind",
        "channel",
        "recipient",
        "reference",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "kind", "channel")
    search_fields = ("=reference", "=recipient", "=idempotency_key")
    show_full_result_count = False
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    def has_module_permission(self, request):
        return super().has_module_permission(request) and _may_see_outbox(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and _may_see_outbox(request)

    def has_retry_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description="Gửi lại ngay các thông báo đã chọn", permissions=["retry"])
    def retry_now(self, request, queryset):
        done = 0
        for message in queryset.order_by("pk"):
            if self.run_service(request, lambda m=message: services.retry_now(by=request.user, message=m)):
                done += 1
        if done:
            self.message_user(request, f"Đã xếp {done} thông báo vào hàng đợi để gửi lại.", level=messages.SUCCESS)
