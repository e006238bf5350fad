from django.contrib import admin

from egov.access.admin_policy import PolicyAdmin
from egov.dossiers.models import Dossier, ProcessDefinition, ProcessStep, RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(PolicyAdmin):
    """Rule sets change with the law: new ones come by migration, so they are read-only here."""

    view_permission = "process.manage"
    list_display = ("code", "name", "effective_from", "form_set", "supplement_policy", "code_format")
    readonly_fields = [f.name for f in RuleSet._meta.fields]


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    can_delete = False
    fields = ("order", "name", "agency", "unit", "role", "hours")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(PolicyAdmin):
    """Versions are created and activated through egov.dossiers.processes (API/commands)."""

    view_permission = "process.manage"
    path_field = "agency__path"
    list_display = ("procedure", "agency", "version", "state", "total_hours", "approved_at")
    list_filter = ("state",)
    search_fields = ("procedure__name", "procedure__code", "agency__name")
    list_select_related = ("procedure", "agency")
    readonly_fields = ("procedure", "agency", "version", "state", "total_hours", "approved_at", "note")
    inlines = [ProcessStepInline]


@admin.register(Dossier)
class DossierAdmin(PolicyAdmin):
    view_permission = "dossier.view"
    path_field = "current_unit__path"
    list_display = ("code", "procedure", "applicant_name", "status", "received_at", "due_at", "current_unit")
    list_filter = ("status", "channel")
    search_fields = ("=code", "applicant_name")
    list_select_related = ("procedure", "current_unit")
    show_full_result_count = False
    readonly_fields = [f.name for f in Dossier._meta.fields]
