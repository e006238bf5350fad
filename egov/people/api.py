"""API: registration and its verification code, bearer tokens and the signed-in user."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Router, Schema

from egov.access.authentication import BearerTokenAuth, check_credentials, officer_auth
from egov.core.errors import AuthenticationFailed
from egov.core.openapi import errors
from egov.people import services
from egov.people.throttling import check_registration_rate

router = Router(tags=["Xác thực"])


class TokenIn(Schema):
    username: str
    password: str
    totp: str | None = None


class TokenOut(Schema):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class RevokeOut(Schema):
    revoked: bool


class PositionOut(Schema):
    unit_code: str
    unit_name: str
    role: str
    title: str


class MeOut(Schema):
    username: str
    full_name: str
    kind: str
    positions: list[PositionOut]


@router.post(
    "/token", response={200: TokenOut, **errors(401, 429)}, auth=None, summary="Cấp mã truy cập (Bearer token)"
)
def issue_token(request, payload: TokenIn):
    user, _device = check_credentials(
        request,
        username=payload.username,
        password=payload.password,
        otp_token=payload.totp,
        require_otp_now=True,
        otp_field="totp",
    )
    issued = services.issue_api_token(user=user)
    return TokenOut(access_token=issued.raw, expires_at=issued.token.expires_at)


@router.post(
    "/token/revoke", response={200: RevokeOut}, auth=BearerTokenAuth(), summary="Thu hồi mã truy cập đang dùng"
)
def revoke_token(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise AuthenticationFailed("Cần mã truy cập để thu hồi.")
    services.revoke_api_token(by=request.user, token=token)
    return RevokeOut(revoked=True)


@router.get("/me", response=MeOut, auth=officer_auth, summary="Tài khoản đang đăng nhập")
def me(request):
    user = request.user
    positions = user.positions.active_on(timezone.localdate()).select_related("unit", "role").order_by("unit__path")
    return MeOut(
        username=user.username,
        full_name=user.get_full_name(),
        kind=user.kind,
        positions=[
            PositionOut(unit_code=p.unit.identifier, unit_name=p.unit.name, role=p.role.code, title=p.title)
            for p in positions
        ],
    )


# --- Registration -------------------------------------------------------------------------------------


class RegisterIn(Schema):
    kind: Literal["citizen", "business"] = Field(..., description="citizen: công dân; business: doanh nghiệp, tổ chức")
    full_name: str = Field(..., description="Họ và tên, hoặc tên doanh nghiệp, tổ chức")
    identity_number: str = Field(
        ..., description="Công dân: số CCCD 12 chữ số; doanh nghiệp: mã số thuế. Cũng là tên đăng nhập."
    )
    email: str = ""
    phone: str = Field("", description="Số điện thoại di động Việt Nam")
    verify_by: Literal["email", "sms"] | None = Field(
        None, description="Kênh nhận mã xác minh; bỏ trống: thư điện tử nếu có, nếu không thì SMS"
    )
    password: str
    password_confirmation: str
    accepted_terms: bool = Field(..., description="Đồng ý với điều khoản sử dụng (bắt buộc true)")


class PendingVerificationOut(Schema):
    verification_token: str = Field(..., description="Gửi kèm mã xác minh tới POST /auth/verify")
    channel: Literal["email", "sms"]
    recipient: str = Field(..., description="Địa chỉ nhận mã, đã che bớt")
    expires_at: datetime
    resend_after: datetime


class VerifyIn(Schema):
    verification_token: str
    code: str = Field(..., description="Mã 6 chữ số")


class VerifiedOut(Schema):
    username: str
    kind: str
    is_active: bool


class ResendIn(Schema):
    verification_token: str


def _pending_out(token: str, verification) -> PendingVerificationOut:
    return PendingVerificationOut(
        verification_token=token,
        channel=verification.channel,
        recipient=services.mask_recipient(verification.channel, verification.recipient),
        expires_at=verification.expires_at,
        resend_after=verification.code_sent_at + services.verification_resend_interval(),
    )


@router.post(
    "/register",
    response={201: PendingVerificationOut, **errors(409, 429)},
    auth=None,
    summary="Đăng ký tài khoản công dân, doanh nghiệp (chờ xác minh)",
)
def register(request, payload: RegisterIn):
    """The account is created inactive; a 6-digit code goes by e-mail or SMS. Rate limited per address."""
    check_registration_rate(request)
    pending = services.register_account(
        kind=payload.kind,
        full_name=payload.full_name,
        identity_number=payload.identity_number,
        email=payload.email,
        phone=payload.phone,
        verify_by=payload.verify_by or "",
        password=payload.password,
        password_confirmation=payload.password_confirmation,
        accepted_terms=payload.accepted_terms,
    )
    return 201, _pending_out(pending.token, pending.verification)


@router.post("/verify", response={200: VerifiedOut}, auth=None, summary="Xác minh tài khoản bằng mã đã gửi")
def verify(request, payload: VerifyIn):
    """The right code activates the account; then get a token with POST /auth/token. At most 5 wrong codes."""
    user = services.verify_contact(token=payload.verification_token, code=payload.code)
    return VerifiedOut(username=user.username, kind=user.kind, is_active=user.is_active)


@router.post(
    "/verify/resend",
    response={200: PendingVerificationOut, **errors(429)},
    auth=None,
    summary="Gửi lại mã xác minh (mỗi phút một lần)",
)
def resend(request, payload: ResendIn):
    verification = services.resend_verification_code(token=payload.verification_token)
    return _pending_out(payload.verification_token, verification)
