"""Back-office screens for people. Every change goes through egov.people.services (audited)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from egov.core.errors import DomainError
from egov.people import policy, services
from egov.people.admin_policy import PolicyAdmin
from egov.people.models import ApiToken, CitizenProfile, Position, Role, User
from egov.people.selectors import can_use_back_office


class PositionInline(admin.TabularInline):
    """Read-only here: positions are given and ended through the services (API, seed, commands)."""

    model = Position
    extra = 0
    can_delete = False
    fields = ("unit", "role", "title", "valid_from", "valid_to")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts: superusers only; saving goes through ``update_account`` / ``set_password``."""

    list_display = ("username", "full_name", "kind", "email", "is_active", "is_superuser")
    list_filter = ("kind", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "email", "citizen_profile__identity_number", "citizen_profile__tax_code")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin", {"fields": ("full_name", "kind", "email", "phone")}),
        ("Quyền", {"fields": ("is_active", "is_superuser")}),
        ("Thời điểm", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [PositionInline]

    def has_module_permission(self, request):
        return can_use_back_office(request.user) and request.user.is_superuser

    has_view_permission = lambda self, request, obj=None: self.has_module_permission(request)  # noqa: E731
    has_change_permission = has_view_permission
    # New accounts are created through the services (officers with a position; citizens register).
    has_add_permission = lambda self, request: False  # noqa: E731
    has_delete_permission = lambda self, request, obj=None: False  # noqa: E731

    def save_model(self, request, obj, form, change):
        fields = [f for f in form.changed_data if f not in ("password", "username")]
        try:
            services.update_account(by=request.user, user=obj, changes={f: form.cleaned_data[f] for f in fields})
        except DomainError as exc:
            self.message_user(request, exc.message, level="error")

    def save_related(self, request, form, formsets, change):
        pass  # the positions inline is read-only

    def user_change_password(self, request, id, form_url=""):
        # Django's view would save the form itself; a valid POST goes through the service instead
        # (audited), GETs and invalid forms are left to Django's view, which writes nothing then.
        if request.method == "POST" and self.has_change_permission(request):
            user = self.get_object(request, unquote(id))
            form = self.change_password_form(user, request.POST)
            if user is not None and form.is_valid() and form.cleaned_data.get("password1"):
                try:
                    services.set_password(by=request.user, user=user, password=form.cleaned_data["password1"])
                except DomainError as exc:
                    self.message_user(request, exc.message, level="error")
                else:
                    self.message_user(request, "Đã đổi mật khẩu.")
                return HttpResponseRedirect(reverse("admin:people_user_change", args=(user.pk,)))
        return super().user_change_password(request, id, form_url)


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=sorted(policy.PERMISSIONS.items()), widget=forms.CheckboxSelectMultiple, required=False, label="Quyền"
    )

    class Meta:
        model = Role
        fields = ["name", "permissions"]


@admin.register(Role)
class RoleAdmin(PolicyAdmin):
    view_permission = "person.view"
    change_permission = "person.manage"
    form = RoleForm
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def has_add_permission(self, request):
        return False  # roles are referenced by code in the workflow data; new ones come by migration

    def save_model(self, request, obj, form, change):
        try:
            services.update_role(
                by=request.user, role=obj, name=form.cleaned_data["name"], permissions=form.cleaned_data["permissions"]
            )
        except DomainError as exc:
            raise ValidationError(exc.message) from exc


@admin.register(Position)
class PositionAdmin(PolicyAdmin):
    view_permission = "person.view"
    path_field = "unit__path"
    list_display = ("user", "unit", "role", "title", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "unit__name")
    list_select_related = ("user", "unit", "role")


@admin.register(CitizenProfile)
class CitizenProfileAdmin(PolicyAdmin):
    view_permission = "person.manage"
    list_display = ("user", "identity_number", "tax_code", "organisation_name")
    search_fields = ("identity_number", "tax_code", "user__full_name", "organisation_name")
    list_select_related = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(PolicyAdmin):
    view_permission = "audit.view"
    list_display = ("prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    exclude = ("token_hash",)
