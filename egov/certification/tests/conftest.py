"""A commune with a one-stop unit and a justice division, signing keys in a temporary PKI, two
citizens with accounts, and the officers who certify."""

from __future__ import annotations

from datetime import datetime

import pytest

from egov.calendar.engine import VIETNAM_TZ
from egov.dossiers.tests.conftest import world  # noqa: F401 (fixture: a procedure to reuse the copy in)

NOON = datetime(2027, 3, 1, 10, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture(autouse=True)
def _pki_and_media(settings, tmp_path, monkeypatch):
    from django.utils import timezone

    settings.EGOV_PKI_DIR = tmp_path / "pki"
    settings.EGOV_TRUST_ROOTS = [str(tmp_path / "pki" / "root-ca.pem")]
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(timezone, "now", lambda: NOON)


@pytest.fixture
def place(tree, make_officer):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation as create
    from egov.people.services import register_citizen
    from egov.signing.services import ensure_demo_keys

    commune = tree["commune"]
    desk = create(by=None, parent=commune, name="Bộ phận Một cửa xã Thử Nghiệm", kind=Kind.ONE_STOP, code="H98.301.01")
    division = create(
        by=None, parent=commune, name="Công chức Tư pháp - Hộ tịch", kind=Kind.DIVISION, code="H98.301.02"
    )
    ensure_demo_keys([commune, tree["justice"]])
    citizen = register_citizen(
        username="037190000123",
        full_name="Nguyễn Thị Hồng",
        password="Mk-thu-nghiem-2026",
        identity_number="037190000123",
        email="hong@example.vn",
    )
    other_citizen = register_citizen(
        username="037190000456",
        full_name="Lê Văn Phúc",
        password="Mk-thu-nghiem-2026",
        identity_number="037190000456",
        email="phuc@example.vn",
    )
    for user in (citizen, other_citizen):
        user.is_active = True
        user.save(update_fields=["is_active"])
    return {
        **tree,
        "desk": desk,
        "division": division,
        "citizen": citizen,
        "other_citizen": other_citizen,
        "officer": make_officer("receiving_officer", desk, username="tiepnhan.xa"),
        "justice_officer": make_officer("specialist", tree["justice_div"], username="chuyenvien.stp"),
        "clerk": make_officer("clerk", commune, username="vanthu.xa"),
    }


def pdf(pages: int) -> bytes:
    from weasyprint import HTML

    body = "".join(f'<p style="page-break-after: always">Giấy khai sinh — trang {i}</p>' for i in range(1, pages))
    return HTML(string=f"<html><body>{body}<p>Giấy khai sinh — trang {pages}</p></body></html>").write_pdf()


def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), (230, 230, 230)).save(out, format="PNG")
    return out.getvalue()
