"""API bearer tokens: issue, use, expire, revoke; only the hash is stored."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.people.models import ApiToken, User
from egov.people.tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/auth/me"
REVOKE_URL = "/api/v1/auth/token/revoke"
NOT_AUTHENTICATED = {"code": "not_authenticated", "message": "Cần đăng nhập hoặc mã truy cập (Bearer token) hợp lệ."}


def post_json(client: Client, url: str, body: dict, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def issue(client: Client, **body) -> str:
    response = post_json(client, TOKEN_URL, {"username": "chuyenvien", "password": PASSWORD} | body)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_issue_a_token_and_use_it(specialist, django_assert_num_queries):
    client = Client()
    before = timezone.now()

    # when the officer asks for a token
    response = post_json(client, TOKEN_URL, {"username": "chuyenvien", "password": PASSWORD})

    # then
    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["access_token", "expires_at", "token_type"]
    assert body["token_type"] == "bearer"
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert before + timedelta(hours=12) <= expires_at <= timezone.now() + timedelta(hours=12)
    assert AuditRecord.objects.filter(action="auth.issue_token", actor=specialist).count() == 1

    # and the token opens the "who am I" endpoint, in a fixed number of queries
    with django_assert_num_queries(3):  # token + user, touch last_used_at, positions
        me = Client().get(ME_URL, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "username": "chuyenvien",
        "full_name": "Trần Văn Chuyên",
        "kind": "officer",
        "positions": [
            {"unit_code": "H98.101", "unit_name": "Sở Tư pháp", "role": "specialist", "title": "Chuyên viên"}
        ],
    }
    assert ApiToken.objects.get().last_used_at is not None


def test_only_the_hash_of_the_token_is_stored(specialist):
    raw = issue(Client())

    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:8]
    assert token.user_id == specialist.pk
    stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.concrete_fields])[0]]
    assert all(raw not in value for value in stored)
    assert not any(raw in str(r.after) + str(r.before) + r.target_repr for r in AuditRecord.objects.all())


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            {"username": "chuyenvien", "password": "sai-mat-khau"},
            401,
            {"code": "authentication_failed", "message": "Tên đăng nhập hoặc mật khẩu không đúng."},
        ),
        (
            {"username": "khongco", "password": PASSWORD},
            401,
            {"code": "authentication_failed", "message": "Tên đăng nhập hoặc mật khẩu không đúng."},
        ),
        (
            {"username": "chuyenvien"},
            422,
            {
                "code": "validation_error",
                "message": "Thiếu trường bắt buộc.",
                "errors": [{"field": "password", "message": "Thiếu trường bắt buộc."}],
            },
        ),
        (
            {},
            422,
            {
                "code": "validation_error",
                "message": "Dữ liệu không hợp lệ.",
                "errors": [
                    {"field": "username", "message": "Thiếu trường bắt buộc."},
                    {"field": "password", "message": "Thiếu trường bắt buộc."},
                ],
            },
        ),
        (
            {"username": "chuyenvien", "password": ""},
            422,
            {
                "code": "validation_error",
                "message": "Vui lòng nhập mật khẩu.",
                "errors": [{"field": "password", "message": "Vui lòng nhập mật khẩu."}],
            },
        ),
    ],
    ids=["wrong-password", "unknown-user", "missing-password", "empty-body", "blank-password"],
)
def test_token_refused(specialist, body, status, expected):
    response = post_json(Client(), TOKEN_URL, body)
    assert (response.status_code, response.json()) == (status, expected)
    assert ApiToken.objects.count() == 0


def test_officer_with_a_device_must_give_the_code(specialist, confirmed_device, totp_code):
    device = confirmed_device(specialist)
    client = Client()

    without = post_json(client, TOKEN_URL, {"username": "chuyenvien", "password": PASSWORD})
    assert (without.status_code, without.json()) == (
        422,
        {
            "code": "validation_error",
            "message": "Tài khoản này cần mã xác thực hai lớp (TOTP).",
            "errors": [{"field": "totp", "message": "Tài khoản này cần mã xác thực hai lớp (TOTP)."}],
        },
    )
    assert ApiToken.objects.count() == 0

    raw = issue(client, totp=totp_code(device))
    assert Client().get(ME_URL, headers=bearer(raw)).status_code == 200


def test_officer_with_a_device_and_a_wrong_code_gets_no_token(specialist, confirmed_device):
    confirmed_device(specialist)
    response = post_json(Client(), TOKEN_URL, {"username": "chuyenvien", "password": PASSWORD, "totp": "12345"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "totp", "message": "Mã xác thực hai lớp không đúng hoặc đã hết hạn."}
    ]
    assert ApiToken.objects.count() == 0


def test_administrator_who_must_enrol_gets_no_token_from_the_api(settings, admin_user):
    settings.EGOV_TOTP_REQUIRED_ROLES = ["administrator"]
    response = post_json(Client(), TOKEN_URL, {"username": "quantri", "password": PASSWORD})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "totp"


def test_an_expired_token_is_refused(specialist):
    raw = issue(Client())
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = Client().get(ME_URL, headers=bearer(raw))

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


def test_a_revoked_token_is_refused(specialist):
    raw = issue(Client())
    client = Client()

    revoked = post_json(client, REVOKE_URL, {}, **bearer(raw))

    assert (revoked.status_code, revoked.json()) == (200, {"revoked": True})
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditRecord.objects.filter(action="auth.revoke_token", actor=specialist).count() == 1
    assert (client.get(ME_URL, headers=bearer(raw)).status_code, client.get(ME_URL, headers=bearer(raw)).json()) == (
        401,
        NOT_AUTHENTICATED,
    )
    assert post_json(client, REVOKE_URL, {}, **bearer(raw)).status_code == 401


def test_revoking_one_token_leaves_the_others(specialist):
    first, second = issue(Client()), issue(Client())
    post_json(Client(), REVOKE_URL, {}, **bearer(first))
    assert Client().get(ME_URL, headers=bearer(first)).status_code == 401
    assert Client().get(ME_URL, headers=bearer(second)).status_code == 200


def test_a_deactivated_users_token_is_refused(specialist):
    raw = issue(Client())
    User.objects.filter(pk=specialist.pk).update(is_active=False)
    assert Client().get(ME_URL, headers=bearer(raw)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer khong-phai-ma", "Bearer ", "Basic Y2h1eWVudmllbg==", ""])
def test_no_or_unknown_token_is_refused(specialist, header):
    headers = {"Authorization": header} if header else {}
    response = Client().get(ME_URL, headers=headers)
    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


def test_me_also_answers_a_signed_in_browser_session(specialist):
    client = Client()
    client.post("/dang-nhap/", {"username": "chuyenvien", "password": PASSWORD})
    response = client.get(ME_URL)
    assert (response.status_code, response.json()["username"]) == (200, "chuyenvien")


def test_token_endpoint_is_throttled_like_the_login_page(specialist):
    client = Client()
    statuses = [
        post_json(client, TOKEN_URL, {"username": "chuyenvien", "password": f"sai-{i}"}).status_code for i in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]

    response = post_json(client, TOKEN_URL, {"username": "chuyenvien", "password": PASSWORD})

    assert (response.status_code, response.json()) == (
        429,
        {
            "code": "throttled",
            "message": "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút.",
        },
    )
    assert ApiToken.objects.count() == 0
