"""Citizen ratings of a returned dossier (DOMAIN §6) and feedback, phản ánh kiến nghị (DOMAIN §11).

Both tables carry the agency key and the date as plain indexed columns, so the satisfaction and
"feedback handled on time" indicators are index scans per agency and period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class RatingValue(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", pgettext_lazy("rating", "Rất hài lòng")
    SATISFIED = "satisfied", pgettext_lazy("rating", "Hài lòng")
    UNSATISFIED = "unsatisfied", pgettext_lazy("rating", "Không hài lòng")


class Rating(models.Model):
    """The applicant's rating of a dossier whose result was handed over; one per dossier."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="rating"
    )
    # The dossier's handling agency, copied so indicators group without joining the dossiers.
    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name="cơ quan giải quyết", on_delete=models.PROTECT, related_name="+"
    )
    value = models.CharField("mức độ hài lòng", max_length=20, choices=RatingValue.choices)
    comment = models.TextField("ý kiến", blank=True)
    created_at = models.DateTimeField("đánh giá lúc")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "đánh giá mức độ hài lòng"
        verbose_name_plural = "đánh giá mức độ hài lòng"
        indexes = [models.Index(fields=["agency", "created_at"], name="rating_agency_date")]
        constraints = [
            models.CheckConstraint(condition=Q(value__in=RatingValue.values), name="rating_value_known"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_value_display()}"


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("feedback status", "Đã tiếp nhận")
    PROCESSING = "processing", pgettext_lazy("feedback status", "Đang xử lý")
    ANSWERED = "answered", pgettext_lazy("feedback status", "Đã trả lời")
    CLOSED = "closed", pgettext_lazy("feedback status", "Đã đóng")


OPEN_STATUSES = (FeedbackStatus.RECEIVED, FeedbackStatus.PROCESSING)


class Feedback(models.Model):
    """A phản ánh, kiến nghị sent to an agency, its answer and whether the answer is published."""

    code = models.CharField("mã phản ánh", max_length=20, unique=True)
    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name="cơ quan nhận", on_delete=models.PROTECT, related_name="+"
    )
    # Who handles it: the agency's one-stop unit when it has one, else the agency itself. Officers
    # see feedback through their grants over this unit, so the one-stop desk and the agency's
    # leaders both see it (a grant at the desk does not cover its parent agency).
    handling_unit = models.ForeignKey(
        "organisations.Organisation", verbose_name="đơn vị xử lý", on_delete=models.PROTECT, related_name="+"
    )
    sender_name = models.CharField("họ và tên", max_length=200)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    title = models.CharField("tiêu đề", max_length=300)
    content = models.TextField("nội dung")
    related_dossier_code = models.CharField("mã hồ sơ liên quan", max_length=60, blank=True)
    created_at = models.DateTimeField("gửi lúc")
    status = models.CharField(
        "trạng thái", max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED
    )
    due_at = models.DateTimeField("hạn trả lời")
    answer = models.TextField("nội dung trả lời", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ trả lời",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    published = models.BooleanField("công khai", default=False)

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        indexes = [
            models.Index(fields=["agency", "created_at"], name="feedback_agency_date"),
            models.Index(fields=["handling_unit", "created_at", "id"], name="feedback_unit_list"),
            models.Index(fields=["status", "due_at"], name="feedback_status_due"),
            models.Index(fields=["answered_at", "id"], condition=Q(published=True), name="feedback_published_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published=False) | Q(status__in=["answered", "closed"], answered_at__isnull=False),
                name="feedback_published_only_answered",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def policy_organisation(self):
        return self.handling_unit
