"""django-oauth-toolkit's validator, told which claims a demo identity has."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator

from egov.demo_idp.identities import by_username


class DemoVneidValidator(OAuth2Validator):
    # Claims released per scope; ``identity_number`` (số định danh cá nhân) comes with "profile".
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "identity_number": "profile",
        "phone_number": "profile",
    }

    def get_additional_claims(self, request):
        identity = by_username(request.user.username)
        return identity.claims() if identity else {}
