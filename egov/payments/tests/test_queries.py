"""Query counts of the payment pages and the gateway's notification (IPN): starting a payment, the
return page, a first and a repeated IPN. (The reconciliation page: test_reconciliation.py.)"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egov.payments import sandbox
from egov.payments.models import OrderStatus, PaymentOrder
from egov.payments.tests.conftest import SECRET

pytestmark = pytest.mark.django_db


def _queries(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


def test_start_return_and_ipn(client, dossier, officers):
    client.force_login(officers["desk"])
    client.get("/can-bo/doi-soat-thanh-toan/")  # the first request of a session also marks its second factor

    started, start = _queries(lambda: client.post(f"/thanh-toan/{dossier.code}/"))
    assert started.status_code == 302
    sent = dict(parse_qsl(urlsplit(started["Location"]).query))
    answer = sandbox.gateway_response(sent, pay=True, secret=SECRET)

    gateway = Client()  # the IPN comes from the gateway's server: no session
    ipn, first = _queries(lambda: gateway.get("/api/v1/payments/ipn", answer))
    assert ipn.json()["RspCode"] == "00"
    again, repeated = _queries(lambda: gateway.get("/api/v1/payments/ipn", answer))
    assert again.json()["RspCode"] == "02"
    back, shown = _queries(lambda: client.get("/thanh-toan/ket-qua/", answer))
    assert back.status_code == 200
    assert PaymentOrder.objects.get().status == OrderStatus.PAID

    # Start (officer): session, user, the dossier, then in a savepoint the dossier locked, grants, the
    # dossier's order count, the order, its event and the audit record (savepoint, chain head, insert,
    # head update, release), release; the sliding session (3).
    assert start == 18
    # First IPN (paid): in a savepoint the order, the order locked, the IPN count, record_payment on
    # the dossier (two savepoints: the dossier locked, saved, its version, its event, the audit record
    # (5)), the order saved, the order's audit record (5), its event, release.
    assert first == 25
    # A repeated IPN: in a savepoint the order, the order locked, the IPN count, its event, release.
    assert repeated == 6
    # The return page (the citizen's browser): session, user, in a savepoint the order, its
    # return_verified_at, its event, release; the back-office check; the sliding session (3).
    assert shown == 11
