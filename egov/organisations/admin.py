from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from egov.core.errors import DomainError
from egov.organisations import services
from egov.organisations.models import Organisation, Succession
from egov.people.admin_policy import PolicyAdmin


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
            with _dry_run():
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
            errors = getattr(exc, "errors", None)
            if errors:
                raise ValidationError({e.field if e.field in self.fields else None: e.message for e in errors}) from exc
            raise ValidationError(exc.message) from exc
        return data


class _dry_run:
    """Run a service inside a transaction that is always rolled back."""

    def __enter__(self):
        from django.db import transaction

        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        from django.db import transaction

        transaction.set_rollback(True)
        self._atomic.__exit__(exc_type, exc, tb)
        return False


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
