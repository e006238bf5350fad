"""The measures indicator sets combine (DOMAIN §6), each implemented once here.

A measure counts rows of one table in a period's window: a **denominator** (the rows it is a share
of) and a **numerator** (those that meet it). :func:`counts` answers for every agency at once in one
grouped query; :meth:`Measure.compute` answers for one unit's subtree and gives the rows behind the
figure (:meth:`Measure.rows`) for the drill-down. The Vietnamese formula travels with the result, so
every figure on a page can say how it was computed.

On time (DOMAIN §5) is decided as the dossiers app decides it (``dossiers.selectors.timeliness``):
the Vietnam date the dossier was finished against the date it was due. Paused time (waiting for a
supplement or for payment) never counts against the agency because the dossiers app moves the due
date by it, under the rule set's policy (restart or extend); the share is over the dossiers finished
in the window, whatever their reception date.

Not measured here: procedures published on time (the catalogue keeps when a version takes effect,
not the date of the decision announcing it nor when it was due to be published).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.dossiers.models import Dossier, DossierFile
from egov.dossiers.statuses import Channel, Status
from egov.feedback.models import Feedback, RatingValue
from egov.organisations.models import Organisation
from egov.payments.models import OrderStatus, PaymentOrder
from egov.reports.periods import Period

__all__ = ["MEASURES", "Measure", "Result", "counts", "get", "share"]

FINISHED = (Status.DONE, Status.RETURNED)
PARTS = ("numerator", "denominator", "rest")


def share(numerator: int, denominator: int) -> Decimal | None:
    """The percentage, to two decimals (half up); None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    formula: str  # Vietnamese, shown next to every figure
    numerator_label: str
    denominator_label: str
    source: str  # "dossier" or "feedback": what the drill-down lists
    _base: Callable[[Period], QuerySet]
    _denominator: Q | Callable[[], Q]
    numerator: Q
    agency_path: str = "agency__path"

    @property
    def denominator(self) -> Q:
        return self._denominator() if callable(self._denominator) else self._denominator

    def base(self, period: Period) -> QuerySet:
        """Every row of the measure's table in the period's window, any agency."""
        return self._base(period)

    def rows(self, period: Period, *, paths: Iterable[str] | None = None, part: str = "denominator") -> QuerySet:
        """The rows behind a figure: the ``numerator``, the ``denominator`` or the ``rest``
        (denominator rows that miss the numerator: the late ones for on-time), in the subtrees of
        ``paths`` (None: everywhere)."""
        if part not in PARTS:
            raise ValueError(part)
        qs = self.base(period).filter(self.denominator)
        if paths is not None:
            # The agencies of the subtrees as an id subquery: PostgreSQL plans a prefix match on the
            # joined organisation's path badly (a nested loop over the window's rows).
            condition = Q(pk__in=[])
            for path in paths:
                condition |= Q(path__startswith=path)
            agency = self.agency_path.removesuffix("__path")
            qs = qs.filter(**{f"{agency}_id__in": Organisation.objects.filter(condition).values("pk")})
        if part == "numerator":
            qs = qs.filter(self.numerator)
        elif part == "rest":
            qs = qs.exclude(self.numerator)
        return qs

    def compute(self, period: Period, *, paths: Iterable[str] | None = None) -> Result:
        paths = list(paths) if paths is not None else None
        rows = self.rows(period, paths=paths)
        totals = rows.aggregate(den=Count("pk"), num=Count("pk", filter=self.numerator))
        return Result(self, totals["num"], totals["den"], rows)


@dataclass(frozen=True)
class Result:
    measure: Measure
    numerator: int
    denominator: int
    queryset: QuerySet | None = None  # the denominator's rows (None when summed from ``counts``)

    @property
    def value(self) -> Decimal | None:
        return share(self.numerator, self.denominator)

    @property
    def formula(self) -> str:
        return str(self.measure.formula)


def _window(field: str, period: Period) -> Q:
    low, high = period.bounds()
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def _finished(period: Period) -> QuerySet:
    tz = timezone.get_current_timezone()
    return Dossier.objects.filter(_window("finished_at", period), status__in=FINISHED).annotate(
        finished_on=TruncDate("finished_at", tzinfo=tz), due_on=TruncDate("due_at", tzinfo=tz)
    )


def _received(period: Period) -> QuerySet:
    return Dossier.objects.filter(_window("received_at", period))


def _received_with_payments(period: Period) -> QuerySet:
    paid = PaymentOrder.objects.filter(dossier=OuterRef("pk"), status=OrderStatus.PAID)
    return _received(period).annotate(paid_online=Exists(paid))


def _received_with_files(period: Period) -> QuerySet:
    files = DossierFile.objects.filter(component__dossier=OuterRef("pk"))
    return _received(period).annotate(has_file=Exists(files), has_reused=Exists(files.filter(reused=True)))


def _rated(period: Period) -> QuerySet:
    return Dossier.objects.filter(_window("rating__created_at", period))


