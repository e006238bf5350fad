"""Shared fixtures: a small organisation tree built through the services, and officers by role.

The fixtures deliberately do not use the demo data, so tests prove the code works on any tree.
"""

from __future__ import annotations

import os
import shutil

import pytest

# seed_demo's year of synthetic dossiers (egov/demo/living.py) is tested on its own, with a small count;
# processes started by tests (servers, workers) read it from the environment.
os.environ.setdefault("EGOV_DEMO_LIVING", "0")


def pytest_collection_modifyitems(items):
    """Every transactional test (``transaction=True``, ``transactional_db``, ``live_server``) restores the
    serialized database afterwards. Without it Django flushes the tables and re-emits post_migrate, so
    the rows of data migrations (roles, permissions, document types) are gone for the tests that follow
    and a later serialized test collides with the content types post_migrate recreated. Tests that
    narrow ``available_apps`` or set ``serialized_rollback`` themselves keep their own choice."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        transactional = (
            kwargs.get("transaction")
            or bool(marker and marker.args and marker.args[0])
            or {"live_server", "transactional_db"} & set(item.fixturenames)
        )
        if not transactional or "available_apps" in kwargs or "serialized_rollback" in kwargs:
            continue
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in people/tests); tests that only need a user use MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _files_in_a_temporary_place(settings, tmp_path_factory):
    """Uploaded files, issued forms and signing keys never land in the developer's var/."""
    base = tmp_path_factory.getbasetemp()
    settings.MEDIA_ROOT = base / "media"
    settings.EGOV_PKI_DIR = base / "pki"
    settings.EGOV_SOFTHSM_DIR = base / "softhsm"  # officers' tokens (seed_demo enrols the demo signers)
    settings.EGOV_SMS_FILE = base / "sms.log"
    settings.EGOV_ZALO_FILE = base / "zalo.log"
    settings.EGOV_DEMO_LIVING = False  # seed_demo's year of dossiers: tested on its own (demo/tests/test_living.py)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    """A province with two departments (each with a division and a one-stop unit) and a commune."""
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation as create

    province = create(
        by=None, parent=None, name="UBND tỉnh Thử Nghiệm", kind=Kind.PROVINCE, code="H98", legacy_code="000.00.00.H98"
    )
    justice = create(
        by=None, parent=province, name="Sở Tư pháp", kind=Kind.DEPARTMENT, code="H98.101", legacy_code="000.00.01.H98"
    )
    justice_div = create(
        by=None,
        parent=justice,
        name="Phòng Hành chính tư pháp",
        kind=Kind.DIVISION,
        code="H98.101.02",
        legacy_code="002.00.01.H98",
    )
    justice_desk = create(
        by=None,
        parent=justice,
        name="Bộ phận Một cửa Sở Tư pháp",
        kind=Kind.ONE_STOP,
        code="H98.101.01",
        legacy_code="001.00.01.H98",
    )
    finance = create(
        by=None, parent=province, name="Sở Tài chính", kind=Kind.DEPARTMENT, code="H98.102", legacy_code="000.00.02.H98"
    )
    finance_div = create(
        by=None,
        parent=finance,
        name="Phòng Đăng ký kinh doanh",
        kind=Kind.DIVISION,
        code="H98.102.02",
        legacy_code="002.00.02.H98",
    )
    commune = create(
        by=None,
        parent=province,
        name="UBND xã Thử Nghiệm",
        kind=Kind.COMMUNE,
        code="H98.301",
        legacy_code="000.00.61.H98",
    )
    return {
        "province": province,
        "justice": justice,
        "justice_div": justice_div,
        "justice_desk": justice_desk,
        "finance": finance,
        "finance_div": finance_div,
        "commune": commune,
    }


@pytest.fixture
def make_officer(db):
    """``make_officer(role_code, unit, username=None)`` -> User holding that role in that unit."""
    from egov.people.services import create_officer

    counter = {"n": 0}

    def make(role_code: str, unit, *, username: str | None = None, password: str = "Mk-thu-nghiem-2026", **kw):
        counter["n"] += 1
        return create_officer(
            by=None,
            username=username or f"{role_code}{counter['n']}",
            full_name=f"Cán bộ {counter['n']}",
            password=password,
            unit=unit,
            role_code=role_code,
            **kw,
        )

    return make


@pytest.fixture
def admin_user(tree, make_officer):
    return make_officer("administrator", tree["province"], username="quantri")


@pytest.fixture
def calendar(tree):
    from egov.calendar.services import create_calendar

    return create_calendar(
        by=None, organisation=tree["province"], name="Lịch thử nghiệm", seed_years=[2025, 2026, 2027]
    )


# --- Chromium (browser tests) ------------------------------------------------------------------------

CHROMIUM = os.environ.get("EGOV_CHROMIUM", "/usr/bin/chromium")
# Debian's Chromium, headless, with nothing that reaches out to the network (see the env notes).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright (``playwright install`` cannot download browsers here);
    the test is skipped where it is not installed."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()
