"""Back office for the organisation tree. Every write goes through egov.organisations.services:
the add/change form dry-runs the service to show its errors, and the merge and dissolve actions ask
for their details on a confirmation page, then run the service in one transaction."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse

from egov.access import policy
from egov.access.admin_policy import PolicyAdmin
from egov.core.errors import DomainError
from egov.core.forms import form_errors
from egov.core.transactions import dry_run
from egov.organisations import services
from egov.organisations.models import Organisation, Succession


class OrganisationForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        Organisation.objects.order_by("path"),
        required=False,
        label="Đơn vị cấp trên",
    )

    class Meta:
        model = Organisation
        fields = [
            "parent",
            "name",
            "short_name",
            "kind",
            "code",
            "legacy_code",
            "valid_from",
            "valid_to",
            "address",
            "phone",
            "email",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if self.instance.pk:
            del self.fields["parent"]
            self.fields["kind"].disabled = True

    def clean(self):
        # The service is the validator: run it in a rolled-back transaction to show its field
        # errors on the form; save_model runs it for real.
        data = super().clean()
        try:
            with dry_run():
                if self.instance.pk:
                    changes = {k: data.get(k) for k in self.Meta.fields if k not in ("parent", "kind") and k in data}
                    services.update_organisation(by=self.request.user, organisation=self.instance, **changes)
                else:
                    services.create_organisation(
                        by=self.request.user,
                        parent=data.get("parent"),
                        name=data.get("name") or "",
                        kind=data.get("kind") or "",
                        code=data.get("code"),
                        legacy_code=data.get("legacy_code"),
                        short_name=data.get("short_name") or "",
                        valid_from=data.get("valid_from"),
                        valid_to=data.get("valid_to"),
                        address=data.get("address") or "",
                        phone=data.get("phone") or "",
                        email=data.get("email") or "",
                    )
        except DomainError as exc:
            raise form_errors(exc, self.fields) from exc
        return data


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'— ' * (obj.depth - 1)}{obj.name} ({obj.identifier})"


def _managed_units(request):
    """The units the officer may manage, in tree order: the only sensible successors and new parents."""
    return policy.scope(request.user, "organisation.manage", Organisation.objects.order_by("path"))


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MergeForm(forms.Form):
    successor = UnitChoiceField(Organisation.objects.none(), label="Đơn vị kế thừa")
    effective_on = forms.DateField(
        label="Ngày hiệu lực", widget=_DATE, help_text="Các đơn vị được chọn hết hiệu lực từ ngày hôm trước."
    )
    move_children = forms.BooleanField(
        label="Chuyển các đơn vị trực thuộc còn hiệu lực sang đơn vị kế thừa", required=False, initial=True
    )
    legal_basis = forms.CharField(label="Căn cứ pháp lý", max_length=300, help_text="Ví dụ: số nghị quyết, quyết định.")

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = _managed_units(request)


class DissolveForm(forms.Form):
    effective_on = forms.DateField(
        label="Ngày hiệu lực", widget=_DATE, help_text="Các đơn vị được chọn hết hiệu lực từ ngày hôm trước."
    )
    successor = UnitChoiceField(
        Organisation.objects.none(), label="Đơn vị kế thừa nhiệm vụ", required=False, help_text="Bỏ trống nếu không có."
    )
    move_children_to = UnitChoiceField(
        Organisation.objects.none(),
        label="Chuyển các đơn vị trực thuộc còn hiệu lực về",
        required=False,
        help_text="Bỏ trống thì các đơn vị trực thuộc ở lại dưới đơn vị bị giải thể.",
    )
    legal_basis = forms.CharField(label="Căn cứ pháp lý", max_length=300, help_text="Ví dụ: số nghị quyết, quyết định.")

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("successor", "move_children_to"):
            self.fields[name].queryset = _managed_units(request)


class SuccessionInline(admin.TabularInline):
    model = Succession
    fk_name = "predecessor"
    extra = 0
    can_delete = False
    readonly_fields = ("successor", "reason", "effective_on", "legal_basis")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(PolicyAdmin):
    view_permission = "organisation.view"
    change_permission = "organisation.manage"
    path_field = "path"
    form = OrganisationForm
    list_display = ("indented_name", "kind", "code", "legacy_code", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "code", "legacy_code")
    ordering = ("path",)
    list_per_page = 100
    inlines = [SuccessionInline]
    actions = ["merge_into", "dissolve"]

    @admin.display(description="Tên", ordering="path")
    def indented_name(self, obj):
        return "— " * (obj.depth - 1) + obj.name

    def get_fields(self, request, obj=None):
        # The parent is chosen on creation only (the form drops it for an existing unit; moves go
        # through merge/dissolve), so the change page must not lay it out either.
        fields = super().get_fields(request, obj)
        return [f for f in fields if f != "parent"] if obj is not None else fields

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {k: data.get(k) for k in form.Meta.fields if k not in ("parent", "kind") and k in data}
            saved = services.update_organisation(
                by=request.user, organisation=Organisation.objects.get(pk=obj.pk), **changes
            )
        else:
            saved = services.create_organisation(
                by=request.user,
                parent=data.get("parent"),
                name=data["name"],
                kind=data["kind"],
                code=data.get("code"),
                legacy_code=data.get("legacy_code"),
                short_name=data.get("short_name") or "",
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
                address=data.get("address") or "",
                phone=data.get("phone") or "",
                email=data.get("email") or "",
            )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # Successions are written by the merge/dissolve services only. The admin's change message
        # still asks each formset what it saved: nothing.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # --- merge and dissolve: a confirmation page, then the service ------------------------------------

    @admin.action(description="Hợp nhất vào đơn vị…", permissions=["change"])
    def merge_into(self, request, queryset):
        def run(data, units):
            services.merge_organisations(
                by=request.user,
                sources=units,
                successor=data["successor"],
                effective_on=data["effective_on"],
                move_children=data["move_children"],
                legal_basis=data["legal_basis"].strip(),
            )
            return (
                f"Đã hợp nhất {len(units)} đơn vị vào {data['successor'].name} từ ngày {data['effective_on']:%d/%m/%Y}."
            )

        return self._confirm_and_run(
            request, queryset, form_class=MergeForm, action="merge_into", title="Hợp nhất vào đơn vị", run=run
        )

    @admin.action(description="Giải thể…", permissions=["change"])
    def dissolve(self, request, queryset):
        def run(data, units):
            for unit in units:
                try:
                    services.dissolve_organisation(
                        by=request.user,
                        organisation=unit,
                        effective_on=data["effective_on"],
                        successor=data["successor"],
                        move_children_to=data["move_children_to"],
                        legal_basis=data["legal_basis"].strip(),
                    )
                except DomainError as exc:
                    exc.unit = unit  # say which one, when several were selected
                    raise
            return f"Đã giải thể {len(units)} đơn vị từ ngày {data['effective_on']:%d/%m/%Y}."

        return self._confirm_and_run(
            request, queryset, form_class=DissolveForm, action="dissolve", title="Giải thể đơn vị", run=run
        )

    def _confirm_and_run(self, request, queryset, *, form_class, action, title, run):
        """First call: the confirmation page. Its submit (``apply``): run every service call in one
        transaction, so either all of it is done or none; errors become messages and the page again."""
        units = list(queryset.order_by("path"))
        if not units:  # ticked rows outside the officer's list are dropped by the list's own scope
            self.message_user(request, "Không có đơn vị nào được chọn.", level=messages.WARNING)
            return None
        if "apply" in request.POST:
            form = form_class(request.POST, request=request)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        done = run(form.cleaned_data, units)
                except DomainError as exc:
                    self._report(request, form, exc)
                else:
                    self.message_user(request, done, level=messages.SUCCESS)
                    return None  # back to the list
        else:
            form = form_class(request=request)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "units": units,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/organisations/organisation/succession_confirmation.html", context)

    def _report(self, request, form, exc: DomainError) -> None:
        unit = getattr(exc, "unit", None)
        prefix = f"{unit.name}: " if unit is not None else ""
        errors = getattr(exc, "errors", None) or []
        if not errors:
            self.message_user(request, prefix + exc.message, level=messages.ERROR)
        for error in errors:
            field = form.fields.get(error.field)
            label = f"{field.label}: " if field is not None else ""
            self.message_user(request, f"{prefix}{label}{error.message}", level=messages.ERROR)
