"""A small known dataset for the measures, computed by hand in the tests.

Window of month 2027-03 (NĐ 09/2019): 15/2/2027 – 14/3/2027. The clock stands at 12/3/2027 09:00.
All dossiers of the Department of Justice are due 5/3/2027 17:00.

| dossier | agency  | received | finished       | channel | fee    | payment       | files      | rating        |
|---------|---------|----------|----------------|---------|--------|---------------|------------|---------------|
| d1      | justice | 1/3      | 4/3 (early)    | counter | 50,000 | paid online   | one        | very satisfied|
| d2      | justice | 1/3      | 5/3 18:00 (on) | online  | 50,000 | pending only  | one reused | unsatisfied   |
| d3      | justice | 1/3      | 6/3 (late)     | online  | 0      |               |            | satisfied     |
| d4      | justice | 1/3      | open, overdue  | counter | 50,000 |               |            |               |
| d5      | finance | 1/3      | 3/3 (early)    | online  | 0      |               |            |               |
| d6      | justice | 1/2 (before the window) | 2/3 (late, due 5/2) | counter | 0 | |   |               |

Feedback to the Department of Justice, due 10/3: f1 answered 9/3 (on time), f2 answered 11/3 (late),
f3 unanswered (past due), f4 created 11/3, due 20/3, unanswered (not yet due: not counted).
"""

from __future__ import annotations

import pytest

from egov.dossiers.tests.conftest import (  # noqa: F401  (fixtures re-used from the dossiers tests)
    MONDAY_9,
    _pki_and_media,
    clock,
    officers,
    receive,
    vn,
    world,
)

NOW = vn(2027, 3, 12, 9)
DUE = vn(2027, 3, 5, 17)


def _file(dossier, *, reused=False):
    from egov.dossiers.models import DossierFile

    component = dossier.components.order_by("order", "pk").first()
    return DossierFile.objects.create(
        component=component,
        file="dossiers/test.pdf",
        original_name="test.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        reused=reused,
        reused_from="kho" if reused else "",
    )


def _feedback(tree, code, *, created, due, answered=None):
    from egov.feedback.models import Feedback, FeedbackStatus

    return Feedback.objects.create(
        code=code,
        agency=tree["justice"],
        handling_unit=tree["justice_desk"],
        sender_name="Trần Thị Bình",
        title=f"Phản ánh {code}",
        content="Nội dung",
        created_at=created,
        due_at=due,
        answered_at=answered,
        answer="Trả lời" if answered else "",
        status=FeedbackStatus.ANSWERED if answered else FeedbackStatus.RECEIVED,
    )


@pytest.fixture
def dataset(world, officers, clock):  # noqa: F811
    from egov.dossiers.models import Dossier
    from egov.dossiers.statuses import Status
    from egov.feedback.models import Rating
    from egov.payments.models import OrderStatus, PaymentOrder

    d = {f"d{i}": receive(world, officers["desk"]) for i in range(1, 7)}
    Dossier.objects.filter(pk__in=[x.pk for x in d.values()]).update(received_at=MONDAY_9, due_at=DUE)

    def set_(name, **fields):
        Dossier.objects.filter(pk=d[name].pk).update(**fields)

    set_("d1", status=Status.RETURNED, finished_at=vn(2027, 3, 4, 10), channel=1, fee_amount=50000)
    set_("d2", status=Status.DONE, finished_at=vn(2027, 3, 5, 18), channel=2, fee_amount=50000)
    set_("d3", status=Status.RETURNED, finished_at=vn(2027, 3, 6, 9), channel=2, fee_amount=0)
    set_("d4", status=Status.PROCESSING, channel=1, fee_amount=50000)
    set_("d5", agency=world["finance"], status=Status.DONE, finished_at=vn(2027, 3, 3, 9), channel=2, fee_amount=0)
    set_(
        "d6",
        received_at=vn(2027, 2, 1, 9),
        due_at=vn(2027, 2, 5, 17),
        status=Status.RETURNED,
        finished_at=vn(2027, 3, 2, 9),
        channel=1,
        fee_amount=0,
    )
    for x in d.values():
        x.refresh_from_db()
    PaymentOrder.objects.create(dossier=d["d1"], order_id="T1", amount=50000, status=OrderStatus.PAID, gateway="test")
    PaymentOrder.objects.create(
        dossier=d["d2"], order_id="T2", amount=50000, status=OrderStatus.PENDING, gateway="test"
    )
    _file(d["d1"])
    _file(d["d2"], reused=True)
    for name, value in (("d1", "very_satisfied"), ("d2", "unsatisfied"), ("d3", "satisfied")):
        Rating.objects.create(dossier=d[name], agency=world["justice"], value=value, created_at=vn(2027, 3, 8, 10))
    f = {
        "f1": _feedback(world, "PA1", created=vn(2027, 3, 2), due=vn(2027, 3, 10, 17), answered=vn(2027, 3, 9)),
        "f2": _feedback(world, "PA2", created=vn(2027, 3, 2), due=vn(2027, 3, 10, 17), answered=vn(2027, 3, 11)),
        "f3": _feedback(world, "PA3", created=vn(2027, 3, 2), due=vn(2027, 3, 10, 17)),
        "f4": _feedback(world, "PA4", created=vn(2027, 3, 11), due=vn(2027, 3, 20, 17)),
    }
    clock.now = NOW
    return d | f


@pytest.fixture
def qd766(db):
    from egov.reports.models import IndicatorSet

    return IndicatorSet.objects.get(code="qd766", version=1)


@pytest.fixture
def citizen(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="congdan", password="Mk-thu-nghiem-2026", kind="citizen")
