"""Indicator sets as versioned data (DOMAIN §6): a set (e.g. QĐ 766/QĐ-TTg 2022, TT 01/2018 Đ13–15)
has groups, each group indicators, each indicator the measure it uses (``egov.reports.measures``)
and its thresholds → points as rows. A published version is never changed: editing means a new
version (``services.new_version``), and computed period results (:class:`ScoreSnapshot`) keep the
version they were computed with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IndicatorSet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        PUBLISHED = "published", "Đã ban hành"

    code = models.SlugField("mã bộ chỉ số", max_length=40)
    version = models.PositiveIntegerField("phiên bản")
    name = models.CharField("tên", max_length=300)
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hiệu lực đến", null=True, blank=True)
    total_points = models.DecimalField("tổng điểm", max_digits=7, decimal_places=2)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("ban hành lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "bộ chỉ số đánh giá"
        verbose_name_plural = "bộ chỉ số đánh giá"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="indicator_set_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} (phiên bản {self.version})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Grade(models.Model):
    """A grade an agency gets from its total (TT 01/2018 Đ15: ≥15 xuất sắc, ...): the highest grade
    whose ``min_points`` the total reaches."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="grades")
    min_points = models.DecimalField("từ (điểm)", max_digits=7, decimal_places=2)
    label = models.CharField("xếp loại", max_length=100)

    class Meta:
        ordering = ["indicator_set", "-min_points"]
        constraints = [models.UniqueConstraint(fields=["indicator_set", "min_points"], name="grade_unique_min")]

    def __str__(self) -> str:
        return f"{self.label} (≥ {self.min_points})"


class IndicatorGroup(models.Model):
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField("mã nhóm", max_length=20)
    name = models.CharField("tên nhóm", max_length=300)
    max_points = models.DecimalField("điểm tối đa", max_digits=7, decimal_places=2)
    order = models.PositiveSmallIntegerField("thứ tự")

    class Meta:
        ordering = ["indicator_set", "order"]
        constraints = [models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_group_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Indicator(models.Model):
    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("mã chỉ số", max_length=20)
    name = models.CharField("tên chỉ số", max_length=500)
    # A code from egov.reports.measures.MEASURES; empty: assessed by hand (no platform data).
    measure = models.CharField("phép đo", max_length=40, blank=True)
    max_points = models.DecimalField("điểm tối đa", max_digits=7, decimal_places=2)
    order = models.PositiveSmallIntegerField("thứ tự")
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        ordering = ["group", "order"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="indicator_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Threshold(models.Model):
    """Measured value (a percentage) from ``lower`` (inclusive) to ``upper`` (exclusive; empty: no
    upper bound) gives ``points``."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="thresholds")
    lower = models.DecimalField("từ (%)", max_digits=6, decimal_places=2)
    upper = models.DecimalField("đến dưới (%)", max_digits=6, decimal_places=2, null=True, blank=True)
    points = models.DecimalField("điểm", max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["indicator", "lower"]

    def __str__(self) -> str:
        return f"[{self.lower}, {self.upper or '∞'}) → {self.points}"


class ScoreSnapshot(models.Model):
    """An agency's score for a period, computed with one version of a set and kept as computed:
    publishing a new version later does not change it."""

    class PeriodKind(models.TextChoices):
        MONTH = "month", "Tháng"
        QUARTER = "quarter", "Quý"
        YEAR = "year", "Năm"

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="snapshots")
    agency = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_key = models.CharField(max_length=10)  # "2026-03", "2026-Q1", "2026"
    period_start = models.DateField()
    period_end = models.DateField()
    points = models.DecimalField("tổng điểm", max_digits=7, decimal_places=2)
    # Per indicator: code, measure, numerator, denominator, value, points.
    data = models.JSONField(default=list)
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "agency", "period_key"], name="score_snapshot_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.period_key}: {self.points}"
