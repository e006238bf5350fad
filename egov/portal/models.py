"""The citizen's side of the portal: online forms defined as data, drafts, the idempotent record of
each online submission, and the personal store of documents that can be reused."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SubmissionForm(models.Model):
    """The online form (tờ khai điện tử) of a procedure, as a JSON Schema, versioned. One version is
    active; a dossier keeps the version it was submitted with (OnlineApplication.form)."""

    procedure = models.ForeignKey(
        "catalogue.Procedure", verbose_name="thủ tục", on_delete=models.CASCADE, related_name="submission_forms"
    )
    version = models.PositiveIntegerField("phiên bản")
    title = models.CharField("tên tờ khai", max_length=300)
    schema = models.JSONField(
        "lược đồ (JSON Schema)",
        help_text=(
            'Đối tượng JSON Schema: {"type": "object", "properties": {...}, "required": [...]}. Mỗi trường có '
            '"title" và "type" (string, integer, number, boolean); hỗ trợ "format" (date, email), "enum", '
            '"pattern", "minLength", "maxLength", "minimum", "maximum", "description".'
        ),
    )
    is_active = models.BooleanField("đang áp dụng", default=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "tờ khai điện tử"
        verbose_name_plural = "tờ khai điện tử"
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="submission_form_version"),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(is_active=True), name="submission_form_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Draft(models.Model):
    """An online dossier being prepared: what was typed and the files attached so far."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_drafts")
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant = models.JSONField(default=dict)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        constraints = [models.UniqueConstraint(fields=["owner", "procedure"], name="draft_one_per_procedure")]

    def __str__(self) -> str:
        return f"{self.owner} — {self.procedure_id}"


class PersonalDocument(models.Model):
    """A document in the citizen's store (kho dữ liệu điện tử của tổ chức, cá nhân — NĐ 45/2020 Đ13):
    uploaded there, or kept from an earlier submission. Results are read from the dossiers."""

    class Source(models.TextChoices):
        UPLOADED = "uploaded", "Tải lên kho"
        SUBMITTED = "submitted", "Đã nộp trong hồ sơ"
        CERTIFIED = "certified", "Bản sao chứng thực điện tử"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_documents")
    name = models.CharField("tên giấy tờ", max_length=255)
    file = models.FileField(upload_to="personal/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    source = models.CharField("nguồn", max_length=10, choices=Source.choices)
    dossier_code = models.CharField("từ hồ sơ", max_length=60, blank=True)
    created_at = models.DateTimeField("lưu lúc", auto_now_add=True)

    class Meta:
        verbose_name = "giấy tờ trong kho cá nhân"
        verbose_name_plural = "kho dữ liệu cá nhân"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], name="personal_document_once")]

    def __str__(self) -> str:
        return self.name


class DraftFile(models.Model):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    procedure_component = models.ForeignKey("catalogue.ProcedureComponent", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="drafts/%Y/%m/", max_length=255, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # A reused file: from the store ("document:<id>") or an earlier result ("result:<id>").
    reused_from = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["draft", "procedure_component", "id"]

    def __str__(self) -> str:
        return self.original_name


class OnlineApplication(models.Model):
    """One online submission: the idempotency key (a retry returns the same dossier), the form
    version and the data typed into it."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100)
    dossier = models.OneToOneField(
        "dossiers.Dossier", null=True, on_delete=models.CASCADE, related_name="online_application"
    )
    form = models.ForeignKey(SubmissionForm, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "hồ sơ nộp trực tuyến"
        verbose_name_plural = "hồ sơ nộp trực tuyến"
        constraints = [
            models.UniqueConstraint(fields=["applicant", "idempotency_key"], name="online_application_idempotent")
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} → {self.dossier_id}"
