"""The officers' reconciliation page: scoped by the policy, mismatches shown, constant query count."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.dossiers.models import Dossier
from egov.dossiers.tests.conftest import receive
from egov.payments import sandbox, services
from egov.payments.tests.conftest import SECRET

PERIOD = {"tu": "2027-03-01", "den": "2027-03-01"}


def _pay(url: str) -> None:
    services.handle_ipn(sandbox.gateway_response(dict(parse_qsl(urlsplit(url).query)), pay=True, secret=SECRET))


def test_lists_orders_and_flags_a_paid_order_whose_dossier_is_not_marked_paid(client, dossier, officers):
    paid, url = services.create_order(by=officers["desk"], dossier=dossier)
    _pay(url)
    Dossier.objects.filter(pk=dossier.pk).update(fee_paid_at=None)  # e.g. undone by hand
    client.force_login(officers["leader"])

    response = client.get("/can-bo/doi-soat-thanh-toan/", PERIOD)

    assert response.status_code == 200
    body = response.content.decode()
    assert paid.order_id in body
    assert [(r.order.order_id, r.mismatch) for r in response.context["mismatches"]] == [
        (paid.order_id, "Đã thu tiền nhưng hồ sơ chưa ghi nhận nộp phí.")
    ]


def test_another_agencys_officer_sees_no_order(client, dossier, officers):
    services.create_order(by=officers["desk"], dossier=dossier)
    client.force_login(officers["other_desk"])

    response = client.get("/can-bo/doi-soat-thanh-toan/", PERIOD)

    assert response.status_code == 200
    assert response.context["rows"] == []


def test_a_bad_period_is_refused(client, officers, world):
    client.force_login(officers["leader"])

    assert client.get("/can-bo/doi-soat-thanh-toan/", {"tu": "x", "den": "2027-03-01"}).status_code == 400


def test_the_sandbox_is_off_when_a_real_gateway_is_configured(client, settings, world):
    settings.EGOV_PAYMENT_GATEWAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"

    assert client.get("/sandbox-gateway/pay/").status_code == 404


def test_the_query_count_does_not_depend_on_the_number_of_orders(client, world, officers, dossier):
    client.force_login(officers["leader"])
    services.create_order(by=officers["desk"], dossier=dossier)
    client.get("/can-bo/doi-soat-thanh-toan/", PERIOD)  # warm the per-process caches

    with CaptureQueriesContext(connection) as one:
        response = client.get("/can-bo/doi-soat-thanh-toan/", PERIOD)
    assert len(response.context["rows"]) == 1

    for _ in range(3):
        other = receive(world, officers["desk"])
        _order, url = services.create_order(by=officers["desk"], dossier=other)
        _pay(url)
    with CaptureQueriesContext(connection) as four:
        response = client.get("/can-bo/doi-soat-thanh-toan/", PERIOD)

    assert len(response.context["rows"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)
    # session, user, positions (grants), orders, back-office check, sliding-session save (3)
    assert len(one.captured_queries) == 8
