"""Back office for the working calendar; every change goes through egov.calendar.services."""

import re
from datetime import time

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from egov.access import policy
from egov.access.admin_policy import PolicyAdmin
from egov.calendar import services
from egov.calendar.models import CalendarDay, WorkCalendar
from egov.core.errors import DomainError
from egov.core.forms import form_errors
from egov.core.transactions import dry_run


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
            with dry_run():
                services.set_day(
                    by=self.request.user,
                    calendar=WorkCalendar.objects.get(pk=calendar.pk),
                    day=day,
                    kind=data.get("kind") or "",
                    note=data.get("note") or "",
                )
        except DomainError as exc:
            raise form_errors(exc, self.fields) from exc
        return data


def sessions_text(calendar: WorkCalendar) -> str:
    """``"07:30-11:30, 13:30-17:30"``: the sessions as an administrator reads and types them."""
    return ", ".join(f"{s.start:%H:%M}-{s.end:%H:%M}" for s in calendar.sessions.all())


_SESSION = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$")


def parse_sessions(text: str) -> list[tuple[time, time]]:
    """``"07:30-11:30, 13:30-17:30"`` -> pairs of times; commas, semicolons or new lines separate them.

    Order and overlaps are the service's to judge; this only reads the text."""
    sessions, errors = [], []
    for item in filter(None, (part.strip() for part in re.split(r"[,;\n]", text or ""))):
        match = _SESSION.match(item)
        if match is None:
            errors.append(f"Không đọc được “{item}”: mỗi buổi ghi dạng 07:30-11:30.")
            continue
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            errors.append(f"“{item}” không phải giờ trong ngày (00:00 đến 23:59).")
            continue
        sessions.append((time(h1, m1), time(h2, m2)))
    if errors:
        raise ValidationError(errors)
    return sessions


class WorkCalendarForm(forms.ModelForm):
    """The sessions as one line of text; the service (``set_sessions``) validates and saves them."""

    working_sessions = forms.CharField(
        label="Buổi làm việc",
        required=False,  # "none" is the service's to refuse, in its own words
        widget=forms.TextInput(attrs={"size": 40}),
        help_text="Ví dụ: 07:30-11:30, 13:30-17:30 (giờ theo múi giờ của lịch).",
    )

    class Meta:
        model = WorkCalendar
        fields = ()

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if self.instance.pk and "working_sessions" in self.fields:
            self.fields["working_sessions"].initial = sessions_text(self.instance)

    def clean_working_sessions(self):
        sessions = parse_sessions(self.cleaned_data.get("working_sessions", ""))
        current = [(s.start, s.end) for s in self.instance.sessions.all()]
        self.sessions_changed = sessions != current
        if self.sessions_changed:
            try:
                # Dry run: the service is the validator; save_model runs it for real.
                with dry_run():
                    services.set_sessions(by=self.request.user, calendar=self.instance, sessions=sessions)
            except DomainError as exc:
                raise ValidationError([e.message for e in getattr(exc, "errors", [])] or exc.message) from exc
        return sessions


@admin.register(WorkCalendar)
class WorkCalendarAdmin(PolicyAdmin):
    """Sessions are edited here (``set_sessions``); days off on their own screen. Calendars are created
    by the service (or the demo seed), with their weekend and time zone."""

    view_permission = "organisation.view"
    change_permission = "calendar.manage"
    path_field = "organisation__path"  # list only the calendars the officer may open
    form = WorkCalendarForm
    list_display = ("name", "organisation", "working_sessions", "timezone", "weekend", "version")
    fields = ("organisation", "name", "timezone", "weekend", "working_sessions", "version")
    readonly_fields = ("organisation", "name", "timezone", "weekend", "version")
    list_select_related = ("organisation",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sessions")

    @admin.display(description="Buổi làm việc")
    def working_sessions(self, obj):
        # The list column, and the read-only view for officers who may look but not change.
        return sessions_text(obj)

    def has_add_permission(self, request):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def save_model(self, request, obj, form, change):
        if getattr(form, "sessions_changed", False):
            self.run_service(
                request,
                lambda: services.set_sessions(
                    by=request.user, calendar=obj, sessions=form.cleaned_data["working_sessions"]
                ),
            )

    def save_related(self, request, form, formsets, change):
        pass  # no inlines; nothing else on the page is editable


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
