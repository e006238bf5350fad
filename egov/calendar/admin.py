from django.contrib import admin

from egov.calendar import services
from egov.calendar.models import CalendarDay, WorkCalendar, WorkSession
from egov.people.admin_policy import PolicyAdmin


class WorkSessionInline(admin.TabularInline):
    model = WorkSession
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkCalendar)
class WorkCalendarAdmin(PolicyAdmin):
    view_permission = "organisation.view"
    list_display = ("name", "organisation", "timezone", "weekend", "version")
    readonly_fields = ("organisation", "name", "timezone", "weekend", "version")
    inlines = [WorkSessionInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(PolicyAdmin):
    """Days off and make-up working days; every change goes through the calendar services."""

    view_permission = "organisation.view"
    change_permission = "calendar.manage"
    path_field = "calendar__organisation__path"
    list_display = ("date", "weekday", "kind", "note", "source", "calendar")
    list_filter = ("kind", "source", ("date", admin.DateFieldListFilter))
    date_hierarchy = "date"
    search_fields = ("note",)
    fields = ("calendar", "date", "kind", "note")
    list_select_related = ("calendar",)

    @admin.display(description="Thứ")
    def weekday(self, obj):
        return ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][obj.date.weekday()]

    def get_readonly_fields(self, request, obj=None):
        return ("calendar", "date") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        ok = self.run_service(
            request,
            lambda: services.set_day(
                by=request.user, calendar=obj.calendar, day=obj.date, kind=obj.kind, note=obj.note
            ),
        )
        if ok:
            obj.pk = CalendarDay.objects.get(calendar=obj.calendar, date=obj.date).pk

    def delete_model(self, request, obj):
        self.run_service(request, lambda: services.remove_day(by=request.user, calendar=obj.calendar, day=obj.date))

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("calendar"):
            self.delete_model(request, obj)
