"""API: bearer tokens and the signed-in user."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Router, Schema

from egov.core.errors import AuthenticationFailed
from egov.people import services
from egov.people.authentication import BearerTokenAuth, check_credentials, officer_auth

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


@router.post("/token", response={200: TokenOut}, auth=None, summary="Cấp mã truy cập (Bearer token)")
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
