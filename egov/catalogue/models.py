"""The procedure catalogue (DOMAIN §3): fields (lĩnh vực), procedures and what each one asks for,
how long it takes per channel, what it costs and what it produces.

Everything here is written by :mod:`egov.catalogue.services` only; ``search_text`` in particular is
kept by the service, never by ``save()``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from egov.calendar.engine import Unit


class Level(models.TextChoices):
    """Implementing level (cấp thực hiện)."""

    PROVINCE = "province", "Cấp tỉnh"
    DEPARTMENT = "department", "Cấp sở, ban, ngành"
    DISTRICT = "district", "Cấp huyện"
    COMMUNE = "commune", "Cấp xã"


class OnlineLevel(models.TextChoices):
    """Online service level: NĐ 43/2011 levels 1–4, replaced by NĐ 42/2022 toàn trình / một phần."""

    LEVEL_1 = "level_1", "Mức độ 1 (NĐ 43/2011)"
    LEVEL_2 = "level_2", "Mức độ 2 (NĐ 43/2011)"
    LEVEL_3 = "level_3", "Mức độ 3 (NĐ 43/2011)"
    LEVEL_4 = "level_4", "Mức độ 4 (NĐ 43/2011)"
    TOAN_TRINH = "toan_trinh", "Toàn trình"
    MOT_PHAN = "mot_phan", "Một phần"


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", "Công dân"
    BUSINESS = "business", "Doanh nghiệp"
    ORGANISATION = "organisation", "Tổ chức"


class Channel(models.IntegerChoices):
    """Channels as exchanged with the national portal (DOMAIN §4)."""

    IN_PERSON = 1, "Trực tiếp"
    ONLINE = 2, "Trực tuyến"
    POST = 3, "Bưu chính công ích"


class DurationUnit(models.TextChoices):
    """The units of :class:`egov.calendar.engine.Unit`, with Vietnamese labels."""

    WORKING_DAYS = Unit.WORKING_DAYS.value, "Ngày làm việc"
    WORKING_HOURS = Unit.WORKING_HOURS.value, "Giờ làm việc"
    CALENDAR_DAYS = Unit.CALENDAR_DAYS.value, "Ngày"


class FeeKind(models.TextChoices):
    FEE = "fee", "Phí"
    CHARGE = "charge", "Lệ phí"


# Flag columns of Procedure for each multi-valued choice, in the order they are listed.
LEVEL_FLAGS = {
    Level.PROVINCE: "level_province",
    Level.DEPARTMENT: "level_department",
    Level.DISTRICT: "level_district",
    Level.COMMUNE: "level_commune",
}
APPLICANT_FLAGS = {
    ApplicantType.CITIZEN: "for_citizens",
    ApplicantType.BUSINESS: "for_businesses",
    ApplicantType.ORGANISATION: "for_organisations",
}
CHANNEL_FLAGS = {
    Channel.IN_PERSON: "channel_in_person",
    Channel.ONLINE: "channel_online",
    Channel.POST: "channel_post",
}


class Field(models.Model):
    """A field of procedures (lĩnh vực), e.g. Hộ tịch, Đất đai."""

    code = models.CharField("mã lĩnh vực", max_length=20, unique=True, help_text="Dạng MX1X2-LV, ví dụ G09-TP01")
    name = models.CharField("tên lĩnh vực", max_length=255)
    managing_sector = models.CharField("cơ quan quản lý ngành", max_length=255, blank=True)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ProcedureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def at_level(self, level: str):
        return self.filter(**{LEVEL_FLAGS[Level(level)]: True})


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) as published in the catalogue."""

    code = models.CharField(
        "mã thủ tục",
        max_length=30,
        unique=True,
        help_text="Số thủ tục quốc gia và mã cơ quan, ví dụ 1.001193.000.00.00.H99",
    )
    name = models.CharField("tên thủ tục", max_length=1000)
    field = models.ForeignKey(Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures")
    level_province = models.BooleanField("cấp tỉnh", default=False)
    level_department = models.BooleanField("cấp sở, ban, ngành", default=False)
    level_district = models.BooleanField("cấp huyện", default=False)
    level_commune = models.BooleanField("cấp xã", default=False)
    agencies = models.ManyToManyField(
        "organisations.Organisation", verbose_name="cơ quan thực hiện", related_name="procedures", blank=True
    )
    online_level = models.CharField("mức độ dịch vụ công trực tuyến", max_length=12, choices=OnlineLevel.choices)
    mot_phan_reason = models.TextField(
        "lý do chỉ cung cấp một phần trực tuyến", blank=True, help_text="Bắt buộc với dịch vụ một phần từ 01/7/2026"
    )
    for_citizens = models.BooleanField("công dân", default=False)
    for_businesses = models.BooleanField("doanh nghiệp", default=False)
    for_organisations = models.BooleanField("tổ chức", default=False)
    channel_in_person = models.BooleanField("nộp trực tiếp", default=False)
    channel_online = models.BooleanField("nộp trực tuyến", default=False)
    channel_post = models.BooleanField("nộp qua bưu chính công ích", default=False)
    steps = models.TextField("trình tự thực hiện", blank=True)
    requirements = models.TextField("yêu cầu, điều kiện", blank=True)
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    result_description = models.TextField("kết quả thực hiện", blank=True)
    is_active = models.BooleanField("đang áp dụng", default=True)
    # Folded copy of name and code (egov.catalogue.text.fold), kept by the service.
    search_text = models.CharField("chuỗi tìm kiếm", max_length=1100, db_index=True, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["is_active", "code"], name="procedure_active_code_idx"),
            models.Index(fields=["online_level", "code"], name="procedure_online_code_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level_province=True)
                | Q(level_department=True)
                | Q(level_district=True)
                | Q(level_commune=True),
                name="procedure_has_a_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def levels(self) -> list[str]:
        return [str(level) for level, flag in LEVEL_FLAGS.items() if getattr(self, flag)]

    @property
    def applicant_types(self) -> list[str]:
        return [str(kind) for kind, flag in APPLICANT_FLAGS.items() if getattr(self, flag)]

    @property
    def channels(self) -> list[int]:
        return [int(channel) for channel, flag in CHANNEL_FLAGS.items() if getattr(self, flag)]


class ProcedureDuration(models.Model):
    """The legal processing time for one channel."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="durations")
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices)
    amount = models.DecimalField("thời hạn", max_digits=7, decimal_places=2)
    unit = models.CharField("đơn vị tính", max_length=15, choices=DurationUnit.choices)
    note = models.CharField("ghi chú", max_length=1000, blank=True)

    class Meta:
        verbose_name = "thời hạn giải quyết"
        verbose_name_plural = "thời hạn giải quyết"
        ordering = ["procedure", "channel"]
        constraints = [models.UniqueConstraint(fields=["procedure", "channel"], name="procedure_duration_per_channel")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.amount.normalize():f} {self.get_unit_display().lower()}"


class ProcedureComponent(models.Model):
    """A paper of the dossier (thành phần hồ sơ) and how many of each kind of copy."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên thành phần", max_length=500)
    originals = models.PositiveSmallIntegerField("bản chính", default=0)
    certified_copies = models.PositiveSmallIntegerField("bản sao chứng thực", default=0)
    photocopies = models.PositiveSmallIntegerField("bản sao", default=0)
    required = models.BooleanField("bắt buộc", default=True)
    template = models.FileField("mẫu đơn, tờ khai", upload_to="catalogue/templates/", max_length=255, blank=True)
    note = models.CharField("ghi chú", max_length=1000, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        # No unique (procedure, order): the service renumbers kept rows in place (their ids are
        # referenced by dossiers), and a swap would trip a non-deferred unique check mid-statement.
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_in_person(self) -> bool:
        """A document the applicant shows (xuất trình) to the officer rather than hands in, as the
        national catalogue names it ("Giấy tờ tùy thân ... (xuất trình)"): not an upload online."""
        return "xuất trình" in self.name.lower()


class ProcedureFee(models.Model):
    """A fee (phí) or charge (lệ phí), in whole đồng."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField("thứ tự")
    kind = models.CharField("loại", max_length=10, choices=FeeKind.choices)
    name = models.CharField("tên", max_length=500)
    amount = models.PositiveBigIntegerField("mức thu (đồng)")
    note = models.CharField("ghi chú", max_length=1000, blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="procedure_fee_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}: {self.amount:,} đồng".replace(",", ".")


class ProcedureResult(models.Model):
    """A paper the applicant receives (giấy tờ kết quả)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="results")
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên giấy tờ kết quả", max_length=500)

    class Meta:
        verbose_name = "kết quả"
        verbose_name_plural = "kết quả"
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="procedure_result_order")]

    def __str__(self) -> str:
        return self.name


class ProcedureVersion(models.Model):
    """What a procedure says from a date on: a decision publishing it (quyết định công bố) changes
    its fees, components or legal time from ``effective_from``.

    ``content`` is the whole procedure in the JSON exchange form (``specs.spec_to_dict``). The
    procedure's own rows always hold the version in force; a version with a later date waits,
    ``applied_at`` empty, until :func:`egov.catalogue.versions.apply_due_versions` writes it.
    Dossiers point at the version they were received under.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("phiên bản")
    effective_from = models.DateField("có hiệu lực từ ngày")
    decision = models.CharField("quyết định công bố", max_length=300, blank=True)
    content = models.JSONField("nội dung")
    applied_at = models.DateTimeField("áp dụng lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        ordering = ["procedure", "number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number"),
            models.UniqueConstraint(fields=["procedure", "effective_from"], name="procedure_version_date"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.effective_from:%d/%m/%Y})"