def _feedback(period: Period) -> QuerySet:
    return Feedback.objects.filter(_window("created_at", period))


def _feedback_due() -> Q:
    # Only what was due by now counts: an unanswered item not yet due is neither late nor on time.
    return Q(answered_at__isnull=False) | Q(due_at__lt=timezone.now())


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in [
        Measure(
            code="on_time",
            name=_("Tỷ lệ hồ sơ giải quyết đúng hạn"),
            formula=_(
                "Số hồ sơ giải quyết xong trước hoặc đúng hạn ÷ số hồ sơ giải quyết xong trong kỳ × 100. "
                "Thời gian tạm dừng (chờ bổ sung, chờ nộp phí) không tính: hạn trả đã được dời theo bộ quy tắc."
            ),
            numerator_label=_("trước hạn và đúng hạn"),
            denominator_label=_("đã giải quyết xong"),
            source="dossier",
            _base=_finished,
            _denominator=Q(due_at__isnull=False),
            numerator=Q(finished_on__lte=F("due_on")),
        ),
        Measure(
            code="online",
            name=_("Tỷ lệ hồ sơ nộp trực tuyến"),
            formula=_("Số hồ sơ nộp trực tuyến ÷ số hồ sơ tiếp nhận trong kỳ × 100."),
            numerator_label=_("nộp trực tuyến"),
            denominator_label=_("tiếp nhận"),
            source="dossier",
            _base=_received,
            _denominator=Q(),
            numerator=Q(channel=Channel.ONLINE),
        ),
        Measure(
            code="online_payment",
            name=_("Tỷ lệ hồ sơ có phí, lệ phí được thanh toán trực tuyến"),
            formula=_(
                "Số hồ sơ có phí, lệ phí đã thanh toán trực tuyến ÷ số hồ sơ có phí, lệ phí tiếp nhận trong kỳ × 100."
            ),
            numerator_label=_("thanh toán trực tuyến"),
            denominator_label=_("có phí, lệ phí"),
            source="dossier",
            _base=_received_with_payments,
            _denominator=Q(fee_amount__gt=0),
            numerator=Q(paid_online=True),
        ),
        Measure(
            code="digitised",
            name=_("Tỷ lệ hồ sơ được số hóa"),
            formula=_("Số hồ sơ có thành phần ở dạng tệp điện tử ÷ số hồ sơ tiếp nhận trong kỳ × 100."),
            numerator_label=_("có tệp điện tử"),
            denominator_label=_("tiếp nhận"),
            source="dossier",
            _base=_received_with_files,
            _denominator=Q(),
            numerator=Q(has_file=True),
        ),
        Measure(
            code="reused",
            name=_("Tỷ lệ hồ sơ tái sử dụng dữ liệu"),
            formula=_(
                "Số hồ sơ có thành phần lấy lại từ kho dữ liệu hoặc kết quả đã cấp ÷ số hồ sơ tiếp nhận trong kỳ × 100."
            ),
            numerator_label=_("tái sử dụng"),
            denominator_label=_("tiếp nhận"),
            source="dossier",
            _base=_received_with_files,
            _denominator=Q(),
            numerator=Q(has_reused=True),
        ),
        Measure(
            code="satisfaction",
            name=_("Tỷ lệ hài lòng"),
            formula=_("Số đánh giá Rất hài lòng hoặc Hài lòng ÷ số đánh giá nhận được trong kỳ × 100."),
            numerator_label=_("hài lòng, rất hài lòng"),
            denominator_label=_("được đánh giá"),
            source="dossier",
            _base=_rated,
            _denominator=Q(),
            numerator=Q(rating__value__in=(RatingValue.VERY_SATISFIED, RatingValue.SATISFIED)),
        ),
        Measure(
            code="feedback_on_time",
            name=_("Tỷ lệ phản ánh, kiến nghị được trả lời đúng hạn"),
            formula=_(
                "Số phản ánh, kiến nghị trả lời trong hạn ÷ số phản ánh, kiến nghị nhận trong kỳ đã trả lời "
                "hoặc đã đến hạn × 100."
            ),
            numerator_label=_("trả lời đúng hạn"),
            denominator_label=_("đã trả lời hoặc đã đến hạn"),
            source="feedback",
            _base=_feedback,
            _denominator=_feedback_due,
            numerator=Q(answered_at__isnull=False, answered_at__lte=F("due_at")),
        ),
    ]
}


def get(code: str) -> Measure:
    return MEASURES[code]


def counts(measure: Measure, period: Period, *, paths: Iterable[str] | None = None) -> dict[str, tuple[int, int]]:
    """Per agency (by materialised path): (numerator, denominator), in one grouped query."""
    qs = measure.rows(period, paths=paths)
    grouped = (
        qs.values(measure.agency_path).annotate(num=Count("pk", filter=measure.numerator), den=Count("pk")).order_by()
    )
    return {r[measure.agency_path]: (r["num"], r["den"]) for r in grouped}
