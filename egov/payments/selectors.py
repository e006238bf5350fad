"""Reads of payment orders: the officers' reconciliation (đối soát) of online payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from egov.access import policy
from egov.calendar.engine import VIETNAM_TZ
from egov.payments.models import OrderStatus, PaymentOrder

__all__ = ["ReconciliationRow", "visible_orders", "reconciliation", "default_period"]


@dataclass(frozen=True)
class ReconciliationRow:
    order: PaymentOrder
    mismatch: str  # "" when the order and its dossier agree


def visible_orders(user) -> QuerySet[PaymentOrder]:
    """Orders of dossiers the user may view: by the receiving unit's path or the agency's."""
    base = PaymentOrder.objects.all()
    return policy.scope(user, "dossier.view", base, path_field="dossier__receiving_unit__path") | policy.scope(
        user, "dossier.view", base, path_field="dossier__agency__path"
    )


def _mismatch(order: PaymentOrder) -> str:
    dossier = order.dossier
    if order.status == OrderStatus.PAID:
        if dossier.fee_paid_at is None:
            return "Đã thu tiền nhưng hồ sơ chưa ghi nhận nộp phí."
        if order.amount != dossier.fee_amount:
            return "Số tiền đã thu khác phí của hồ sơ."
        if order.paid_orders > 1:
            return "Hồ sơ có nhiều giao dịch đã thanh toán (thu trùng)."
    elif dossier.fee_paid_at is not None and order.paid_orders == 0 and order.status == OrderStatus.PENDING:
        return "Hồ sơ đã ghi nhận nộp phí nhưng giao dịch trực tuyến chưa thanh toán."
    return ""


def reconciliation(*, user, start: date, end: date) -> list[ReconciliationRow]:
    """Orders created from ``start`` to ``end`` (Vietnam dates, inclusive), newest first, in one query."""
    since = datetime.combine(start, time.min, tzinfo=VIETNAM_TZ)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=VIETNAM_TZ)
    paid_orders = (
        PaymentOrder.objects.filter(dossier=OuterRef("dossier"), status=OrderStatus.PAID)
        .order_by()
        .values("dossier")
        .annotate(n=Count("pk"))
        .values("n")
    )
    orders = (
        visible_orders(user)
        .filter(created_at__gte=since, created_at__lt=until)
        .select_related("dossier")
        .annotate(paid_orders=Coalesce(Subquery(paid_orders, output_field=IntegerField()), 0))
        .order_by("-created_at", "-id")
    )
    return [ReconciliationRow(order=o, mismatch=_mismatch(o)) for o in orders]


def default_period() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=30), today
