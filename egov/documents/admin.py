"""Back-office screens for the documents' configuration: the types (NĐ 30/2020 Phụ lục III) and the
review paths of the agencies. Documents themselves change only through the services (API, pages)."""

from django.contrib import admin

from egov.access.admin_policy import PolicyAdmin
from egov.documents.models import ApprovalFlow, ApprovalStage, DocumentType


@admin.register(DocumentType)
class DocumentTypeAdmin(PolicyAdmin):
    view_permission = "process.manage"
    change_permission = "process.manage"
    list_display = ("name", "abbreviation", "code", "has_template", "active", "order")
    list_editable = ("active", "order")
    search_fields = ("name", "abbreviation", "code")


class ApprovalStageInline(admin.TabularInline):
    model = ApprovalStage
    extra = 0
    fields = ("order", "name", "permission", "at")


@admin.register(ApprovalFlow)
class ApprovalFlowAdmin(PolicyAdmin):
    """The review path of an agency's drafts (the platform default has no agency)."""

    view_permission = "process.manage"
    change_permission = "process.manage"
    list_display = ("name", "agency")
    inlines = [ApprovalStageInline]
