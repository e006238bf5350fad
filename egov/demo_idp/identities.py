"""The people the stand-in VNeID knows: the demo citizen and one person without a portal account.

Each identity has a technical account ``demo-vneid-<number>`` (inactive, no password) because
django-oauth-toolkit keeps grants and tokens per user; it never signs in to the portal, and the
portal account is found or made from the claims by ``egov.people.oidc``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

__all__ = ["DemoIdentity", "IDENTITIES", "USERNAME_PREFIX", "by_number", "by_username"]

USERNAME_PREFIX = "demo-vneid-"


@dataclass(frozen=True)
class DemoIdentity:
    identity_number: str
    full_name: str
    date_of_birth: date
    phone: str
    email: str = ""

    @property
    def username(self) -> str:
        return f"{USERNAME_PREFIX}{self.identity_number}"

    @property
    def subject(self) -> str:
        """An opaque, stable ``sub`` (VNeID does not expose the number as the subject)."""
        return "vneid-demo-" + hashlib.sha256(self.identity_number.encode()).hexdigest()[:24]

    def claims(self) -> dict[str, object]:
        claims: dict[str, object] = {
            "sub": self.subject,
            "name": self.full_name,
            "identity_number": self.identity_number,
            "birthdate": self.date_of_birth.isoformat(),
            "phone_number": self.phone,
        }
        if self.email:
            claims |= {"email": self.email, "email_verified": True}
        return claims


IDENTITIES: tuple[DemoIdentity, ...] = (
    # The demo citizen "congdan" of seed_demo: signing in lands in that account.
    DemoIdentity("037190000123", "Nguyễn Thị Hồng", date(1990, 4, 12), "0912345678", "congdan@example.vn"),
    # Nobody on the portal yet: the first sign-in makes the account.
    DemoIdentity("037092008888", "Vũ Minh Khoa", date(1992, 9, 3), "0977123456"),
)


def by_number(number: str) -> DemoIdentity | None:
    return next((i for i in IDENTITIES if i.identity_number == number), None)


def by_username(username: str) -> DemoIdentity | None:
    if not username.startswith(USERNAME_PREFIX):
        return None
    return by_number(username.removeprefix(USERNAME_PREFIX))
