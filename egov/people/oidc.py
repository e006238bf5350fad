"""Citizen sign-in through an OpenID Connect provider (VNeID style), on mozilla-django-oidc.

The provider is configured with the ``OIDC_*`` environment variables (docs/deploy.md). A citizen is
matched by the provider's ``sub``, then by the personal identification number in the claim named by
``OIDC_IDENTITY_CLAIM``; an unknown citizen gets an account (no local password).
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from egov.core.errors import DomainError
from egov.people import identifiers, services
from egov.people.models import User

logger = logging.getLogger(__name__)


class CitizenOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if not settings.EGOV_OIDC_ENABLED:
            return None
        if request is not None:
            # The demo's stand-in provider is configured by path (egov.demo_idp): it lives on this
            # site, at whatever address serves it.
            for name in ("OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT"):
                value = getattr(self, name, None)
                if value and value.startswith("/"):
                    setattr(self, name, request.build_absolute_uri(value))
        user = super().authenticate(request, **kwargs)
        if user is not None and user.is_active:
            # Password sign-ins are audited by the login view; this is the provider's equivalent.
            services.record_login(user=user, method="oidc")
        return user

    def verify_claims(self, claims) -> bool:
        if not claims.get("sub"):
            return False
        try:
            identifiers.normalise_identity_number(str(claims.get(settings.OIDC_IDENTITY_CLAIM, "")))
        except identifiers.InvalidIdentifier:
            logger.warning("OIDC claims without a valid identity number (claim %s)", settings.OIDC_IDENTITY_CLAIM)
            return False
        return True

    def filter_users_by_claims(self, claims):
        by_subject = User.objects.filter(citizen_profile__oidc_subject=claims["sub"])
        if by_subject.exists():
            return by_subject
        number = identifiers.normalise_identity_number(str(claims[settings.OIDC_IDENTITY_CLAIM]))
        return User.objects.filter(citizen_profile__identity_number=number, kind=User.Kind.CITIZEN)

    def create_user(self, claims):
        number = identifiers.normalise_identity_number(str(claims[settings.OIDC_IDENTITY_CLAIM]))
        username = "vneid-" + hashlib.sha256(claims["sub"].encode()).hexdigest()[:16]
        try:
            return services.register_citizen(
                username=username,
                full_name=claims.get("name") or claims.get("full_name") or number,
                password=None,
                identity_number=number,
                # An address the provider has not verified is not taken.
                email=claims.get("email", "") if claims.get("email_verified") is True else "",
                phone=claims.get("phone_number", ""),
                oidc_subject=claims["sub"],
            )
        except DomainError as exc:
            logger.warning("OIDC sign-in refused: %s", exc.message)
            return None

    def update_user(self, user, claims):
        # A registration on the portal never verified: the provider proves who holds the number.
        user = services.claim_unverified_registration(user=user) or user
        # First sign-in through the provider of an account registered locally: link it.
        services.link_oidc_subject(user=user, subject=claims["sub"])
        return user
