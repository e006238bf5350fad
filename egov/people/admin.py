from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from egov.people.admin_policy import PolicyAdmin
from egov.people.models import ApiToken, CitizenProfile, Position, Role, User


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    autocomplete_fields = ("unit",)
    fields = ("unit", "role", "title", "valid_from", "valid_to")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "kind", "email", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email", "citizen_profile__identity_number", "citizen_profile__tax_code")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin", {"fields": ("full_name", "kind", "email", "phone")}),
        ("Quyền", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Thời điểm", {"fields": ("last_login", "date_joined")}),
    )
    inlines = [PositionInline]


@admin.register(Role)
class RoleAdmin(PolicyAdmin):
    view_permission = "person.view"
    change_permission = "person.manage"
    list_display = ("code", "name")
    search_fields = ("code", "name")


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
