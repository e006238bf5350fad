"""Organisations as a materialised-path tree (django-treebeard), so "a unit and its subtree" is a
single indexed ``path LIKE 'prefix%'`` filter in SQL.

Organisations are never deleted: they end (``valid_to``) and may have successors
(:class:`Succession`), so records filed with an old agency keep pointing at it.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class Kind(models.TextChoices):
    CENTRAL = "central", "Cơ quan trung ương"
    PROVINCE = "province", "Tỉnh, thành phố"
    DEPARTMENT = "department", "Sở, ban, ngành"
    DISTRICT = "district", "Huyện, thị xã, thành phố thuộc tỉnh"
    COMMUNE = "commune", "Xã, phường, thị trấn"
    DIVISION = "division", "Phòng, đơn vị trực thuộc"
    ONE_STOP = "one_stop", "Bộ phận Một cửa"
    SERVICE_CENTRE = "service_centre", "Trung tâm Phục vụ hành chính công"
    OTHER = "other", "Tổ chức khác"


# Kinds that are agencies in their own right (they own procedures and receive dossiers).
AGENCY_KINDS = frozenset({Kind.CENTRAL, Kind.PROVINCE, Kind.DEPARTMENT, Kind.DISTRICT, Kind.COMMUNE, Kind.OTHER})
RECEIVING_KINDS = frozenset({Kind.ONE_STOP, Kind.SERVICE_CENTRE})


class OrganisationQuerySet(MP_NodeQuerySet):
    def active_on(self, day: date):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def subtree_of(self, *roots: Organisation):
        """The roots and everything below them, as one SQL filter."""
        condition = Q(pk__in=[])
        for root in roots:
            condition |= Q(path__startswith=root.path)
        return self.filter(condition)

    def agencies(self):
        return self.filter(kind__in=AGENCY_KINDS)

    def children_of(self, parent: Organisation):
        """Direct children, read from the paths (not from the cached child count)."""
        return self.filter(path__startswith=parent.path, depth=parent.depth + 1)


class OrganisationManager(MP_NodeManager.from_queryset(OrganisationQuerySet)):
    def get_queryset(self):
        return OrganisationQuerySet(self.model, using=self._db).order_by("path")


class Organisation(MP_Node):
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    # NĐ 30/2020 Phụ lục III: the abbreviation in a document's symbol ("15/QĐ-UBND", "05/UBND-VX").
    abbreviation = models.CharField(
        "chữ viết tắt trong ký hiệu văn bản",
        max_length=20,
        blank=True,
        help_text="Theo Nghị định 30/2020/NĐ-CP, ví dụ UBND, STP, VP",
    )
    kind = models.CharField("loại", max_length=20, choices=Kind.choices, db_index=True)
    code = models.CharField(
        "mã định danh (QĐ 20/2020)",
        max_length=35,
        unique=True,
        null=True,
        blank=True,
        help_text="Cấp 1 bên trái, ví dụ H55.242",
    )
    legacy_code = models.CharField(
        "mã định danh (QCVN 102:2016)",
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        help_text="13 ký tự, cấp 1 bên phải, ví dụ 000.00.00.H41",
    )
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến (hết ngày)", null=True, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    email = models.EmailField("thư điện tử", blank=True)

    # No node_order_by: new children are appended, so existing paths never change on insert (sorted
    # insertion renumbers siblings, which would make every path held in memory stale).
    objects = OrganisationManager()

    class Meta:
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__isnull=False) | Q(legacy_code__isnull=False), name="organisation_has_a_code"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="organisation_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["kind", "valid_to"], name="org_kind_valid_to_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        """The code to print and exchange: the QĐ 20/2020 form when there is one."""
        return self.code or self.legacy_code or ""

    @property
    def is_agency(self) -> bool:
        return self.kind in AGENCY_KINDS

    def is_active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


class Succession(models.Model):
    """``predecessor`` ended and ``successor`` took over its duties from ``effective_on``."""

    class Reason(models.TextChoices):
        MERGER = "merger", "Hợp nhất, sáp nhập"
        DISSOLUTION = "dissolution", "Giải thể, kết thúc hoạt động"
        RENAME = "rename", "Đổi tên"

    predecessor = models.ForeignKey(
        Organisation, verbose_name="đơn vị cũ", on_delete=models.PROTECT, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Organisation,
        verbose_name="đơn vị kế thừa",
        on_delete=models.PROTECT,
        related_name="successions_in",
        null=True,
        blank=True,
    )
    reason = models.CharField("lý do", max_length=20, choices=Reason.choices)
    effective_on = models.DateField("ngày hiệu lực")
    legal_basis = models.CharField("căn cứ pháp lý", max_length=300, blank=True)

    class Meta:
        verbose_name = "kế thừa đơn vị"
        verbose_name_plural = "kế thừa đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor or '∅'} ({self.effective_on:%d/%m/%Y})"
