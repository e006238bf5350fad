"""Rule sets, internal processes and dossiers.

Big tables (Dossier, DossierTask, DossierEvent) carry the agency key and plain indexed status and
due-date columns, so worklists and indicators are index scans, not joins over history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from egov.dossiers.statuses import Channel, Status


class RuleSet(models.Model):
    """The legal rules in force from ``effective_from`` (DOMAIN §4): the one in force on the
    reception date applies to a dossier for its whole life."""

    class SupplementPolicy(models.TextChoices):
        RESTART = "restart", "Tính lại thời hạn từ đầu (NĐ 61/2018 Đ19)"
        EXTEND = "extend", "Cộng thêm thời gian tạm dừng"

    code = models.SlugField("mã bộ quy tắc", max_length=40, unique=True)
    name = models.CharField("tên", max_length=200)
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    effective_from = models.DateField("hiệu lực từ", unique=True)
    form_set = models.CharField("bộ mẫu biểu", max_length=40)
    supplement_policy = models.CharField(
        "khi bổ sung hồ sơ", max_length=10, choices=SupplementPolicy.choices, default=SupplementPolicy.RESTART
    )
    supplement_within_working_days = models.PositiveSmallIntegerField(
        "hạn yêu cầu bổ sung (ngày làm việc từ khi tiếp nhận)", default=3
    )
    apology_min_working_days_before_due = models.PositiveSmallIntegerField(
        "xin lỗi chậm nhất trước hạn (ngày làm việc)", default=1
    )
    code_format = models.CharField(
        "định dạng mã hồ sơ",
        max_length=100,
        default="{agency}-{yymmdd}-{seq:04d}",
        help_text="Biến: {agency} (mã cơ quan), {yymmdd}, {seq} (số thứ tự trong ngày)",
    )
    agency_code_form = models.CharField(
        "dạng mã cơ quan trong mã hồ sơ",
        max_length=10,
        choices=[("legacy", "QCVN 102:2016"), ("new", "QĐ 20/2020")],
        default="legacy",
    )

    class Meta:
        verbose_name = "bộ quy tắc"
        verbose_name_plural = "bộ quy tắc"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.name} (từ {self.effective_from:%d/%m/%Y})"


class ProcessDefinition(models.Model):
    """One version of an agency's internal process (quy trình nội bộ) for a procedure."""

    class State(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        ACTIVE = "active", "Đang áp dụng"
        RETIRED = "retired", "Ngừng áp dụng"

    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="processes")
    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name="cơ quan", on_delete=models.PROTECT, related_name="processes"
    )
    # Liên thông across levels (DOMAIN §4): dossiers following this process are received at another
    # agency's one-stop unit (a commune's for a department's procedure, the provincial centre for a
    # commune's) and their result goes back there. Empty: received at ``agency``'s own one-stop unit.
    receiving_agency = models.ForeignKey(
        "organisations.Organisation",
        verbose_name="tiếp nhận tại",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_processes",
    )
    version = models.PositiveIntegerField("phiên bản")
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.DRAFT)
    total_hours = models.DecimalField("tổng thời gian (giờ làm việc)", max_digits=9, decimal_places=2)
    approved_at = models.DateTimeField("ngày phê duyệt", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "agency", "version"], name="process_unique_version"),
            models.UniqueConstraint(
                fields=["procedure", "agency"],
                condition=Q(state="active", receiving_agency__isnull=True),
                name="process_one_active",
            ),
            models.UniqueConstraint(
                fields=["procedure", "agency", "receiving_agency"],
                condition=Q(state="active", receiving_agency__isnull=False),
                name="process_one_active_per_receiving_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} — {self.agency} (v{self.version})"

    def policy_organisation(self):
        return self.agency


class ProcessStep(models.Model):
    """A step with the unit or role responsible and its share of the legal time. A step whose
    ``agency`` differs from the process's agency is a liên thông leg handled by that agency."""

    process = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=200)
    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name="cơ quan thực hiện", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "organisations.Organisation", verbose_name="đơn vị thực hiện", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("vai trò thực hiện", max_length=50)
    hours = models.DecimalField("thời gian (giờ làm việc)", max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"
        ordering = ["process", "order"]
        constraints = [models.UniqueConstraint(fields=["process", "order"], name="process_step_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Dossier(models.Model):
    code = models.CharField("mã hồ sơ", max_length=60, unique=True)
    procedure = models.ForeignKey(
        "catalogue.Procedure", verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name="cơ quan giải quyết", on_delete=models.PROTECT, related_name="+"
    )
    receiving_unit = models.ForeignKey(
        "organisations.Organisation", verbose_name="bộ phận tiếp nhận", on_delete=models.PROTECT, related_name="+"
    )
    # The catalogue version in force when the dossier was filed: its fees, components and legal time.
    procedure_version = models.ForeignKey(
        "catalogue.ProcedureVersion",
        verbose_name="phiên bản thủ tục",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    process = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="dossiers")
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices)
    status = models.PositiveSmallIntegerField("trạng thái", choices=Status.choices)

    applicant_name = models.CharField("chủ hồ sơ", max_length=200)
    applicant_identity = models.CharField("số định danh / mã số thuế", max_length=20, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="dossiers"
    )
    submitter_name = models.CharField("người nộp", max_length=200, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    matter = models.CharField("nội dung yêu cầu", max_length=500, blank=True)
    sets_count = models.PositiveSmallIntegerField("số bộ hồ sơ", default=1)

    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True, db_index=True)
    clock_started_at = models.DateTimeField("bắt đầu tính thời hạn", null=True, blank=True)
    due_at = models.DateTimeField("hẹn trả", null=True, blank=True)
    original_due_at = models.DateTimeField("hẹn trả ban đầu", null=True, blank=True)
    rescheduled = models.BooleanField("đã hẹn lại ngày trả", default=False)
    paused_at = models.DateTimeField("tạm dừng từ", null=True, blank=True)
    paused_seconds = models.PositiveIntegerField("thời gian tạm dừng (giây làm việc)", default=0)
    finished_at = models.DateTimeField("xử lý xong lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    return_method = models.CharField("hình thức trả", max_length=10, blank=True)
    closed_reason = models.CharField("lý do", max_length=500, blank=True)

    fee_amount = models.PositiveIntegerField("phí, lệ phí (đồng)", default=0)
    fee_paid_at = models.DateTimeField("đã nộp phí lúc", null=True, blank=True)

    current_task = models.ForeignKey("DossierTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    current_unit = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="dossier_agency_status_due"),
            models.Index(fields=["current_unit", "status", "due_at", "id"], name="dossier_unit_worklist"),
            models.Index(fields=["current_assignee", "status", "due_at", "id"], name="dossier_assignee_worklist"),
            models.Index(fields=["status", "due_at", "id"], name="dossier_status_due"),
            models.Index(fields=["applicant_user", "-submitted_at", "-id"], name="dossier_applicant_recent"),
        ]

    def __str__(self) -> str:
        return self.code

    def policy_organisation(self):
        return self.current_unit or self.receiving_unit


class DossierComponent(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    procedure_component = models.ForeignKey(
        "catalogue.ProcedureComponent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("thành phần", max_length=500)
    originals = models.PositiveSmallIntegerField("bản chính", default=0)
    certified_copies = models.PositiveSmallIntegerField("bản sao chứng thực", default=0)
    photocopies = models.PositiveSmallIntegerField("bản sao", default=0)
    required = models.BooleanField("bắt buộc", default=True)
    provided = models.BooleanField("đã nộp", default=False)

    class Meta:
        ordering = ["dossier", "order", "id"]
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"

    def __str__(self) -> str:
        return self.name


class DossierFile(models.Model):
    component = models.ForeignKey(DossierComponent, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Reused from the applicant's store or an earlier result instead of being handed in again.
    reused = models.BooleanField("tái sử dụng", default=False)
    reused_from = models.CharField("tái sử dụng từ", max_length=100, blank=True)
    # Handed in as a supplement (after a Mẫu 02 request), not with the first submission.
    supplement = models.BooleanField("bổ sung", default=False)

    def __str__(self) -> str:
        return self.original_name


class DossierTask(models.Model):
    """A step of a dossier: who holds it, when it started, when it is due, when it ended. The
    hand-overs between consecutive tasks are Mẫu 05."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    agency = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=50)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who took the dossier in hand at this step (Mẫu 05/06 "người nhận"): the officer who claimed it,
    # or, if nobody claimed it, the one who finished it.
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["dossier", "started_at", "id"]
        indexes = [models.Index(fields=["unit", "finished_at", "due_at"], name="task_unit_open_due")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.order}. {self.name}"


class DossierEvent(models.Model):
    """The dossier's history as the applicant and the national portal see it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    from_status = models.PositiveSmallIntegerField(null=True)
    to_status = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action}"


class IssuedForm(models.Model):
    """A legal form issued for a dossier, as rendered and signed."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="forms")
    form_set = models.CharField(max_length=40)
    code = models.CharField("mẫu số", max_length=4)
    name = models.CharField(max_length=200)
    pdf = models.FileField(upload_to="forms/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    signed = models.BooleanField(default=False)
    # "Số" printed on the form (Mẫu 01: số thứ tự in the register; 02, 03, 04, stop notice: the
    # number of the form), from ``core.numbering`` per issuing unit and year; a re-issue keeps it.
    number = models.CharField("số", max_length=30, blank=True)
    # What the form was issued with that the dossier does not keep (e.g. the due date an apology
    # replaced), so that it can be issued again identically.
    data = models.JSONField(default=dict, blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["dossier", "issued_at", "id"]

    def __str__(self) -> str:
        return f"Mẫu {self.code} — {self.dossier_id}"


class IncompleteSubmission(models.Model):
    """A dossier found incomplete at the counter (or an online one turned away as incomplete): no
    dossier is created and no dossier code is spent; the applicant leaves with a signed Mẫu 02
    listing everything to add, once (NĐ 61/2018 Đ15 khoản 2 điểm b)."""

    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    receiving_unit = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    rule_set = models.ForeignKey("dossiers.RuleSet", on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The online dossier turned away, if any (its code was spent at submission).",
    )  # fmt: skip
    applicant_name = models.CharField("chủ hồ sơ", max_length=200)
    applicant_identity = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.CharField(max_length=254, blank=True)
    items = models.JSONField("nội dung phải bổ sung", default=list)
    reason = models.CharField(max_length=1000)
    number = models.CharField("số", max_length=30)
    form_set = models.CharField(max_length=40)
    form_code = models.CharField("mẫu số", max_length=8)
    pdf = models.FileField(upload_to="forms/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = "hồ sơ chưa đầy đủ (hướng dẫn bổ sung)"
        verbose_name_plural = "hồ sơ chưa đầy đủ (hướng dẫn bổ sung)"

    def __str__(self) -> str:
        return f"Mẫu {self.form_code} số {self.number} — {self.applicant_name}"


class SupplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    items = models.JSONField(default=list)
    reason = models.CharField(max_length=1000)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    old_due_at = models.DateTimeField(null=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.dossier_id} bổ sung {self.requested_at:%d/%m/%Y}"


class DossierResult(models.Model):
    """A result document (giấy tờ kết quả) of the dossier, as a PDF signed with the agency's key."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="results")
    name = models.CharField("tên giấy tờ kết quả", max_length=500)
    pdf = models.FileField(upload_to="results/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    signed_by_unit = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["dossier", "issued_at", "id"]
        verbose_name = "kết quả giải quyết"
        verbose_name_plural = "kết quả giải quyết"

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.name}"
