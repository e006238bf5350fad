"""A province's working calendar: sessions, weekend, days off and make-up working days.

The arithmetic lives in :mod:`egov.calendar.engine` (no database); this module stores what an
administrator configures. ``version`` grows on every change so cached specs are rebuilt.
"""

from __future__ import annotations

from django.db import models


class WorkCalendar(models.Model):
    organisation = models.OneToOneField(
        "organisations.Organisation", verbose_name="áp dụng cho", on_delete=models.PROTECT, related_name="work_calendar"
    )
    name = models.CharField("tên lịch", max_length=200)
    timezone = models.CharField("múi giờ", max_length=50, default="Asia/Ho_Chi_Minh")
    weekend = models.JSONField("ngày nghỉ hằng tuần", default=list, help_text="0 = thứ Hai … 5 = thứ Bảy, 6 = Chủ nhật")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "lịch làm việc"
        verbose_name_plural = "lịch làm việc"

    def __str__(self) -> str:
        return self.name

    def policy_organisation(self):
        return self.organisation


class WorkSession(models.Model):
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="sessions")
    start = models.TimeField("bắt đầu")
    end = models.TimeField("kết thúc")

    class Meta:
        verbose_name = "buổi làm việc"
        verbose_name_plural = "buổi làm việc"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="session_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ"
        WORKING_DAY = "working_day", "Ngày làm việc (làm bù)"

    class Source(models.TextChoices):
        STATUTORY = "statutory", "Theo quy định (thư viện holidays)"
        MANUAL = "manual", "Quản trị nhập"

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField("ngày")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    note = models.CharField("ghi chú", max_length=200, blank=True)
    source = models.CharField("nguồn", max_length=20, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = "ngày nghỉ / ngày làm bù"
        verbose_name_plural = "ngày nghỉ / ngày làm bù"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"

    def policy_organisation(self):
        return self.calendar.organisation
