"""Back office: the online forms of procedures. A version is written once (a dossier keeps the
version it was submitted with); a change is a new version, activated when ready."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from egov.access import policy
from egov.access.admin_policy import PolicyAdmin
from egov.access.back_office import can_use_back_office
from egov.portal import schema as schemas
from egov.portal import services
from egov.portal.models import SubmissionForm


class SubmissionFormForm(forms.ModelForm):
    activate = forms.BooleanField(label="Áp dụng ngay", required=False)

    class Meta:
        model = SubmissionForm
        fields = ["procedure", "title", "schema"]

    def clean_schema(self):
        schema = self.cleaned_data["schema"]
        problems = schemas.check_schema(schema)
        if problems:
            raise forms.ValidationError(problems)
        return schema


@admin.register(SubmissionForm)
class SubmissionFormAdmin(PolicyAdmin):
    view_permission = "organisation.view"
    change_permission = "catalogue.manage"
    form = SubmissionFormForm
    list_display = ["procedure", "version", "title", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["procedure__code", "procedure__name", "title"]
    autocomplete_fields = ["procedure"]
    actions = ["activate_selected"]

    def _may_manage(self, request) -> bool:
        return can_use_back_office(request.user) and policy.has_everywhere(request.user, "catalogue.manage")

    def has_module_permission(self, request):
        return can_use_back_office(request.user) and policy.has_everywhere(request.user, self.view_permission)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return obj is None and self._may_manage(request)  # versions are not edited: add a new one

    def get_readonly_fields(self, request, obj=None):
        return ["procedure", "version", "title", "schema", "is_active"] if obj else []

    def save_model(self, request, obj, form, change):
        created = services.create_form_version(
            by=request.user,
            procedure=form.cleaned_data["procedure"],
            title=form.cleaned_data["title"],
            schema=form.cleaned_data["schema"],
            activate=form.cleaned_data.get("activate", False),
        )
        obj.pk, obj.version, obj.is_active = created.pk, created.version, created.is_active

    @admin.action(description="Áp dụng phiên bản đã chọn")
    def activate_selected(self, request, queryset):
        if not self._may_manage(request):
            self.message_user(request, "Không có quyền quản lý danh mục thủ tục.", level=messages.ERROR)
            return
        for form in queryset:
            if self.run_service(request, lambda f=form: services.activate_form(by=request.user, form=f)):
                self.message_user(request, f"Đã áp dụng {form}.")
