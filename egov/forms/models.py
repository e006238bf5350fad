"""Form templates as data: Mẫu 01–06 of TT 01/2018/TT-VPCP, 01–07 of the 2025 set, and any later set.

A template is a Django template (HTML) plus its CSS. Rows are never edited: a change is a new
``version`` of the same ``(form_set, code)``; the form in use is the latest *active* version, so
turning the newest version off falls back to the previous one. Writes go through ``services``.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

__all__ = ["FormTemplate"]


class FormTemplate(models.Model):
    class Kind(models.TextChoices):
        # The data a form takes (``contexts.CONTEXT_CLASSES``); codes differ between sets.
        RECEIPT = "receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
        SUPPLEMENT = "supplement", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
        REFUSAL = "refusal", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
        APOLOGY = "apology", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
        STOP_NOTICE = "stop_notice", "Thông báo dừng giải quyết hồ sơ"
        CONTROL_SLIP = "control_slip", "Phiếu kiểm soát quá trình giải quyết hồ sơ"
        REGISTER = "register", "Sổ theo dõi hồ sơ"

    class Paper(models.TextChoices):
        A5 = "A5", "A5"
        A4 = "A4", "A4"

    class Orientation(models.TextChoices):
        PORTRAIT = "portrait", "Khổ dọc"
        LANDSCAPE = "landscape", "Khổ ngang"

    form_set = models.CharField(
        "bộ biểu mẫu",
        max_length=40,
        validators=[RegexValidator(r"^[a-z0-9_]+$", "Chỉ gồm chữ thường không dấu, số và dấu gạch dưới.")],
        help_text="Mã bộ biểu mẫu mà bộ quy tắc chỉ tới, ví dụ tt01_2018, tt03_2025.",
    )
    code = models.CharField(
        "số mẫu",
        max_length=8,
        validators=[RegexValidator(r"^[0-9A-Za-z.]+$", "Số mẫu chỉ gồm chữ, số và dấu chấm.")],
        help_text='"01" cho Mẫu số 01.',
    )
    kind = models.CharField("loại biểu mẫu", max_length=20, choices=Kind.choices)
    name = models.CharField("tên biểu mẫu", max_length=255)
    paper = models.CharField("khổ giấy", max_length=4, choices=Paper.choices, default=Paper.A5)
    orientation = models.CharField(
        "hướng giấy", max_length=10, choices=Orientation.choices, default=Orientation.PORTRAIT
    )
    body = models.TextField("nội dung (Django template, HTML)")
    css = models.TextField("CSS", blank=True)
    version = models.PositiveIntegerField("phiên bản")
    is_active = models.BooleanField("đang dùng", default=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "mẫu biểu"
        verbose_name_plural = "mẫu biểu"
        ordering = ["form_set", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["form_set", "code", "version"], name="forms_template_unique_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="forms_template_version_positive"),
        ]
        indexes = [models.Index(fields=["form_set", "code", "is_active", "-version"], name="forms_template_current")]

    def __str__(self) -> str:
        return f"{self.form_set} Mẫu số {self.code} v{self.version}: {self.name}"

    @property
    def page_size(self) -> str:
        """The CSS ``@page`` size, e.g. ``"A5 portrait"``."""
        return f"{self.paper} {self.orientation}"
