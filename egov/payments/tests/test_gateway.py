"""The signature scheme, checked against a value computed independently with hmac/hashlib."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

from egov.payments import gateway

PARAMS = {
    "vnp_TxnRef": "H98-270301-0001-1",
    "vnp_Amount": "5000000",
    "vnp_OrderInfo": "Nop phi ho so",
    "vnp_ReturnUrl": "https://dvc.test/thanh-toan/ket-qua/",
    "vnp_TmnCode": "TESTTMN1",
}


def test_sign_is_hmac_sha512_over_the_sorted_urlencoded_params_without_hash_fields():
    text = (
        "vnp_Amount=5000000&vnp_OrderInfo=Nop+phi+ho+so&vnp_ReturnUrl=https%3A%2F%2Fdvc.test%2Fthanh-toan%2Fket-qua%2F"
        "&vnp_TmnCode=TESTTMN1&vnp_TxnRef=H98-270301-0001-1"
    )
    expected = hmac.new(b"secret", text.encode(), hashlib.sha512).hexdigest()

    assert gateway.canonical(PARAMS) == text
    assert gateway.sign(PARAMS, "secret") == expected
    assert gateway.sign(PARAMS | {"vnp_SecureHash": "x", "vnp_SecureHashType": "HmacSHA512"}, "secret") == expected


def test_verify_accepts_the_signature_and_rejects_tampering_wrong_secret_and_missing_hash():
    signed = gateway.signed(PARAMS, "secret")

    assert gateway.verify(signed, "secret")
    assert gateway.verify(signed | {"vnp_SecureHash": signed["vnp_SecureHash"].upper()}, "secret")
    assert not gateway.verify(signed | {"vnp_Amount": "100"}, "secret")
    assert not gateway.verify(signed, "other")
    assert not gateway.verify(PARAMS, "secret")
    assert not gateway.verify(signed | {"vnp_SecureHash": "đ"}, "secret")


def test_build_payment_url_carries_the_signed_params():
    url = gateway.build_payment_url("https://pay.test/vpcpay.html", PARAMS, "secret")
    query = dict(parse_qsl(urlsplit(url).query))

    assert url.startswith("https://pay.test/vpcpay.html?")
    assert gateway.verify(query, "secret")
    assert {k: query[k] for k in PARAMS} == PARAMS
