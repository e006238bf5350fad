"""A small world for dossier tests: the root ``tree`` plus a province calendar, signing keys in a
temporary PKI, a procedure implemented by the Department of Justice and an active process whose
third step is a liên thông leg at the Department of Finance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from egov.calendar.engine import VIETNAM_TZ

PASSWORD = "Mk-thu-nghiem-2026"
# A Monday morning in a normal working week (no holiday nearby).
MONDAY_9 = datetime(2027, 3, 1, 9, 0, tzinfo=VIETNAM_TZ)  # after the test keys are issued


@pytest.fixture(autouse=True)
def _pki_and_media(settings, tmp_path):
    settings.EGOV_PKI_DIR = tmp_path / "pki"
    # Trust the root made in that directory (the settings name var/pki/root-ca.pem explicitly).
    settings.EGOV_TRUST_ROOTS = [str(tmp_path / "pki" / "root-ca.pem")]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EGOV_PUBLIC_URL = "https://dichvucong.sonnam.test"


@pytest.fixture
def world(tree, calendar):
    from egov.catalogue import services as catalogue
    from egov.catalogue.specs import ComponentSpec, DurationSpec, FeeSpec, ProcedureSpec, ResultSpec
    from egov.dossiers.processes import StepSpec, activate_process, create_process
    from egov.signing.services import ensure_demo_keys

    catalogue.create_field(by=None, code="G09-TP01", name="Chứng thực")
    procedure = catalogue.create_procedure(
        by=None,
        spec=ProcedureSpec(
            code="2.000815.000.00.00.H98",
            name="Chứng thực hợp đồng, giao dịch liên quan đến tài sản",
            field="G09-TP01",
            levels=("department",),
            agencies=("H98.101",),
            online_level="mot_phan",
            mot_phan_reason="Người yêu cầu phải ký trước mặt người thực hiện chứng thực.",
            applicant_types=("citizen",),
            channels=(1, 2, 3),
            components=(
                ComponentSpec(name="Dự thảo hợp đồng, giao dịch", originals=1),
                ComponentSpec(name="Bản sao giấy tờ tùy thân", photocopies=1),
                ComponentSpec(name="Giấy tờ chứng minh quyền sở hữu tài sản", certified_copies=1, required=False),
            ),
            durations=(
                DurationSpec(channel=1, amount=Decimal(2), unit="working_days"),
                DurationSpec(channel=2, amount=Decimal(2), unit="working_days"),
                DurationSpec(channel=3, amount=Decimal(3), unit="working_days"),
            ),
            fees=(FeeSpec(kind="fee", name="Phí chứng thực hợp đồng", amount=50000),),
            results=(ResultSpec(name="Hợp đồng, giao dịch được chứng thực"),),
        ),
    )
    justice, desk, division, finance = tree["justice"], tree["justice_desk"], tree["justice_div"], tree["finance"]
    steps = [
        StepSpec("Tiếp nhận, chuyển hồ sơ", justice, desk, "receiving_officer", Decimal(2)),
        StepSpec("Thẩm định hồ sơ", justice, division, "specialist", Decimal(4)),
        StepSpec("Lấy ý kiến Sở Tài chính (liên thông)", finance, tree["finance_div"], "specialist", Decimal(4)),
        StepSpec("Phê duyệt, ký kết quả", justice, justice, "agency_leader", Decimal(4)),
        StepSpec("Trả kết quả", justice, desk, "receiving_officer", Decimal(2)),
    ]
    process = activate_process(
        by=None,
        process=create_process(by=None, procedure=procedure, agency=justice, steps=steps, total_hours=Decimal(16)),
    )
    ensure_demo_keys([tree["province"], justice, desk, finance])
    return {"procedure": procedure, "process": process, **tree}


@pytest.fixture
def officers(world, make_officer):
    return {
        "desk": make_officer("receiving_officer", world["justice_desk"], username="tiepnhan"),
        "specialist": make_officer("specialist", world["justice_div"], username="chuyenvien"),
        "partner": make_officer("specialist", world["finance_div"], username="chuyenvien.stc"),
        "leader": make_officer("agency_leader", world["justice"], username="lanhdao", title="Giám đốc"),
        "other_desk": make_officer("receiving_officer", world["commune"], username="tiepnhan.xa"),
    }


def valid_pdf(tag: str = "") -> bytes:
    """A small well-formed PDF (catalogue, one page, xref table), distinct per ``tag`` (a comment in
    the header): uploads are checked with the parser that signs and verifies (``uploads.pdf_problem``)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%" + tag.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def components_all(procedure, *, provided=True):
    from egov.dossiers.services import ComponentInput

    return [ComponentInput(c.pk, provided) for c in procedure.components.order_by("order", "pk")]


def applicant(**overrides):
    from egov.dossiers.services import ApplicantInput

    data = {
        "name": "Nguyễn Văn An",
        "identity": "037090001234",
        "address": "Thôn Đông, xã Thử Nghiệm",
        "phone": "0912345678",
        "email": "an@example.vn",
    }
    data.update(overrides)
    return ApplicantInput(**data)


def vn(year, month, day, hour=0, minute=0) -> datetime:
    """A moment in Vietnam time."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TZ)


@pytest.fixture
def clock(monkeypatch):
    """The platform's clock (``django.utils.timezone.now``), at MONDAY_9 until the test sets ``clock.now``."""
    from types import SimpleNamespace

    from django.utils import timezone

    state = SimpleNamespace(now=MONDAY_9)
    monkeypatch.setattr(timezone, "now", lambda: state.now)
    return state


def receive(world, by, *, channel=1, **applicant_overrides):
    """A complete dossier received at the Department of Justice's desk."""
    from egov.dossiers.services import receive_dossier

    return receive_dossier(
        by=by,
        procedure=world["procedure"],
        agency=world["justice"],
        channel=channel,
        applicant=applicant(**applicant_overrides),
        components=components_all(world["procedure"]),
    )
