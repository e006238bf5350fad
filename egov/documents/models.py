"""Official documents (NĐ 30/2020/NĐ-CP): types, outgoing documents with their versions and review
trail, incoming documents with their assignments and trace, the exchange queue and work files.

Current status, agency and due dates are plain indexed columns, so the officer's lists and the
registers are single indexed queries (DOMAIN §12, Open Zaak's lesson). Numbers come from
``egov.core.numbering`` (one yearly series per agency and register).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

# --------------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------------


class Urgency(models.TextChoices):
    NORMAL = "", "Thường"
    URGENT = "khan", "Khẩn"
    VERY_URGENT = "thuong_khan", "Thượng khẩn"
    FLASH = "hoa_toc", "Hỏa tốc"


class Secrecy(models.TextChoices):
    NORMAL = "", "Thường"
    SECRET = "mat", "Mật"
    TOP_SECRET = "toi_mat", "Tối mật"
    ABSOLUTE = "tuyet_mat", "Tuyệt mật"


class Authority(models.TextChoices):
    """Thẩm quyền ký (NĐ 30/2020 Phụ lục I, mục II.7)."""

    NONE = "", "Ký trực tiếp"
    TM = "TM.", "TM. (thay mặt)"
    KT = "KT.", "KT. (ký thay)"
    Q = "Q.", "Q. (quyền)"
    TL = "TL.", "TL. (thừa lệnh)"
    TUQ = "TUQ.", "TUQ. (thừa ủy quyền)"


class RegisterKind(models.TextChoices):
    OUTGOING = "outgoing", "Sổ văn bản đi"
    OUTGOING_SECRET = "outgoing_secret", "Sổ văn bản đi (mật)"
    INCOMING = "incoming", "Sổ văn bản đến"
    INCOMING_SECRET = "incoming_secret", "Sổ văn bản đến (mật)"


class DocumentType(models.Model):
    """A type of administrative document and its abbreviation (NĐ 30/2020 Phụ lục III)."""

    code = models.SlugField("mã", max_length=30, unique=True)
    name = models.CharField("tên loại văn bản", max_length=100)
    abbreviation = models.CharField("chữ viết tắt", max_length=10, blank=True, help_text="Công văn không có")
    has_template = models.BooleanField("có mẫu soạn thảo", default=False)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "loại văn bản"
        verbose_name_plural = "loại văn bản"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_cong_van(self) -> bool:
        """Công văn carries no type abbreviation; its symbol is issuer–drafting unit."""
        return not self.abbreviation


# --------------------------------------------------------------------------------------------------
# Review and approval as data
# --------------------------------------------------------------------------------------------------


class ApprovalFlow(models.Model):
    """The review and approval path of an agency's drafts; ``agency`` empty is the platform default."""

    agency = models.OneToOneField(
        "organisations.Organisation",
        verbose_name="cơ quan",
        on_delete=models.PROTECT,
        related_name="approval_flow",
        null=True,
        blank=True,
    )
    name = models.CharField("tên quy trình", max_length=200)

    class Meta:
        verbose_name = "quy trình duyệt văn bản"
        verbose_name_plural = "quy trình duyệt văn bản"

    def __str__(self) -> str:
        return self.name


