from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from egov.calendar import services
from egov.calendar.models import CalendarDay, WorkCalendar, WorkSession
from egov.core.errors import DomainError
from egov.people import policy
from egov.people.admin_policy import PolicyAdmin


class CalendarDayForm(forms.ModelForm):
    """Offers only the calendars the officer manages, and lets the service validate.

    Without this the service refused in ``save_model`` (year 1990, another province's calendar)
    after the admin had already decided the form was valid: it showed "added successfully" next to
    the error and linked to ``.../None/change/``.
    """

    class Meta:
        model = CalendarDay
        fields = ("calendar", "date", "kind", "note")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if "calendar" in self.fields:
            self.fields["calendar"].queryset = policy.scope(
                request.user, "calendar.manage", WorkCalendar.objects.all(), path_field="organisation__path"
            )

    def clean(self):
        data = super().clean()
        calendar = data.get("calendar") if "calendar" in self.fields else self.instance.calendar
        day = data.get("date") if "date" in self.fields else self.instance.date
        if calendar is None or day is None or self.errors:
            return data
        try:
            # Dry run: the service is the validator; save_model runs it for real.
            with transaction.atomic():
                services.set_day(
                    by=self.request.user,
                    calendar=WorkCalendar.objects.get(pk=calendar.pk),
                    day=day,
                    kind=data.get("kind") or "",
                    note=data.get("note") or "",
                )
                transaction.set_rollback(True)
        except DomainError as exc:
            errors = getattr(exc, "errors", None)
            if errors:
                raise ValidationError({e.field if e.field in self.fields else None: e.message for e in errors}) from exc
            raise ValidationError(exc.message) from exc
        return data


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
    form = CalendarDayForm
    list_select_related = ("calendar",)

    @admin.display(description="Thứ")
    def weekday(self, obj):
        return ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][obj.date.weekday()]

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

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
