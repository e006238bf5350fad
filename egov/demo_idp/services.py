"""Setting up the stand-in provider: its client (the portal) and the identities' technical accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from oauth2_provider.models import Application

from egov.demo_idp.identities import DemoIdentity
from egov.people.models import User

__all__ = ["ensure_demo_client", "identity_user", "DEFAULT_REDIRECT_URIS"]

# Loopback addresses match on any port (RFC 8252 §7.3, as django-oauth-toolkit applies it), so
# `make run PORT=…` and the tests' live server need no other entry.
DEFAULT_REDIRECT_URIS = ("http://127.0.0.1:8000/oidc/callback/", "http://localhost:8000/oidc/callback/")


def identity_user(identity: DemoIdentity) -> User:
    """The identity's technical account, made on its first sign-in at the stand-in; inactive and
    without a password, so it can never sign in to the portal itself."""
    user, _ = User.objects.get_or_create(
        username=identity.username,
        defaults={
            "full_name": f"{identity.full_name} (VNeID mô phỏng)",
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


@transaction.atomic
def ensure_demo_client(*, redirect_uris: tuple[str, ...] = DEFAULT_REDIRECT_URIS) -> bool:
    """The portal registered as a confidential client of the stand-in; True if it was created."""
    application = Application.objects.filter(client_id=settings.EGOV_DEMO_IDP_CLIENT_ID).first()
    if application is not None:
        return False
    Application.objects.create(
        name="Cổng dịch vụ công (trình diễn)",
        client_id=settings.EGOV_DEMO_IDP_CLIENT_ID,
        # Hashed on save by django-oauth-toolkit; the portal sends it in clear to the token endpoint.
        client_secret=settings.EGOV_DEMO_IDP_CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    return True
