"""Fixtures for the people app: named accounts, TOTP devices and codes, row counts."""

from __future__ import annotations

import time

import pytest

PASSWORD = "Mk-thu-nghiem-2026"


def plus(before: dict[str, int], **delta: int) -> dict[str, int]:
    """``before`` (from the ``counts`` fixture) with some counts grown by ``delta``."""
    return {name: count + delta.get(name, 0) for name, count in before.items()}


@pytest.fixture
def specialist(tree):
    """Trần Văn Chuyên, specialist (chuyên viên) of the Department of Justice."""
    from egov.people.services import create_officer

    return create_officer(
        by=None,
        username="chuyenvien",
        full_name="Trần Văn Chuyên",
        password=PASSWORD,
        unit=tree["justice"],
        role_code="specialist",
        title="Chuyên viên",
    )


@pytest.fixture
def citizen(db):
    """Nguyễn Thị Bình, a citizen with CCCD 001099012345."""
    from egov.people.services import register_citizen

    return register_citizen(
        username="congdan", full_name="Nguyễn Thị Bình", password=PASSWORD, identity_number="001099012345"
    )


@pytest.fixture
def confirmed_device():
    """``confirmed_device(user)`` -> a confirmed TOTPDevice."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def make(user):
        return TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)

    return make


@pytest.fixture
def totp_code():
    """``totp_code(device)`` -> the device's current code, as the authenticator app shows it."""
    from django_otp.oath import TOTP

    def code(device) -> str:
        device.refresh_from_db()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        return f"{totp.token():0{device.digits}d}"

    return code


@pytest.fixture
def counts(db):
    """``counts()`` -> the number of rows the people services can write, to prove nothing changed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from egov.audit.models import AuditRecord
    from egov.people.models import ApiToken, CitizenProfile, Position, User

    def snapshot() -> dict[str, int]:
        return {
            "users": User.objects.count(),
            "profiles": CitizenProfile.objects.count(),
            "positions": Position.objects.count(),
            "tokens": ApiToken.objects.count(),
            "devices": TOTPDevice.objects.count(),
            "audit": AuditRecord.objects.count(),
        }

    return snapshot