class ApprovalStage(models.Model):
    """One stage after the drafter: who acts (a permission held over a unit) and whether it signs."""

    class At(models.TextChoices):
        DRAFTING_UNIT = "drafting_unit", "Đơn vị soạn thảo"
        AGENCY = "agency", "Cơ quan ban hành"

    flow = models.ForeignKey(ApprovalFlow, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=200)
    permission = models.CharField("quyền cần có", max_length=50, default="document.review")
    at = models.CharField("tại", max_length=20, choices=At.choices, default=At.DRAFTING_UNIT)

    class Meta:
        verbose_name = "bước duyệt"
        verbose_name_plural = "bước duyệt"
        ordering = ["flow", "order"]
        constraints = [models.UniqueConstraint(fields=["flow", "order"], name="documents_stage_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


# --------------------------------------------------------------------------------------------------
# Outgoing documents
# --------------------------------------------------------------------------------------------------


class OutgoingStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("outgoing document status", "Dự thảo")
    UNDER_REVIEW = "under_review", pgettext_lazy("outgoing document status", "Đang trình duyệt")
    RETURNED = "returned", pgettext_lazy("outgoing document status", "Bị trả lại")
    APPROVED = "approved", pgettext_lazy("outgoing document status", "Đã duyệt, chờ ký")
    SIGNED = "signed", pgettext_lazy("outgoing document status", "Đã ký, chờ phát hành")
    ISSUED = "issued", pgettext_lazy("outgoing document status", "Đã phát hành")
    RECALLED = "recalled", pgettext_lazy("outgoing document status", "Đã thu hồi")
    REPLACED = "replaced", pgettext_lazy("outgoing document status", "Đã bị thay thế")


ISSUED_STATUSES = (OutgoingStatus.ISSUED, OutgoingStatus.RECALLED, OutgoingStatus.REPLACED)


class OutgoingDocument(models.Model):
    """A document the agency drafts, signs and issues (văn bản đi)."""

    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name="cơ quan ban hành", on_delete=models.PROTECT, related_name="+"
    )
    drafting_unit = models.ForeignKey(
        "organisations.Organisation", verbose_name="đơn vị soạn thảo", on_delete=models.PROTECT, related_name="+"
    )
    doc_type = models.ForeignKey(DocumentType, verbose_name="loại văn bản", on_delete=models.PROTECT)
    subject = models.CharField("trích yếu", max_length=500)
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người soạn thảo", on_delete=models.PROTECT, related_name="+"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ký",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signer_title = models.CharField("chức vụ người ký", max_length=200, blank=True)
    signer_authority = models.CharField("thẩm quyền ký", max_length=5, choices=Authority.choices, blank=True)
    external_recipients = models.JSONField("nơi nhận ngoài hệ thống", default=list, blank=True)
    urgency = models.CharField("độ khẩn", max_length=12, choices=Urgency.choices, blank=True, default="")
    secrecy = models.CharField("độ mật", max_length=10, choices=Secrecy.choices, blank=True, default="")
    answer_due = models.DateField("hạn trả lời", null=True, blank=True)
    in_reply_to = models.ForeignKey(
        "IncomingDocument",
        verbose_name="trả lời văn bản đến",
        on_delete=models.PROTECT,
        related_name="answers",
        null=True,
        blank=True,
    )
    place = models.CharField("địa danh", max_length=100, blank=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=OutgoingStatus.choices, default=OutgoingStatus.DRAFT, db_index=True
    )
    # Who acts next while under review: holders of ``awaiting_permission`` over ``awaiting_unit``.
    stage = models.PositiveSmallIntegerField("bước duyệt hiện tại", default=0)
    awaiting_permission = models.CharField(max_length=50, blank=True)
    awaiting_unit = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    version_count = models.PositiveIntegerField("số phiên bản", default=0)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    signed_pdf = models.FileField("bản đã ký", upload_to="documents/signed/%Y/%m/", blank=True)
    signed_at = models.DateTimeField("ký lúc", null=True, blank=True)
    signed_version = models.PositiveIntegerField("phiên bản đã ký", null=True, blank=True)
    # Set at issue, never changed afterwards (the issued PDF is immutable).
    register = models.CharField("sổ", max_length=20, choices=RegisterKind.choices, blank=True)
    year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    number = models.PositiveIntegerField("số", null=True, blank=True)
    symbol = models.CharField("số, ký hiệu", max_length=60, blank=True, db_index=True)
    issued_at = models.DateTimeField("ban hành lúc", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="văn thư phát hành",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    released_electronically = models.BooleanField("phát hành điện tử", default=False)
    pdf = models.FileField("bản phát hành", upload_to="documents/issued/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField("số trang", default=0)
    text = models.TextField("nội dung (để tìm kiếm)", blank=True)
    recalled_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    recall_reason = models.CharField("lý do thu hồi, thay thế", max_length=1000, blank=True)
    replaced_by = models.ForeignKey(
        "self", verbose_name="thay thế bởi", on_delete=models.PROTECT, related_name="replaces", null=True, blank=True
    )

    class Meta:
        verbose_name = "văn bản đi"
        verbose_name_plural = "văn bản đi"
        indexes = [
            models.Index(fields=["agency", "status"], name="doc_out_agency_status_idx"),
            models.Index(fields=["status", "awaiting_permission"], name="doc_out_awaiting_idx"),
            models.Index(fields=["agency", "register", "year", "number"], name="doc_out_register_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "register", "year", "number"],
                condition=Q(number__isnull=False),
                name="documents_outgoing_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol or 'Dự thảo'} — {self.subject}"

    def policy_organisation(self):
        return self.drafting_unit

    @property
    def number_text(self) -> str:
        """Numbers below 10 with a leading zero (NĐ 30/2020 Phụ lục I)."""
        return f"{self.number:02d}" if self.number is not None else ""

    @property
    def is_secret(self) -> bool:
        return bool(self.secrecy)


class OutgoingRecipient(models.Model):
    """A recipient agency inside the platform (nơi nhận)."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="recipients")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "nơi nhận"
        verbose_name_plural = "nơi nhận"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "organisation"], name="documents_recipient_unique"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class DocumentVersion(models.Model):
    """A snapshot of the draft: body and metadata, its PDF and where the signature goes."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("phiên bản")
    body = models.TextField("nội dung", blank=True)
    metadata = models.JSONField("thông tin", default=dict)
    pdf = models.FileField(upload_to="documents/drafts/%Y/%m/")
    pdf_sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=1)
    placements = models.JSONField("vị trí số, ngày, chữ ký, dấu", default=dict)
    source = models.CharField("nguồn", max_length=10)  # template, pdf, docx
    note = models.CharField("ghi chú", max_length=1000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phiên bản dự thảo"
        verbose_name_plural = "phiên bản dự thảo"
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_version_unique")]

    def __str__(self) -> str:
        return f"Phiên bản {self.number}"


class VersionComment(models.Model):
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("ý kiến")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ý kiến về dự thảo"
        verbose_name_plural = "ý kiến về dự thảo"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ReviewStep(models.Model):
    """One line of the trail: who did what to the draft, when, on which version."""

    class Action(models.TextChoices):
        CREATED = "created", "Tạo dự thảo"
        REVISED = "revised", "Cập nhật dự thảo"
        COMMENTED = "commented", "Cho ý kiến"
        SUBMITTED = "submitted", "Trình duyệt"
        APPROVED = "approved", "Duyệt"
        RETURNED = "returned", "Trả lại"
        SIGNED = "signed", "Ký số"
        ISSUED = "issued", "Phát hành"
        RECALLED = "recalled", "Thu hồi"
        REPLACED = "replaced", "Thay thế"

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="trail")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    stage = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "quá trình xử lý dự thảo"
        verbose_name_plural = "quá trình xử lý dự thảo"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["actor", "document"], name="doc_trail_actor_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%d/%m/%Y %H:%M})"


class ExchangeQueue(models.Model):
    """A document waiting to go to a recipient outside the platform (the exchange is issue 13)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"
        CANCELLED = "cancelled", "Đã hủy"

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="exchange_items")
    recipient = models.CharField("nơi nhận", max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "hàng đợi liên thông văn bản"
        verbose_name_plural = "hàng đợi liên thông văn bản"
        ordering = ["pk"]

    # --------------------------------------------------------------------------------------------------
    # Incoming documents
    # --------------------------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.recipient} ({self.get_status_display()})"


class IncomingStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("incoming document status", "Chờ tiếp nhận")
    ACCEPTED = "accepted", pgettext_lazy("incoming document status", "Đã vào sổ, chờ phân công")
    RETURNED = "returned", pgettext_lazy("incoming document status", "Đã trả lại")
    ASSIGNED = "assigned", pgettext_lazy("incoming document status", "Đã phân công")
    IN_PROGRESS = "in_progress", pgettext_lazy("incoming document status", "Đang xử lý")
    COMPLETED = "completed", pgettext_lazy("incoming document status", "Đã hoàn thành")
    RECALLED = "recalled", pgettext_lazy("incoming document status", "Bị thu hồi")


OPEN_INCOMING = (IncomingStatus.ACCEPTED, IncomingStatus.ASSIGNED, IncomingStatus.IN_PROGRESS)


class IncomingDocument(models.Model):
    """A document the agency received (văn bản đến): from an agency in the platform or on paper."""

    class Source(models.TextChoices):
        INTERNAL = "internal", "Trong hệ thống"
        PAPER = "paper", "Bản giấy (quét)"
        EXCHANGE = "exchange", "Liên thông"

    class ReturnReason(models.TextChoices):
        MISADDRESSED = "misaddressed", "Gửi nhầm nơi nhận"
        INVALID = "invalid", "Văn bản không hợp lệ"

    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name="cơ quan nhận", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("nguồn", max_length=10, choices=Source.choices)
    outgoing = models.ForeignKey(
        OutgoingDocument,
        verbose_name="văn bản đi gốc",
        on_delete=models.PROTECT,
        related_name="deliveries",
        null=True,
        blank=True,
    )
    sender = models.ForeignKey(
        "organisations.Organisation",
        verbose_name="cơ quan gửi",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    sender_name = models.CharField("tác giả (cơ quan ban hành)", max_length=300)
    symbol = models.CharField("số, ký hiệu", max_length=60, blank=True)
    document_date = models.DateField("ngày văn bản", null=True, blank=True)
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, null=True, blank=True)
    subject = models.CharField("trích yếu", max_length=500)
    signer_name = models.CharField("người ký", max_length=200, blank=True)
    urgency = models.CharField("độ khẩn", max_length=12, choices=Urgency.choices, blank=True, default="")
    secrecy = models.CharField("độ mật", max_length=10, choices=Secrecy.choices, blank=True, default="")
    answer_due = models.DateField("hạn trả lời", null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=IncomingStatus.choices, default=IncomingStatus.RECEIVED, db_index=True
    )
    received_at = models.DateTimeField("đến lúc", db_index=True)
    register = models.CharField("sổ", max_length=20, choices=RegisterKind.choices, blank=True)
    year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    arrival_number = models.PositiveIntegerField("số đến", null=True, blank=True)
    registered_at = models.DateTimeField("vào sổ lúc", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    return_reason = models.CharField(max_length=20, choices=ReturnReason.choices, blank=True)
    return_note = models.CharField(max_length=1000, blank=True)
    handling_due = models.DateField("hạn xử lý", null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    answer = models.ForeignKey(
        OutgoingDocument,
        verbose_name="văn bản trả lời",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    pdf = models.FileField(upload_to="documents/incoming/%Y/%m/")
    pdf_sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=0)
    text = models.TextField("nội dung (để tìm kiếm)", blank=True)
    ocr_status = models.CharField(max_length=12, blank=True)  # "", done, unavailable, failed
    # The signatures of an electronic arrival, checked on arrival (egov.signing): one dict each.
    signatures = models.JSONField("chữ ký số", default=list, blank=True)
    signatures_ok = models.BooleanField("chữ ký số hợp lệ", null=True, blank=True)

    class Meta:
        verbose_name = "văn bản đến"
        verbose_name_plural = "văn bản đến"
        indexes = [
            models.Index(fields=["agency", "status", "received_at"], name="doc_in_agency_status_idx"),
            models.Index(fields=["agency", "register", "year", "arrival_number"], name="doc_in_register_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "register", "year", "arrival_number"],
                condition=Q(arrival_number__isnull=False),
                name="documents_incoming_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol or 'Văn bản đến'} — {self.subject}"

    def policy_organisation(self):
        return self.agency

    @property
    def is_secret(self) -> bool:
        return bool(self.secrecy)

    @property
    def arrival_number_text(self) -> str:
        return f"{self.arrival_number:02d}" if self.arrival_number is not None else ""


class Assignment(models.Model):
    """The leader's direction: a unit leads (chủ trì), cooperates (phối hợp) or is informed (để biết)."""

    class Role(models.TextChoices):
        LEAD = "lead", "Chủ trì"
        COOPERATE = "cooperate", "Phối hợp"
        INFORM = "inform", "Để biết"

    incoming = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    deadline = models.DateField("hạn xử lý", null=True, blank=True, db_index=True)
    instruction = models.TextField("ý kiến chỉ đạo", blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="chuyên viên xử lý",
        on_delete=models.PROTECT,
        related_name="document_assignments",
        null=True,
        blank=True,
    )
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "phân công xử lý"
        verbose_name_plural = "phân công xử lý"
        ordering = ["incoming", "pk"]
        indexes = [models.Index(fields=["assignee", "done_at", "deadline"], name="doc_assign_assignee_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.unit}"


class TraceEvent(models.Model):
    """The trace of an incoming document (vết xử lý): arrival, registration, direction, progress."""

    class Action(models.TextChoices):
        RECEIVED = "received", "Văn bản đến"
        ACCEPTED = "accepted", "Tiếp nhận, vào sổ"
        RETURNED = "returned", "Trả lại"
        ASSIGNED = "assigned", "Phân công"
        ASSIGNED_TO_SPECIALIST = "to_specialist", "Giao chuyên viên"
        PROGRESS = "progress", "Cập nhật tiến độ"
        COMPLETED = "completed", "Hoàn thành"
        RECALLED = "recalled", "Bị thu hồi"

    incoming = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="trace")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=16, choices=Action.choices)
    note = models.TextField(blank=True)
    unit = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        verbose_name = "vết xử lý văn bản đến"
        verbose_name_plural = "vết xử lý văn bản đến"
        ordering = ["at", "pk"]

    # --------------------------------------------------------------------------------------------------
    # Work files (hồ sơ công việc)
    # --------------------------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%d/%m/%Y %H:%M})"


class FileListEntry(models.Model):
    """A line of the agency's yearly file list (danh mục hồ sơ)."""

    agency = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    code = models.CharField("số, ký hiệu hồ sơ", max_length=50)
    title = models.CharField("tiêu đề hồ sơ", max_length=500)
    unit = models.ForeignKey(
        "organisations.Organisation", verbose_name="đơn vị lập hồ sơ", on_delete=models.PROTECT, related_name="+"
    )
    retention = models.CharField("thời hạn bảo quản", max_length=50, blank=True)

    class Meta:
        verbose_name = "danh mục hồ sơ"
        verbose_name_plural = "danh mục hồ sơ"
        ordering = ["agency", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "code"], name="documents_file_list_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class WorkFile(models.Model):
    """A work file opened from a file-list entry; documents are filed into it until it is closed."""

    class Status(models.TextChoices):
        OPEN = "open", "Đang lập"
        CLOSED = "closed", "Đã kết thúc"

    entry = models.OneToOneField(FileListEntry, on_delete=models.PROTECT, related_name="work_file")
    agency = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "hồ sơ công việc"
        verbose_name_plural = "hồ sơ công việc"
        indexes = [models.Index(fields=["agency", "year", "status"], name="doc_workfile_idx")]

    def __str__(self) -> str:
        return str(self.entry)

    def policy_organisation(self):
        return self.entry.unit


class FiledDocument(models.Model):
    work_file = models.ForeignKey(WorkFile, on_delete=models.CASCADE, related_name="items")
    outgoing = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    incoming = models.ForeignKey(IncomingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()

    class Meta:
        verbose_name = "văn bản trong hồ sơ"
        verbose_name_plural = "văn bản trong hồ sơ"
        ordering = ["filed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outgoing__isnull=False, incoming__isnull=True)
                | Q(outgoing__isnull=True, incoming__isnull=False),
                name="documents_filed_one_document",
            ),
            models.UniqueConstraint(
                fields=["work_file", "outgoing"], condition=Q(outgoing__isnull=False), name="documents_filed_out_once"
            ),
            models.UniqueConstraint(
                fields=["work_file", "incoming"], condition=Q(incoming__isnull=False), name="documents_filed_in_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_file}: {self.outgoing or self.incoming}"


# --------------------------------------------------------------------------------------------------
# Full-text search (egov.documents.search)
# --------------------------------------------------------------------------------------------------


class SearchEntry(models.Model):
    """One searchable document: its metadata and PDF text, with the columns the search filters on.

    Written only by ``egov.documents.search.reindex`` (after each change commits). The text index
    itself lives beside it, per database (migration documents/0100): an FTS5 table on SQLite, a GIN
    index over ``to_tsvector('simple', unaccent(text))`` on PostgreSQL."""

    class Kind(models.TextChoices):
        OUTGOING = "outgoing", "Văn bản đi"
        INCOMING = "incoming", "Văn bản đến"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    document_id = models.PositiveBigIntegerField()
    agency = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    doc_type = models.ForeignKey(DocumentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20)
    # The document's date: issued (else drafted) for outgoing, arrival for incoming.
    dated = models.DateTimeField(db_index=True)
    symbol = models.CharField(max_length=60, blank=True)
    subject = models.CharField(max_length=500)
    issuer = models.CharField(max_length=300, blank=True)
    signer = models.CharField(max_length=200, blank=True)
    # Lower case without diacritics, for the issuer and signer filters.
    issuer_folded = models.CharField(max_length=300, blank=True)
    signer_folded = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = "mục tìm kiếm văn bản"
        verbose_name_plural = "mục tìm kiếm văn bản"
        constraints = [
            models.UniqueConstraint(fields=["kind", "document_id"], name="documents_search_unique"),
        ]
        indexes = [models.Index(fields=["dated", "id"], name="doc_search_dated_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.symbol or self.subject[:60]}"
