"""A small world for document tests: the root ``tree`` with NĐ 30 abbreviations, officers in every
document role at the Department of Justice, the Department of Finance and the commune, the agencies'
seal keys in a temporary PKI, and (where SoftHSM2 is installed) the leader's token."""

from __future__ import annotations

import shutil

import pytest

PIN = "246810"
PASSWORD = "Mk-thu-nghiem-2026"

needs_token = pytest.mark.skipif(shutil.which("softhsm2-util") is None, reason="needs SoftHSM2 (softhsm2)")


@pytest.fixture(autouse=True)
def _signing_settings(settings, tmp_path):
    settings.EGOV_PKI_DIR = tmp_path / "pki"
    settings.EGOV_TRUST_ROOTS = [str(tmp_path / "pki" / "root-ca.pem")]
    settings.EGOV_SIGNING_PASSPHRASE = "mat-khau-thu-nghiem"
    settings.EGOV_SOFTHSM_DIR = tmp_path / "softhsm"
    settings.EGOV_TSA_URL = ""
    settings.EGOV_CRL_URL = "http://egov.test/pki/crl/demo-root.crl"
    settings.MEDIA_ROOT = tmp_path / "media"


def _abbreviate(org, abbreviation: str):
    type(org).objects.filter(pk=org.pk).update(abbreviation=abbreviation)
    org.refresh_from_db()
    return org


@pytest.fixture
def world(tree, make_officer):
    from egov.signing.services import ensure_demo_keys

    for key, abbreviation in {
        "province": "UBND",
        "justice": "STP",
        "justice_div": "HCTP",
        "finance": "STC",
        "finance_div": "ĐKKD",
        "commune": "UBND",
    }.items():
        _abbreviate(tree[key], abbreviation)
    ensure_demo_keys([tree["justice"], tree["finance"], tree["commune"], tree["province"]])
    people = {
        "specialist": make_officer("specialist", tree["justice_div"], username="cv.tp", email="cv.tp@egov.test"),
        "head": make_officer("unit_head", tree["justice_div"], username="tp.tp", title="Trưởng phòng"),
        "leader": make_officer("agency_leader", tree["justice"], username="gd.tp", title="Giám đốc"),
        "clerk": make_officer("clerk", tree["justice"], username="vt.tp"),
        "fin_clerk": make_officer("clerk", tree["finance"], username="vt.tc"),
        "fin_leader": make_officer("agency_leader", tree["finance"], username="gd.tc", title="Giám đốc"),
        "fin_head": make_officer("unit_head", tree["finance_div"], username="tp.tc"),
        "fin_specialist": make_officer("specialist", tree["finance_div"], username="cv.tc", email="cv.tc@egov.test"),
        "com_clerk": make_officer("clerk", tree["commune"], username="vt.xa"),
        "com_leader": make_officer("agency_leader", tree["commune"], username="ct.xa", title="Chủ tịch"),
        "fin_other_specialist": make_officer("specialist", tree["finance_div"], username="cv2.tc"),
    }
    return {**tree, **people}


@pytest.fixture
def token(world):
    """The Justice leader's personal certificate on a SoftHSM2 token (PIN ``PIN``)."""
    if shutil.which("softhsm2-util") is None:
        pytest.skip("needs SoftHSM2 (softhsm2)")
    from egov.signing.officers import enrol_officer

    return enrol_officer(by=None, user=world["leader"], unit=world["justice"], title="Giám đốc", pin=PIN)


def doc_type(code: str):
    from egov.documents.models import DocumentType

    return DocumentType.objects.get(code=code)


BODY = (
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;\n\n"
    "Điều 1. Ban hành Quy chế công tác văn thư của Sở Tư pháp.\n\n"
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."
)


def draft(world, *, by=None, type_code: str = "quyet-dinh", **overrides):
    """A Quyết định drafted from the template by the Justice specialist, to Finance and the commune."""
    from egov.documents import services

    data = {
        "by": by or world["specialist"],
        "drafting_unit": world["justice_div"],
        "doc_type": doc_type(type_code),
        "subject": "Ban hành Quy chế công tác văn thư",
        "body": BODY,
        "signer": world["leader"],
        "signer_title": "Giám đốc",
        "recipients": [world["finance"], world["commune"]],
        "place": "Sơn Nam",
    }
    data.update(overrides)
    return services.create_draft(**data)


def signed(world, **overrides):
    """A draft taken through review and signed by the leader with the token."""
    from egov.documents import services

    document = draft(world, **overrides)
    services.submit(by=world["specialist"], document=document)
    services.approve(by=world["head"], document=document)
    return services.sign(by=world["leader"], document=document, pin=PIN)


def pdf_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def small_pdf(text: str = "Văn bản thử nghiệm") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html lang='vi'><body><p>{text}</p></body></html>").write_pdf()
