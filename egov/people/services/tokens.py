"""API bearer tokens: issuing and revoking. Only a token's hash is kept; looking one up is
``egov.access.credentials.authenticate_token``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.access.credentials import authenticate_token, hash_token
from egov.audit import services as audit
from egov.core.errors import NotFound
from egov.people.models import ApiToken, User

__all__ = ["IssuedToken", "issue_api_token", "revoke_api_token", "hash_token", "authenticate_token"]


@dataclass(frozen=True)
class IssuedToken:
    raw: str
    token: ApiToken


@transaction.atomic
def issue_api_token(*, user: User) -> IssuedToken:
    """A new random bearer token; only its hash is kept."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, token_hash=hash_token(raw), prefix=raw[:8], expires_at=timezone.now() + settings.EGOV_API_TOKEN_TTL
    )
    audit.record(
        actor=user,
        action="auth.issue_token",
        target=token,
        target_repr=f"token {token.prefix}…",
        after={"expires_at": token.expires_at},
    )
    return IssuedToken(raw=raw, token=token)


@transaction.atomic
def revoke_api_token(*, by: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk and not by.is_superuser:
        raise NotFound("Không tìm thấy mã truy cập.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=by,
            action="auth.revoke_token",
            target=token,
            target_repr=f"token {token.prefix}…",
            after={"revoked_at": token.revoked_at},
        )
    return token
