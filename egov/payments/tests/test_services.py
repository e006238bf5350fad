"""Create → sandbox gateway → IPN; idempotence; rejected notifications change nothing but are logged."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from egov.audit.models import AuditRecord
from egov.core.errors import Conflict, PermissionDenied
from egov.dossiers.models import Dossier, DossierEvent
from egov.dossiers.tests.conftest import MONDAY_9
from egov.payments import gateway, sandbox, services
from egov.payments.models import PaymentEvent, PaymentOrder
from egov.payments.tests.conftest import SECRET


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def _gateway_answer(url: str, *, pay: bool = True) -> dict[str, str]:
    return sandbox.gateway_response(_query(url), pay=pay, secret=SECRET)


def _state(order: PaymentOrder) -> tuple:
    order.refresh_from_db()
    dossier = Dossier.objects.get(pk=order.dossier_id)
    return (
        order.status,
        order.paid_at,
        order.gateway_txn_no,
        dossier.fee_paid_at,
        dossier.status,
        dossier.version,
        AuditRecord.objects.count(),
        DossierEvent.objects.count(),
        PaymentOrder.objects.count(),
    )


def test_create_order_signs_a_request_for_the_dossier_fee(dossier, officers):
    order, url = services.create_order(by=officers["desk"], dossier=dossier, return_url="https://dvc.test/kq/")
    query = _query(url)

    assert url.startswith("/sandbox-gateway/pay/?")
    assert order.order_id == f"{dossier.code}-1"
    assert order.amount == 50000 and order.status == "pending" and order.gateway == "sandbox"
    assert query["vnp_Amount"] == "5000000"
    assert query["vnp_TxnRef"] == order.order_id
    assert query["vnp_TmnCode"] == "TESTTMN1"
    assert gateway.verify(query, SECRET)
    assert list(PaymentEvent.objects.values_list("kind", "order_id")) == [("create", order.pk)]
    assert AuditRecord.objects.filter(action="payment.create_order", target_id=str(order.pk)).exists()

    second, _ = services.create_order(by=officers["desk"], dossier=dossier)
    assert second.order_id == f"{dossier.code}-2"


def test_create_order_is_refused_to_another_unit_and_when_nothing_is_owed(dossier, officers):
    with pytest.raises(PermissionDenied):
        services.create_order(by=officers["other_desk"], dossier=dossier)
    Dossier.objects.filter(pk=dossier.pk).update(fee_paid_at=MONDAY_9)
    with pytest.raises(Conflict):
        services.create_order(by=officers["desk"], dossier=dossier)
    assert PaymentOrder.objects.count() == 0


def test_sandbox_pay_notifies_marks_paid_records_the_fee_and_redirects_to_the_signed_return(client, dossier, officers):
    order, url = services.create_order(
        by=officers["desk"], dossier=dossier, return_url="http://testserver/thanh-toan/ket-qua/"
    )

    page = client.get(url)
    assert page.status_code == 200
    assert "Thanh toán" in page.content.decode() and "Hủy" in page.content.decode()

    response = client.post("/sandbox-gateway/pay/", _query(url) | {"lua_chon": "pay"})
    assert response.status_code == 302
    back = response["Location"]
    assert back.startswith("http://testserver/thanh-toan/ket-qua/?")
    assert gateway.verify(_query(back), SECRET)

    order.refresh_from_db()
    dossier.refresh_from_db()
    assert order.status == "paid" and order.paid_at == MONDAY_9 and order.ipn_count == 1
    assert order.gateway_txn_no and order.last_error == ""
    assert dossier.fee_paid_at == MONDAY_9
    assert AuditRecord.objects.filter(action="payment.paid").count() == 1
    assert AuditRecord.objects.filter(action="dossier.record_payment").count() == 1

    shown = client.get(back)
    assert shown.status_code == 200
    assert "Thanh toán thành công" in shown.content.decode()
    order.refresh_from_db()
    assert order.return_verified_at == MONDAY_9
    assert list(order.events.values_list("kind", "signature_ok")) == [
        ("create", True),
        ("ipn", True),
        ("return", True),
    ]


def test_sandbox_cancel_marks_the_order_cancelled_and_the_dossier_unpaid(client, dossier, officers):
    order, url = services.create_order(by=officers["desk"], dossier=dossier)

    client.post("/sandbox-gateway/pay/", _query(url) | {"lua_chon": "cancel"})

    order.refresh_from_db()
    dossier.refresh_from_db()
    assert order.status == "cancelled" and dossier.fee_paid_at is None


def test_a_repeated_notification_answers_02_and_changes_nothing(dossier, officers):
    order, url = services.create_order(by=officers["desk"], dossier=dossier)
    answer = _gateway_answer(url)
    assert services.handle_ipn(answer) == {"RspCode": "00", "Message": "Confirm Success"}
    before = _state(order)

    assert services.handle_ipn(answer) == {"RspCode": "02", "Message": "Order already confirmed"}

    assert _state(order) == before
    assert order.ipn_count == 2
    assert list(order.events.filter(kind="ipn").values_list("outcome", flat=True)) == [
        "00 Confirm Success",
        "02 Order already confirmed",
    ]


def test_a_tampered_notification_answers_97_is_logged_and_changes_nothing(dossier, officers):
    order, url = services.create_order(by=officers["desk"], dossier=dossier)
    tampered = _gateway_answer(url) | {"vnp_Amount": "100"}
    before = _state(order)

    assert services.handle_ipn(tampered) == {"RspCode": "97", "Message": "Invalid signature"}

    assert _state(order) == before
    assert order.ipn_count == 0
    event = PaymentEvent.objects.get(kind="ipn")
    assert (event.order_id, event.signature_ok, event.outcome) == (order.pk, False, "97 Invalid signature")
    assert event.params["vnp_Amount"] == "100"


def test_a_wrong_amount_with_a_valid_signature_answers_04(dossier, officers):
    order, url = services.create_order(by=officers["desk"], dossier=dossier)
    wrong = gateway.signed(_gateway_answer(url) | {"vnp_Amount": "100"}, SECRET)

    assert services.handle_ipn(wrong) == {"RspCode": "04", "Message": "Invalid amount"}

    order.refresh_from_db()
    dossier.refresh_from_db()
    assert order.status == "pending" and dossier.fee_paid_at is None
    assert "khác số tiền" in order.last_error


def test_an_unknown_order_answers_01(dossier, officers):
    _order, url = services.create_order(by=officers["desk"], dossier=dossier)
    unknown = gateway.signed(_gateway_answer(url) | {"vnp_TxnRef": "KHONG-CO"}, SECRET)

    assert services.handle_ipn(unknown) == {"RspCode": "01", "Message": "Order not found"}
    assert PaymentEvent.objects.get(kind="ipn").order_ref == "KHONG-CO"


def test_a_paid_order_whose_dossier_was_already_paid_stays_paid_with_the_reason(dossier, officers):
    order, url = services.create_order(by=officers["desk"], dossier=dossier)
    Dossier.objects.filter(pk=dossier.pk).update(fee_paid_at=MONDAY_9)  # paid at the counter meanwhile

    assert services.handle_ipn(_gateway_answer(url))["RspCode"] == "00"

    order.refresh_from_db()
    assert order.status == "paid"
    assert order.last_error.startswith("Chưa ghi nhận vào hồ sơ")


def test_the_ipn_endpoint_answers_json_codes(client, dossier, officers):
    order, url = services.create_order(by=officers["desk"], dossier=dossier)
    answer = _gateway_answer(url)

    assert client.get("/api/v1/payments/ipn", answer).json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert client.post("/api/v1/payments/ipn", answer).json()["RspCode"] == "02"
    assert client.get("/api/v1/payments/ipn", answer | {"vnp_Amount": "1"}).json()["RspCode"] == "97"


def test_a_return_with_a_bad_signature_is_refused_and_marks_nothing(client, dossier, officers):
    order, url = services.create_order(by=officers["desk"], dossier=dossier)
    forged = _gateway_answer(url) | {"vnp_ResponseCode": "00", "vnp_SecureHash": "00"}

    response = client.get("/thanh-toan/ket-qua/", forged)

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == "pending" and order.return_verified_at is None


def test_start_payment_page_redirects_to_the_gateway(client, dossier, officers):
    client.force_login(officers["desk"])

    response = client.post(f"/thanh-toan/{dossier.code}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sandbox-gateway/pay/?")
    assert _query(response["Location"])["vnp_ReturnUrl"] == "http://testserver/thanh-toan/ket-qua/"


def test_a_tampered_notification_or_amount_is_a_security_event(dossier, officers):
    from egov.security.models import SecurityEvent

    order, url = services.create_order(by=officers["desk"], dossier=dossier)
    services.handle_ipn(_gateway_answer(url) | {"vnp_Amount": "100"})
    services.handle_ipn(gateway.signed(_gateway_answer(url) | {"vnp_Amount": "100"}, SECRET))

    assert list(SecurityEvent.objects.order_by("pk").values_list("kind", "detail")) == [
        ("payment_tampered", f"IPN: chữ ký sai (đơn {order.order_id})"),
        ("payment_tampered", f"IPN: số tiền sai (đơn {order.order_id})"),
    ]
