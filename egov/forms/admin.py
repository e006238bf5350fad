"""Back office for form templates. Saving a change writes a new version through the services; the
list shows which version of each form is in use, and every row links to a PDF preview rendered with
the sample data of its kind (``samples.py``)."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from egov.access import policy
from egov.access.admin_policy import PolicyAdmin
from egov.core.errors import DomainError
from egov.core.forms import form_errors
from egov.core.transactions import dry_run
from egov.forms import services
from egov.forms.contexts import CONTEXT_CLASSES
from egov.forms.models import FormTemplate
from egov.forms.rendering import render_template_pdf
from egov.forms.samples import sample_context

_CODE_STYLE = "font-family: monospace; font-size: 12px; width: 95%;"
_FIXED_ON_CHANGE = ("form_set", "code", "kind", "paper", "orientation")


class FormTemplateForm(forms.ModelForm):
    class Meta:
        model = FormTemplate
        fields = ("form_set", "code", "kind", "name", "paper", "orientation", "body", "css")
        widgets = {
            "body": forms.Textarea(attrs={"rows": 32, "style": _CODE_STYLE, "spellcheck": "false"}),
            "css": forms.Textarea(attrs={"rows": 20, "style": _CODE_STYLE, "spellcheck": "false"}),
        }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        for name in ("body", "css"):
            if name in self.fields:
                self.fields[name].strip = False  # whitespace is content: an unchanged form must stay unchanged
        if "css" in self.fields:
            self.fields["css"].required = False

    def clean(self):
        # The service is the validator: run it in a rolled-back savepoint to show its field errors on
        # the form (compile errors with their line, unknown variables, CSS warnings); save_model runs
        # it for real.
        data = super().clean()
        if self.errors:
            return data
        try:
            with dry_run():
                _save(self.request, self.instance, data)
        except DomainError as exc:
            raise form_errors(exc, self.fields) from exc
        return data


def _save(request, instance: FormTemplate, data: dict) -> FormTemplate:
    if instance.pk:
        return services.update_template(
            by=request.user,
            template=FormTemplate.objects.get(pk=instance.pk),
            body=data.get("body") or "",
            css=data.get("css") or "",
            name=data.get("name"),
        )
    return services.create_template(
        by=request.user,
        form_set=data.get("form_set") or "",
        code=data.get("code") or "",
        kind=data.get("kind") or "",
        name=data.get("name") or "",
        paper=data.get("paper") or FormTemplate.Paper.A5,
        orientation=data.get("orientation") or FormTemplate.Orientation.PORTRAIT,
        body=data.get("body") or "",
        css=data.get("css") or "",
    )


@admin.register(FormTemplate)
class FormTemplateAdmin(PolicyAdmin):
    view_permission = "form.manage"
    change_permission = "form.manage"
    form = FormTemplateForm
    list_display = ("form_set", "code", "name", "version", "is_active", "in_use", "page", "updated_at", "preview")
    list_display_links = ("code", "name")
    list_filter = ("form_set", "kind", "is_active")
    search_fields = ("name", "code", "form_set")
    ordering = ("form_set", "code", "-version")
    actions = ("activate_versions", "deactivate_versions", "restore_defaults")

    # Templates serve every unit of the province, so the screen, like the services, needs form.manage
    # over a whole tree: a commune's administrator does not edit the province's forms.
    def has_module_permission(self, request):
        return super().has_module_permission(request) and policy.has_everywhere(request.user, self.view_permission)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and policy.has_everywhere(
            request.user, self.change_permission
        )

    def get_queryset(self, request):
        in_use = FormTemplate.objects.filter(
            form_set=OuterRef("form_set"), code=OuterRef("code"), is_active=True
        ).order_by("-version")
        queryset = super().get_queryset(request).annotate(current_version=Subquery(in_use.values("version")[:1]))
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "forms_formtemplate_changelist":
            queryset = queryset.defer("body", "css")  # ~10 kB a row, and the list never shows them
        return queryset

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("variables_help",)
        return (*_FIXED_ON_CHANGE, "version", "is_active", "updated_at", "preview", "variables_help")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("form_set", "code", "kind", "name", "paper", "orientation", "body", "css", "variables_help")
        return (
            *_FIXED_ON_CHANGE, "name", "version", "is_active", "updated_at", "preview", "body", "css", "variables_help",
        )  # fmt: skip

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def save_model(self, request, obj, form, change):
        saved = _save(request, obj, form.cleaned_data)
        # Point the admin's message, log entry and redirect at the version just written.
        obj.pk, obj.version, obj.is_active = saved.pk, saved.version, saved.is_active
        if change:
            self.message_user(
                request,
                f"Đã lưu Mẫu số {saved.code} ({saved.form_set}) thành phiên bản {saved.version}; "
                "các phiên bản cũ vẫn được giữ.",
                messages.SUCCESS,
            )

    # --- columns ---------------------------------------------------------------------------------

    @admin.display(description="đang áp dụng", boolean=True)
    def in_use(self, obj):
        return getattr(obj, "current_version", None) == obj.version

    @admin.display(description="khổ giấy")
    def page(self, obj):
        return f"{obj.paper} {obj.get_orientation_display().lower()}"

    @admin.display(description="xem thử")
    def preview(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:forms_formtemplate_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">PDF (dữ liệu mẫu)</a>', url)

    @admin.display(description="biến dùng được trong mẫu")
    def variables_help(self, obj):
        kinds = [obj.kind] if obj and obj.kind else list(CONTEXT_CLASSES)
        blocks = []
        for kind in kinds:
            cls = CONTEXT_CLASSES[kind]
            names = [f.name for f in dataclass_fields(cls)] + ["form_kind", "qr"]
            blocks.append((FormTemplate.Kind(kind).label, ", ".join(names)))
        return format_html(
            "{}<p>Bộ lọc: vn_date, vn_time, vn_datetime, vn_short_date, vn_short_datetime, vn_money, vn_number. "
            "Chi tiết: egov/forms/CONTEXT.md.</p>",
            format_html_join("", "<p><b>{}</b>: <code>{}</code></p>", blocks),
        )

    # --- preview ---------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/preview.pdf",
                self.admin_site.admin_view(self.preview_view),
                name="forms_formtemplate_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("Không tìm thấy mẫu biểu.")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        try:
            pdf = render_template_pdf(obj, sample_context(obj.kind))
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:forms_formtemplate_change", args=[obj.pk]))
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"{obj.form_set}-mau-{obj.code}-v{obj.version}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response

    # --- actions ---------------------------------------------------------------------------------

    def _each(self, request, queryset, fn, done: str) -> None:
        count = 0
        for template in queryset.order_by("form_set", "code", "version"):
            if self.run_service(request, lambda t=template: fn(t)):
                count += 1
        if count:
            self.message_user(request, done.format(count=count), messages.SUCCESS)

    @admin.action(description="Dùng các phiên bản đã chọn", permissions=["change"])
    def activate_versions(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda t: services.set_template_active(by=request.user, template=t, is_active=True),
            "Đã bật {count} phiên bản.",
        )

    @admin.action(description="Ngừng dùng các phiên bản đã chọn (quay về phiên bản trước)", permissions=["change"])
    def deactivate_versions(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda t: services.set_template_active(by=request.user, template=t, is_active=False),
            "Đã tắt {count} phiên bản.",
        )

    @admin.action(description="Khôi phục mẫu mặc định (tạo phiên bản mới)", permissions=["change"])
    def restore_defaults(self, request, queryset):
        seen: set[tuple[str, str]] = set()
        targets = []
        for template in queryset:
            if (template.form_set, template.code) not in seen:
                seen.add((template.form_set, template.code))
                targets.append(template.pk)
        self._each(
            request,
            FormTemplate.objects.filter(pk__in=targets),
            lambda t: services.restore_default(by=request.user, template=t),
            "Đã khôi phục {count} mẫu về bản mặc định.",
        )
