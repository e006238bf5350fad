"""Registration through the API: POST /api/v1/auth/register, /verify, /verify/resend."""

from __future__ import annotations

import re

from django.test import Client

from egov.notifications.models import OutboxMessage
from egov.people.models import User

REGISTER, VERIFY, RESEND, TOKEN = (
    "/api/v1/auth/register",
    "/api/v1/auth/verify",
    "/api/v1/auth/verify/resend",
    "/api/v1/auth/token",
)
PASSWORD = "Dang-ky-thu-2026"


def post(url: str, body: dict, client: Client | None = None):
    return (client or Client()).post(url, body, content_type="application/json")


def body(**overrides) -> dict:
    data = {
        "kind": "business",
        "full_name": "Công ty TNHH Sơn Nam Xanh",
        "identity_number": "0101234567",
        "phone": "0912 345 678",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "accepted_terms": True,
    }
    data.update(overrides)
    return data


def code_in_outbox() -> str:
    message = OutboxMessage.objects.filter(kind="account.verification_code").order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_register_verify_then_get_a_token(db):
    response = post(REGISTER, body())

    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["channel"], answer["recipient"]) == ("sms", "+84 9** *** 678")
    assert set(answer) == {"verification_token", "channel", "recipient", "expires_at", "resend_after"}
    assert User.objects.get(username="0101234567").is_active is False
    # Not active yet: no token.
    assert post(TOKEN, {"username": "0101234567", "password": PASSWORD}).status_code == 401

    verified = post(VERIFY, {"verification_token": answer["verification_token"], "code": code_in_outbox()})

    assert (verified.status_code, verified.json()) == (
        200,
        {"username": "0101234567", "kind": "business", "is_active": True},
    )
    assert post(TOKEN, {"username": "0101234567", "password": PASSWORD}).status_code == 200


def test_field_errors_are_a_422_in_vietnamese(db):
    response = post(
        REGISTER,
        body(identity_number="12", phone="", email="", password_confirmation="x", accepted_terms=False),
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Dữ liệu không hợp lệ.",
        "errors": [
            {
                "field": "identity_number",
                "message": "Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số (dạng 0101234567-001).",
            },
            {
                "field": "email",
                "message": "Vui lòng nhập thư điện tử hoặc số điện thoại di động (ít nhất một) để nhận mã xác minh.",
            },
            {"field": "password_confirmation", "message": "Mật khẩu nhập lại không khớp."},
            {"field": "accepted_terms", "message": "Bạn cần đồng ý với điều khoản sử dụng để đăng ký."},
        ],
    }
    assert User.objects.count() == 0


def test_schema_errors_are_vietnamese_too(db):
    response = post(REGISTER, {"kind": "officer", "full_name": "X"})

    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors["kind"] == "Giá trị phải là một trong: 'citizen' hoặc 'business'."
    assert errors["identity_number"] == "Thiếu trường bắt buộc."


def test_a_registered_number_is_a_422_on_the_field(citizen):
    response = post(REGISTER, body(kind="citizen", full_name="Người khác", identity_number="001099012345"))

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "identity_number",
            "message": (
                "Số định danh cá nhân này đã được dùng để đăng ký tài khoản. Nếu đó là tài khoản của bạn, hãy đăng "
                "nhập; nếu bạn chưa từng đăng ký, vui lòng liên hệ Bộ phận Một cửa."
            ),
        }
    ]


def test_a_wrong_code_and_an_unknown_token(db):
    token = post(REGISTER, body()).json()["verification_token"]
    wrong = f"{(int(code_in_outbox()) + 1) % 10**6:06d}"

    response = post(VERIFY, {"verification_token": token, "code": wrong})
    unknown = post(VERIFY, {"verification_token": "khong-co", "code": code_in_outbox()})

    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"field": "code", "message": "Mã xác minh không đúng. Bạn còn 4 lần thử."}],
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["message"].startswith("Yêu cầu xác minh không còn hiệu lực.")
    assert User.objects.get().is_active is False


def test_resend_is_a_429_within_the_minute_then_works(db, settings):
    token = post(REGISTER, body()).json()["verification_token"]

    throttled = post(RESEND, {"verification_token": token})
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"

    settings.EGOV_VERIFICATION_RESEND_SECONDS = 0
    again = post(RESEND, {"verification_token": token})
    assert again.status_code == 200
    assert again.json()["verification_token"] == token
    assert OutboxMessage.objects.count() == 2
    assert post(VERIFY, {"verification_token": token, "code": code_in_outbox()}).status_code == 200


def test_registration_through_the_api_is_rate_limited(db, settings):
    settings.EGOV_REGISTRATION_RATE = "1/hour"
    post(REGISTER, body(identity_number="x"))

    response = post(REGISTER, body())

    assert (response.status_code, response.json()) == (
        429,
        {"code": "throttled", "message": "Bạn đã gửi quá nhiều yêu cầu đăng ký. Vui lòng thử lại sau."},
    )
