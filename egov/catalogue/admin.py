"""Back office for the procedure catalogue. Every write goes through egov.catalogue.services.

The procedure page is one service call: the main form and its inlines (components, durations, fees,
results) become one :class:`~egov.catalogue.specs.ProcedureSpec`, which the service validates while
the form is cleaned (so its errors appear next to the field or inline row they name) and then writes.
Managing needs ``catalogue.manage`` over the whole tree; see ``services``.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from egov.access import policy
from egov.access.admin_policy import PolicyAdmin
from egov.access.back_office import can_use_back_office
from egov.catalogue import services
from egov.catalogue.exchange import ImportFailed
from egov.catalogue.models import (
    LEVEL_FLAGS,
    ApplicantType,
    Channel,
    Field,
    Level,
    Procedure,
    ProcedureComponent,
    ProcedureDuration,
    ProcedureFee,
    ProcedureResult,
)
from egov.catalogue.specs import ComponentSpec, DurationSpec, FeeSpec, ProcedureSpec, ResultSpec
from egov.catalogue.text import fold
from egov.core.errors import DomainError, ValidationFailed
from egov.core.forms import form_errors
from egov.organisations.models import AGENCY_KINDS, Organisation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _CatalogueAdmin(PolicyAdmin):
    """The catalogue belongs to the whole province: viewing and managing need whole-tree grants."""

    view_permission = "organisation.view"
    change_permission = "catalogue.manage"

    def _may_manage(self, request) -> bool:
        return can_use_back_office(request.user) and policy.has_everywhere(request.user, "catalogue.manage")

    def _may_view(self, request) -> bool:
        return self._may_manage(request) or (
            can_use_back_office(request.user) and policy.has_everywhere(request.user, self.view_permission)
        )

    def has_module_permission(self, request):
        return self._may_view(request)

    def has_view_permission(self, request, obj=None):
        return self._may_view(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_add_permission(self, request):
        return self._may_manage(request)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm


def _raise_on_form(form: forms.Form, exc: DomainError) -> None:
    raise form_errors(exc, form.fields) from exc


# --------------------------------------------------------------------------------------------------
# Fields (lĩnh vực)
# --------------------------------------------------------------------------------------------------


class FieldForm(forms.ModelForm):
    class Meta:
        model = Field
        fields = ["code", "name", "managing_sector"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def validate_unique(self):
        pass  # the service reports a taken code, in its own words

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_field(
                by=self.request.user,
                field=self.instance if self.instance.pk else None,
                code=data.get("code") or "",
                name=data.get("name") or "",
                managing_sector=data.get("managing_sector") or "",
            )
        except DomainError as exc:
            _raise_on_form(self, exc)
        return data


@admin.register(Field)
class FieldAdmin(_CatalogueAdmin):
    form = FieldForm
    list_display = ("code", "name", "managing_sector")
    search_fields = ("code", "name", "managing_sector")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.update_field(
                by=request.user,
                field=Field.objects.get(pk=obj.pk),
                name=data["name"],
                managing_sector=data.get("managing_sector") or "",
            )
        else:
            saved = services.create_field(
                by=request.user, code=data["code"], name=data["name"], managing_sector=data.get("managing_sector") or ""
            )
        obj.pk = saved.pk


# --------------------------------------------------------------------------------------------------
# Procedures
# --------------------------------------------------------------------------------------------------


class _ChildInline(admin.TabularInline):
    """Rows of a procedure: editable by whoever may edit the procedure, saved by its service."""

    extra = 0

    def _parent(self):
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self._parent().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._parent().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent().has_change_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        # The procedure form validates the inlines with the procedure, so it needs to reach them.
        formset_class = super().get_formset(request, obj, **kwargs)
        model = self.model

        class Registered(formset_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                request.__dict__.setdefault("_catalogue_formsets", {})[model] = self

        return Registered


class ComponentForm(forms.ModelForm):
    order = forms.IntegerField(label="Thứ tự", required=False, min_value=1, max_value=999)

    class Meta:
        model = ProcedureComponent
        fields = ["order", "name", "originals", "certified_copies", "photocopies", "required", "template", "note"]


class ComponentInline(_ChildInline):
    model = ProcedureComponent
    form = ComponentForm
    ordering = ("order",)


class DurationInline(_ChildInline):
    model = ProcedureDuration
    fields = ("channel", "amount", "unit", "note")
    ordering = ("channel",)


class FeeInline(_ChildInline):
    model = ProcedureFee
    fields = ("kind", "name", "amount", "note")
    ordering = ("order",)


class ResultInline(_ChildInline):
    model = ProcedureResult
    fields = ("name",)
    ordering = ("order",)


def _checkboxes(choices, *, label: str, coerce=str) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label, choices=choices, coerce=coerce, required=False, widget=forms.CheckboxSelectMultiple
    )


class ProcedureForm(forms.ModelForm):
    levels = _checkboxes(Level.choices, label="Cấp thực hiện")
    applicant_types = _checkboxes(ApplicantType.choices, label="Đối tượng thực hiện")
    channels = _checkboxes(Channel.choices, label="Cách thức nộp hồ sơ", coerce=int)

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "field",
            "levels",
            "agencies",
            "online_level",
            "mot_phan_reason",
            "applicant_types",
            "channels",
            "steps",
            "requirements",
            "legal_basis",
            "result_description",
            "is_active",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.spec: ProcedureSpec | None = None
        if "agencies" in self.fields:
            self.fields["agencies"].queryset = Organisation.objects.filter(kind__in=AGENCY_KINDS)
            self.fields["agencies"].required = False  # the service says why it is needed
        if self.instance.pk:
            self.initial.update(
                levels=self.instance.levels,
                applicant_types=self.instance.applicant_types,
                channels=self.instance.channels,
            )

    def validate_unique(self):
        pass  # the service reports a taken code, in its own words

    def clean(self):
        data = super().clean()
        formsets = getattr(self.request, "_catalogue_formsets", {})
        # Each formset shows its own errors; the service runs once everything parses.
        if self.errors or not all(formset.is_valid() for formset in formsets.values()):
            return data
        spec, rows = self._spec(data, formsets)
        try:
            services.check_procedure(
                by=self.request.user, spec=spec, procedure=self.instance if self.instance.pk else None
            )
        except ValidationFailed as exc:
            self._place(exc, rows)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        self.spec = spec
        return data

    def _spec(self, data, formsets) -> tuple[ProcedureSpec, dict[str, forms.Form]]:
        rows: dict[str, forms.Form] = {}

        def kept(model) -> list[forms.Form]:
            formset = formsets.get(model)
            if formset is None:
                return []
            # Blank extra rows have empty cleaned_data; rows ticked for deletion are left out.
            return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]

        components = sorted(
            enumerate(kept(ProcedureComponent)),
            key=lambda item: (item[1].cleaned_data.get("order") or 1000 + item[0], item[0]),
        )
        component_specs = []
        for index, (_position, form) in enumerate(components):
            c = form.cleaned_data
            template = c.get("template")
            rows[f"components[{index}]"] = form
            component_specs.append(
                ComponentSpec(
                    name=c.get("name") or "",
                    originals=c.get("originals") or 0,
                    certified_copies=c.get("certified_copies") or 0,
                    photocopies=c.get("photocopies") or 0,
                    required=bool(c.get("required")),
                    template=template.name if isinstance(template, FieldFile) else (template or ""),
                    note=c.get("note") or "",
                )
            )
        durations, fees, results = [], [], []
        for index, form in enumerate(kept(ProcedureDuration)):
            c = form.cleaned_data
            rows[f"durations[{index}]"] = form
            durations.append(
                DurationSpec(channel=c["channel"], amount=c["amount"], unit=c["unit"], note=c.get("note") or "")
            )
        for index, form in enumerate(kept(ProcedureFee)):
            c = form.cleaned_data
            rows[f"fees[{index}]"] = form
            fees.append(FeeSpec(kind=c["kind"], name=c.get("name") or "", amount=c["amount"], note=c.get("note") or ""))
        for index, form in enumerate(kept(ProcedureResult)):
            rows[f"results[{index}]"] = form
            results.append(ResultSpec(name=form.cleaned_data.get("name") or ""))
        field = data.get("field")
        spec = ProcedureSpec(
            code=(data.get("code") if "code" in self.fields else self.instance.code) or "",
            name=data.get("name") or "",
            field=field.code if field else "",
            levels=tuple(data.get("levels") or ()),
            agencies=tuple(org.identifier for org in data.get("agencies") or ()),
            online_level=data.get("online_level") or "",
            mot_phan_reason=data.get("mot_phan_reason") or "",
            applicant_types=tuple(data.get("applicant_types") or ()),
            channels=tuple(data.get("channels") or ()),
            steps=data.get("steps") or "",
            requirements=data.get("requirements") or "",
            legal_basis=data.get("legal_basis") or "",
            result_description=data.get("result_description") or "",
            is_active=bool(data.get("is_active")),
            components=tuple(component_specs),
            durations=tuple(durations),
            fees=tuple(fees),
            results=tuple(results),
        )
        return spec, rows

    def _place(self, exc: ValidationFailed, rows: dict[str, forms.Form]) -> None:
        """Errors on children go to their inline row; the others to this form's fields."""
        own: dict[str | None, list[str]] = {}
        for error in exc.errors:
            head, _, tail = error.field.partition(".")
            if head in rows:
                row = rows[head]
                row.add_error(tail if tail in row.fields else None, error.message)
                continue
            name = head.split("[", 1)[0]
            own.setdefault(name if name in self.fields else None, []).append(error.message)
        if own:
            raise ValidationError(own)
        # Only inline rows were wrong: the form itself is fine, the formsets now fail validation.


