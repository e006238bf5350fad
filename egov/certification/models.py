"""Electronic certified copies (chứng thực bản sao điện tử từ bản chính, NĐ 23/2015 and NĐ 45/2020,
DOMAIN §14) and the register they are numbered in, per certifying agency and year."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RegisterCounter(models.Model):
    """The last number of an agency's register of certified copies for a year.

    TODO(numbering): switch to the shared numbering service (``egov.core.numbering``) once it is in
    main; this counter is taken with one UPDATE, like the dossier sequence."""

    agency = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="certification_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class CertifiedCopy(models.Model):
    """One electronic copy certified from an original the applicant presented in person: the scan,
    signed with the certifying agency's key, its number in the register and the fee collected."""

    agency = models.ForeignKey(
        "organisations.Organisation", verbose_name="cơ quan chứng thực", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "organisations.Organisation", verbose_name="đơn vị thực hiện", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số chứng thực")
    document_name = models.CharField("tên giấy tờ, văn bản", max_length=300)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người yêu cầu", on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField("họ tên người yêu cầu", max_length=200)
    applicant_identity = models.CharField("số định danh", max_length=20)
    pages = models.PositiveSmallIntegerField("số trang")
    fee_amount = models.PositiveIntegerField("phí chứng thực (đồng)")
    original_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(upload_to="certified/%Y/%m/", max_length=255)
    sha256 = models.CharField(max_length=64)
    certified_at = models.DateTimeField("ngày chứng thực")
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người thực hiện chứng thực", on_delete=models.PROTECT, related_name="+"
    )
    personal_document_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "bản sao chứng thực điện tử"
        verbose_name_plural = "sổ chứng thực bản sao điện tử"
        ordering = ["agency", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "number"], name="certified_copy_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.year} — {self.document_name}"

    @property
    def book(self) -> str:
        """Quyển số of the register (TT 01/2020/TT-BTP style: year and SCT/BS)."""
        return f"{self.year}-SCT/BS"
