"""Writes for people, by sub-domain:

- ``accounts``: citizens' and businesses' accounts made directly, account edits, passwords, profiles;
- ``officers``: officer accounts, positions, roles;
- ``registration``: registration on the portal and contact verification (codes by e-mail or SMS);
- ``tokens``: API bearer tokens;
- ``totp``: enrolling a TOTP device, removing a lost one.

Callers use ``from egov.people import services`` and ``services.<name>``: every public name of the
modules is here. Checking credentials (token lookup, TOTP codes) is ``egov.access.credentials``.
"""

from __future__ import annotations

from egov.people.services.accounts import (
    link_oidc_subject,
    password_messages,
    record_login,
    register_citizen,
    set_password,
    update_account,
    update_profile,
)
from egov.people.services.officers import (
    assign_position,
    create_officer,
    end_position,
    update_role,
)
from egov.people.services.registration import (
    CCCD_REQUIRED,
    IDENTITY_TAKEN,
    VERIFICATION_GONE,
    VERIFICATION_KIND,
    PendingVerification,
    claim_unverified_registration,
    hash_verification_code,
    mask_recipient,
    pending_verification,
    register_account,
    request_contact_change,
    resend_verification_code,
    resume_registration,
    verification_code_ttl,
    verification_max_attempts,
    verification_resend_interval,
    verify_contact,
)
from egov.people.services.tokens import (
    IssuedToken,
    authenticate_token,
    hash_token,
    issue_api_token,
    revoke_api_token,
)
from egov.people.services.totp import (
    confirm_totp_enrollment,
    reset_totp,
    start_totp_enrollment,
    totp_required,
    verify_totp,
)

__all__ = [
    "password_messages",
    "register_citizen",
    "update_account",
    "set_password",
    "link_oidc_subject",
    "record_login",
    "update_profile",
    "create_officer",
    "assign_position",
    "end_position",
    "update_role",
    "IssuedToken",
    "issue_api_token",
    "revoke_api_token",
    "hash_token",
    "authenticate_token",
    "start_totp_enrollment",
    "confirm_totp_enrollment",
    "reset_totp",
    "totp_required",
    "verify_totp",
    "VERIFICATION_KIND",
    "IDENTITY_TAKEN",
    "CCCD_REQUIRED",
    "VERIFICATION_GONE",
    "verification_code_ttl",
    "verification_max_attempts",
    "verification_resend_interval",
    "hash_verification_code",
    "PendingVerification",
    "mask_recipient",
    "register_account",
    "pending_verification",
    "verify_contact",
    "request_contact_change",
    "resend_verification_code",
    "resume_registration",
    "claim_unverified_registration",
]