class LevelFilter(admin.SimpleListFilter):
    title = "cấp thực hiện"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return Level.choices

    def queryset(self, request, queryset):
        if self.value() in Level.values:
            return queryset.filter(**{LEVEL_FLAGS[Level(self.value())]: True})
        return queryset


@admin.register(Procedure)
class ProcedureAdmin(_CatalogueAdmin):
    form = ProcedureForm
    inlines = [ComponentInline, DurationInline, FeeInline, ResultInline]
    list_display = ("code", "name", "field", "online_level", "is_active")
    list_filter = ("field", LevelFilter, "online_level", "is_active")
    list_select_related = ("field",)
    search_fields = ("code", "name")
    search_help_text = "Mã hoặc tên thủ tục (không phân biệt hoa thường, có dấu hay không dấu)"
    filter_horizontal = ("agencies",)
    list_per_page = 100
    actions = ["export_excel", "export_json", "stop_applying", "apply_again"]
    change_list_template = "admin/catalogue/procedure/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def get_search_results(self, request, queryset, search_term):
        words = fold(search_term).split()
        if not words:
            return queryset, False
        condition = Q()
        for word in words:
            condition &= Q(search_text__contains=word)
        return queryset.filter(condition | Q(code=search_term.strip())), False

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.update_procedure(
                by=request.user, procedure=Procedure.objects.get(pk=obj.pk), spec=form.spec
            )
        else:
            saved = services.create_procedure(by=request.user, spec=form.spec)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The service wrote the agencies and every inline row; the change message asks the formsets.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # --- actions -------------------------------------------------------------------------------------

    @admin.action(description="Xuất Excel các thủ tục đã chọn", permissions=["view"])
    def export_excel(self, request, queryset):
        return _download(services.export_excel(queryset), XLSX, "xlsx")

    @admin.action(description="Xuất JSON các thủ tục đã chọn", permissions=["view"])
    def export_json(self, request, queryset):
        body = json.dumps(services.export_json(queryset), ensure_ascii=False, indent=2).encode()
        return _download(body, "application/json; charset=utf-8", "json")

    @admin.action(description="Ngừng áp dụng các thủ tục đã chọn", permissions=["change"])
    def stop_applying(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description="Áp dụng lại các thủ tục đã chọn", permissions=["change"])
    def apply_again(self, request, queryset):
        self._set_active(request, queryset, True)

    def _set_active(self, request, queryset, is_active: bool) -> None:
        done = 0
        for procedure in queryset:
            if self.run_service(
                request,
                lambda p=procedure: services.set_procedure_active(by=request.user, procedure=p, is_active=is_active),
            ):
                done += 1
        self.message_user(request, f"Đã cập nhật {done} thủ tục.", level=messages.SUCCESS)

    # --- import and the blank template ---------------------------------------------------------------

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="catalogue_procedure_import"),
            path("template/", self.admin_site.admin_view(self.template_view), name="catalogue_procedure_template"),
        ]
        return own + super().get_urls()

    def template_view(self, request):
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        return _download(services.export_excel(Procedure.objects.none()), XLSX, "xlsx", stem="mau-danh-muc-thu-tuc")

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise DjangoPermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        row_errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.name.lower().endswith(".json"):
                    summary = services.import_json(by=request.user, data=upload)
                else:
                    summary = services.import_excel(by=request.user, file=upload)
            except ImportFailed as exc:
                row_errors = exc.row_errors
                self.message_user(request, exc.message, level=messages.ERROR)
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Đã nhập {upload.name}: thêm {summary.created}, cập nhật {summary.updated}, "
                    f"không đổi {summary.unchanged} thủ tục; thêm {summary.fields_created}, "
                    f"cập nhật {summary.fields_updated} lĩnh vực.",
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:catalogue_procedure_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Nhập danh mục thủ tục từ tệp Excel hoặc JSON",
            "form": form,
            "row_errors": row_errors,
        }
        return TemplateResponse(request, "admin/catalogue/procedure/import.html", context)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp (.xlsx hoặc .json)",
        help_text="Theo mẫu EXCEL_TEMPLATE.md. Cả tệp được nhập, hoặc không ghi gì nếu có lỗi.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".json")):
            raise ValidationError("Chỉ nhận tệp .xlsx hoặc .json.")
        return upload


def _download(body: bytes, content_type: str, extension: str, *, stem: str = "danh-muc-thu-tuc") -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    name = f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
