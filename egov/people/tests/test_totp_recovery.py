"""An officer lost their TOTP device: an operator (or a superuser) removes it, with a reason."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.audit.models import AuditRecord
from egov.audit.services import verify_chain
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.people import services
from egov.people.models import ApiToken
from egov.people.services import reset_totp
from egov.people.tests.conftest import PASSWORD


def test_the_command_removes_the_device_revokes_tokens_and_the_next_login_enrols_again(
    specialist, confirmed_device, settings
):
    # Given an officer with a confirmed device and an API token, who lost the phone
    device = confirmed_device(specialist)
    services.issue_api_token(user=specialist)
    out = io.StringIO()

    # When the operator resets it
    call_command("reset_totp", "chuyenvien", "--reason", "Phiếu yêu cầu 2026/118: mất điện thoại", stdout=out)

    # Then the device and the tokens are gone, and the audit trail says who, why and what
    assert out.getvalue().strip() == (
        "Đã xóa 1 thiết bị xác thực của chuyenvien; lần đăng nhập sau sẽ yêu cầu đăng ký thiết bị mới."
    )
    assert not TOTPDevice.objects.filter(user=specialist).exists()
    assert list(ApiToken.objects.filter(user=specialist).values_list("revoked_at", flat=True))[0] is not None
    record = AuditRecord.objects.get(action="auth.reset_totp")
    assert (record.actor_id, record.before["devices"][0]["id"], record.after["reason"]) == (
        None,
        device.pk,
        "Phiếu yêu cầu 2026/118: mất điện thoại",
    )
    assert verify_chain().ok
    # ... and when TOTP is required for the role, signing in leads to enrolling a new device
    settings.EGOV_TOTP_REQUIRED_ROLES = ["specialist"]
    client = Client()
    response = client.post("/dang-nhap/", {"username": "chuyenvien", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/dang-nhap/xac-thuc/?next=")
    assert client.get(response["Location"]).status_code == 200
    assert list(TOTPDevice.objects.filter(user=specialist).values_list("confirmed", flat=True)) == [False]


def test_only_a_superuser_may_reset_and_a_reason_is_required(specialist, confirmed_device, make_officer, tree):
    confirmed_device(specialist)
    other = make_officer("administrator", tree["province"], username="qt2")

    with pytest.raises(PermissionDenied):
        reset_totp(by=other, user=specialist, reason="mất máy")
    with pytest.raises(ValidationFailed):
        reset_totp(by=None, user=specialist, reason="   ")
    with pytest.raises(CommandError, match="Không có tài khoản 'khongco'."):
        call_command("reset_totp", "khongco", "--reason", "x")

    assert TOTPDevice.objects.filter(user=specialist).count() == 1
    assert not AuditRecord.objects.filter(action="auth.reset_totp").exists()
