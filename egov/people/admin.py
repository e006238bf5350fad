"""Back-office screens for people. Every change goes through egov.people.services (audited)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.http import HttpResponseRedirect
from django.urls import reverse

from egov.access import policy
from egov.access.admin_policy import PolicyAdmin
from egov.access.back_office import can_use_back_office
from egov.core.errors import DomainError
from egov.core.forms import form_errors
from egov.core.transactions import dry_run
from egov.people import services
from egov.people.models import ApiToken, CitizenProfile, Position, Role, User


class PositionInline(admin.TabularInline):
    """Read-only here: positions are given and ended through the services (API, seed, commands)."""

    model = Position
    extra = 0
    can_delete = False
    fields = ("unit", "role", "title", "valid_from", "valid_to")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AccountForm(UserChangeForm):
    """Django's account form, validated by ``update_account`` (dry run) so its refusals show on the form."""

    request = None  # set by UserAdmin.get_form

    def account_changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.changed_data if f in self.cleaned_data and f != "password"}

    def clean(self):
        data = super().clean()
        changes = self.account_changes()
        if changes and not self.errors:
            try:
                with dry_run():
                    services.update_account(by=self.request.user, user=self.instance, changes=changes)
            except DomainError as exc:
                raise form_errors(exc, self.fields) from exc
        return data


class PasswordForm(AdminPasswordChangeForm):
    """Only "set this password": Django's "disable password-based authentication" choice would have
    saved the account itself, bypassing ``set_password`` and the audit trail."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts: superusers only; saving goes through ``update_account`` / ``set_password``."""

    form = AccountForm
    change_password_form = PasswordForm
    list_display = ("username", "full_name", "kind", "email", "is_active", "is_superuser")
    list_filter = ("kind", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "email", "citizen_profile__identity_number", "citizen_profile__tax_code")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin", {"fields": ("full_name", "kind", "email", "phone")}),
        ("Quyền", {"fields": ("is_active", "is_superuser")}),
        ("Thời điểm", {"fields": ("last_login", "date_joined")}),
    )
    # No service renames an account: an editable username was silently dropped on save.
    readonly_fields = ("username", "last_login", "date_joined")
    inlines = [PositionInline]

    def has_module_permission(self, request):
        return can_use_back_office(request.user) and request.user.is_superuser

    has_view_permission = lambda self, request, obj=None: self.has_module_permission(request)  # noqa: E731
    has_change_permission = has_view_permission
    # New accounts are created through the services (officers with a position; citizens register).
    has_add_permission = lambda self, request: False  # noqa: E731
    has_delete_permission = lambda self, request, obj=None: False  # noqa: E731

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        return type(form_class.__name__, (form_class,), {"request": request})

    def save_model(self, request, obj, form, change):
        changes = form.account_changes()
        if changes:  # an unchanged form writes nothing and records nothing
            try:
                services.update_account(by=request.user, user=obj, changes=changes)
            except DomainError as exc:  # only if something changed since the form's dry run
                self.message_user(request, exc.message, level=messages.ERROR)

    def save_related(self, request, form, formsets, change):
        # The positions inline is read-only: nothing to save. The change message still asks each
        # formset what it saved (without these, every save of an account was a 500).
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def user_change_password(self, request, id, form_url=""):
        # Django's view would save the form itself; a valid POST goes through the service instead
        # (audited). GETs, refusals and invalid forms are left to Django's view, which writes nothing then.
        user = self.get_object(request, unquote(id)) if request.method == "POST" else None
        if user is not None and self.has_change_permission(request, user):
            form = self.change_password_form(user, request.POST)
            if form.is_valid():
                try:
                    services.set_password(by=request.user, user=user, password=form.cleaned_data["password1"])
                except DomainError as exc:
                    self.message_user(request, exc.message, level=messages.ERROR)
                    return HttpResponseRedirect(request.get_full_path())
                self.log_change(request, user, self.construct_change_message(request, form, None))
                if user.pk == request.user.pk:
                    update_session_auth_hash(request, user)  # as Django's view: stay signed in
                self.message_user(request, "Đã đổi mật khẩu.", level=messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:people_user_change", args=(user.pk,)))
        return super().user_change_password(request, id, form_url)


class RoleForm(forms.ModelForm):
    """A role's name and permissions, validated by ``update_role`` (dry run) so refusals show on the form."""

    permissions = forms.MultipleChoiceField(
        choices=sorted(policy.PERMISSIONS.items()), widget=forms.CheckboxSelectMultiple, required=False, label="Quyền"
    )
    request = None  # set by RoleAdmin.get_form

    class Meta:
        model = Role
        fields = ["name", "permissions"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                with dry_run():
                    services.update_role(
                        by=self.request.user,
                        role=self.instance,
                        name=data.get("name") or "",
                        permissions=data.get("permissions") or [],
                    )
            except DomainError as exc:
                raise form_errors(exc, self.fields) from exc
        return data


@admin.register(Role)
class RoleAdmin(PolicyAdmin):
    view_permission = "person.view"
    change_permission = "person.manage"
    form = RoleForm
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def has_add_permission(self, request):
        return False  # roles are referenced by code in the workflow data; new ones come by migration

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        return type(form_class.__name__, (form_class,), {"request": request})

    def save_model(self, request, obj, form, change):
        # Validated by the form's dry run; a refusal here (a change in between) is a message, not a 500.
        self.run_service(
            request,
            lambda: services.update_role(
                by=request.user, role=obj, name=form.cleaned_data["name"], permissions=form.cleaned_data["permissions"]
            ),
        )


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
