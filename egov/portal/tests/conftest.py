"""Fixtures for the portal: the dossiers' small world (Department of Justice, a procedure with two
required components and a 50,000 đồng fee, channels 1–3) and citizen accounts."""

from __future__ import annotations

import pytest

from egov.dossiers.tests.conftest import (  # noqa: F401  (fixtures re-used from the dossiers tests)
    MONDAY_9,
    _pki_and_media,
    clock,
    officers,
    valid_pdf,
    world,
)

PASSWORD = "Mk-thu-nghiem-2026"
PDF = valid_pdf()
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def pdf(tag: str = "") -> bytes:
    """A distinct small PDF (distinct contents: the store keeps one copy of each file)."""
    return valid_pdf(tag)


@pytest.fixture
def citizen(db):
    from egov.people.services import register_citizen

    return register_citizen(
        username="037090001234",
        full_name="Nguyễn Văn An",
        password=PASSWORD,
        identity_number="037090001234",
        email="an@example.vn",
        phone="0912345678",
        address="Thôn Đông, xã Thử Nghiệm",
    )


@pytest.fixture
def other_citizen(db):
    from egov.people.services import register_citizen

    return register_citizen(
        username="037090009999", full_name="Trần Thị Bình", password=PASSWORD, identity_number="037090009999"
    )


def real_pdf(title: str) -> bytes:
    """A PDF that can be signed (results are signed with the agency's key)."""
    from weasyprint import HTML

    return HTML(string=f"<h1>{title}</h1>").write_pdf()


def applicant(**overrides):
    from egov.dossiers.services import ApplicantInput

    data = {"name": "Nguyễn Văn An", "identity": "037090001234", "phone": "0912345678", "email": "an@example.vn"}
    return ApplicantInput(**(data | overrides))


def files_for(procedure, *, which=None):
    """One PDF for each required component (or for the positions in ``which``)."""
    from egov.dossiers.services import ComponentInput, UploadInput

    result = []
    for index, c in enumerate(procedure.components.order_by("order", "pk")):
        wanted = c.required if which is None else index in which
        if wanted:
            result.append(ComponentInput(c.pk, True, (UploadInput(f"tp{index}.pdf", pdf(f"{c.pk}")),)))
    return result


def submit(world, by, key="khoa-0001-abcd", **overrides):  # noqa: F811 (the world fixture's value)
    from egov.portal.services import submit as portal_submit

    kwargs = {
        "by": by,
        "procedure": world["procedure"],
        "agency": world["justice"],
        "applicant": applicant(),
        "data": {"matter": "Chứng thực hợp đồng mua bán xe máy"},
        "components": files_for(world["procedure"]),
        "idempotency_key": key,
    }
    return portal_submit(**(kwargs | overrides))
