"""Reception at the counter through ``POST /api/v1/dossiers``: completeness (every missing component
named at once, nothing beyond the published list) and uploaded files typed by their content. A
refused reception writes nothing: no dossier, no file, no audit record, no number taken."""

from __future__ import annotations

import base64
import hashlib
import struct
import zipfile
import zlib
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from egov.audit.models import AuditRecord
from egov.dossiers.models import Dossier, DossierFile, DossierSequence, IssuedForm
from egov.notifications.models import OutboxMessage

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_ALLOWED = "không phải PDF, JPEG, PNG, DOCX, XLSX (nhận dạng theo nội dung tệp)."


def png(padding: int = 0) -> bytes:
    """A 1×1 PNG; ``padding`` bytes of text chunk make it bigger."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    text = chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + text
        + chunk(b"IEND", b"")
    )


def png_of_size(size: int) -> bytes:
    content = png(padding=size - len(png()) - 20)  # a text chunk costs 12 bytes + "Comment\0"
    assert len(content) == size
    return content


def docx() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Bảng kê tài sản"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)
HTML = b"<!DOCTYPE html><html><body><script>alert('x')</script></body></html>"


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def files_on_disk() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def written() -> dict:
    return {
        "dossiers": Dossier.objects.count(),
        "files": DossierFile.objects.count(),
        "files_on_disk": len(files_on_disk()),
        "audit": AuditRecord.objects.count(),
        "sequences": list(DossierSequence.objects.values_list("agency_id", "day", "last")),
        "forms": IssuedForm.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }


def body(world, components: list[dict]) -> dict:
    return {
        "procedure": world["procedure"].code,
        "agency": "H98.101",
        "channel": 1,
        "applicant": {"name": "Nguyễn Văn An", "identity": "037090001234", "phone": "0912345678"},
        "components": components,
    }


@pytest.fixture
def component_ids(world):
    return [c.pk for c in world["procedure"].components.order_by("order", "pk")]


@pytest.fixture
def desk_client(client, officers, clock):
    client.force_login(officers["desk"])
    return client


def test_given_files_renamed_or_office_documents_when_received_then_each_is_typed_by_its_content(
    world, component_ids, desk_client
):
    contract, identity, ownership = component_ids
    photo, word, sheet = png(), docx(), xlsx()
    response = desk_client.post(
        "/api/v1/dossiers",
        body(
            world,
            [
                {
                    "component_id": contract,
                    "files": [
                        {"name": "du-thao.docx", "content_base64": b64(word)},
                        {"name": "anh-chup.pdf", "content_base64": b64(photo)},  # a PNG named .pdf
                    ],
                },
                {"component_id": identity, "files": [{"name": "bang-ke.xlsx", "content_base64": b64(sheet)}]},
                {"component_id": ownership, "provided": False},
            ],
        ),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert [(c["name"], c["provided"], c["files"]) for c in response.json()["components"]] == [
        ("Dự thảo hợp đồng, giao dịch", True, ["du-thao.docx", "anh-chup.pdf.png"]),  # labelled as what it is
        ("Bản sao giấy tờ tùy thân", True, ["bang-ke.xlsx"]),
        ("Giấy tờ chứng minh quyền sở hữu tài sản", False, []),
    ]
    stored = list(DossierFile.objects.order_by("pk"))
    assert [(f.original_name, f.content_type, f.size, f.sha256) for f in stored] == [
        ("du-thao.docx", DOCX, len(word), hashlib.sha256(word).hexdigest()),
        ("anh-chup.pdf.png", "image/png", len(photo), hashlib.sha256(photo).hexdigest()),
        ("bang-ke.xlsx", XLSX, len(sheet), hashlib.sha256(sheet).hexdigest()),
    ]
    assert [f.file.read() for f in stored] == [word, photo, sheet]
    assert [f.file.name.rsplit(".", 1)[1] for f in stored] == ["docx", "png", "xlsx"]


def _another_procedures_component(world):
    from egov.catalogue import services as catalogue
    from egov.catalogue.specs import ComponentSpec, DurationSpec, ProcedureSpec, ResultSpec

    other = catalogue.create_procedure(
        by=None,
        spec=ProcedureSpec(
            code="2.000908.000.00.00.H98",
            name="Chứng thực bản sao từ bản chính",
            field="G09-TP01",
            levels=("department",),
            agencies=("H98.101",),
            online_level="toan_trinh",
            applicant_types=("citizen",),
            channels=(1,),
            components=(ComponentSpec(name="Giấy khám sức khỏe", originals=1),),
            durations=(DurationSpec(channel=1, amount=Decimal(1), unit="working_days"),),
            results=(ResultSpec(name="Bản sao được chứng thực"),),
        ),
    )
    return other.components.get().pk


REFUSALS = {
    "every-missing-component-at-once": (
        lambda world, ids: [{"component_id": pk, "provided": False} for pk in ids],
        lambda world, ids: [
            ("components", "Thiếu thành phần hồ sơ: Dự thảo hợp đồng, giao dịch; Bản sao giấy tờ tùy thân.")
        ],
    ),
    "component-not-in-the-procedure": (
        lambda world, ids: [{"component_id": pk} for pk in ids] + [{"component_id": world["extra_component"]}],
        lambda world, ids: [
            (
                "components",
                f"Thành phần {world['extra_component']} không thuộc thủ tục này (không được yêu cầu thêm giấy tờ).",
            )
        ],
    ),
    "exe-and-html-named-pdf-and-a-missing-component": (
        lambda world, ids: [
            {
                "component_id": ids[0],
                "files": [
                    {"name": "to-khai.pdf", "content_base64": b64(EXE)},
                    {"name": "ho-so.pdf", "content_base64": b64(HTML)},
                ],
            },
            {"component_id": ids[1], "provided": False},
        ],
        lambda world, ids: [
            ("components.0.files", f"Tệp 'to-khai.pdf' {NOT_ALLOWED}"),
            ("components.0.files", f"Tệp 'ho-so.pdf' {NOT_ALLOWED}"),
            ("components", "Thiếu thành phần hồ sơ: Bản sao giấy tờ tùy thân."),
        ],
    ),
    "file-over-the-size-limit": (
        lambda world, ids: [
            {"component_id": ids[0], "files": [{"name": "scan.png", "content_base64": b64(png_of_size(2500))}]},
            {"component_id": ids[1]},
        ],
        lambda world, ids: [("components.0.files", "Tệp 'scan.png' quá lớn (2,5 KB); tối đa 2 KB.")],
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_given_an_unacceptable_reception_when_posted_then_422_naming_every_problem_and_nothing_is_written(
    case, world, component_ids, desk_client, settings
):
    settings.EGOV_MAX_UPLOAD_BYTES = 2048
    world["extra_component"] = _another_procedures_component(world)
    components, expected = REFUSALS[case]
    before = written()

    response = desk_client.post(
        "/api/v1/dossiers", body(world, components(world, component_ids)), content_type="application/json"
    )

    assert response.status_code == 422
    errors = [(e["field"], e["message"]) for e in response.json()["errors"]]
    assert errors == expected(world, component_ids)
    assert response.json()["message"] == (errors[0][1] if len(errors) == 1 else "Dữ liệu không hợp lệ.")
    assert written() == before
    assert before["dossiers"] == 0 and before["files_on_disk"] == 0


def test_a_file_at_exactly_the_limit_is_accepted(world, component_ids, desk_client, settings):
    settings.EGOV_MAX_UPLOAD_BYTES = 2500
    scan = png_of_size(2500)

    response = desk_client.post(
        "/api/v1/dossiers",
        body(
            world,
            [
                {"component_id": component_ids[0], "files": [{"name": "scan.png", "content_base64": b64(scan)}]},
                {"component_id": component_ids[1]},
            ],
        ),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert list(DossierFile.objects.values_list("content_type", "size")) == [("image/png", 2500)]


def test_the_reception_page_shows_each_refusal_next_to_its_field_and_in_the_summary(world, desk_client):
    before = written()

    response = desk_client.post(
        "/can-bo/tiep-nhan/",
        {"agency": world["justice"].pk, "procedure": world["procedure"].code, "applicant_name": " ", "channel": 1},
    )

    assert response.status_code == 422
    html = response.content.decode()
    summary = html.split('class="usa-alert usa-alert--error error-summary"', 1)[1].split("</ul>", 1)[0]
    name_error = "Tên chủ hồ sơ không được để trống."
    missing = "Thiếu thành phần hồ sơ: Dự thảo hợp đồng, giao dịch; Bản sao giấy tờ tùy thân."
    assert f"<li>{name_error}</li>" in summary and f"<li>{missing}</li>" in summary
    assert (
        f'<p class="usa-error-message" id="applicant_name-error"><span class="usa-sr-only">Lỗi: </span>{name_error}</p>'
    ) in html
    assert (
        'id="applicant_name" name="applicant_name" type="text" value=" " aria-required="true" aria-invalid="true"'
        in html
    )
    assert (
        f'<p class="usa-error-message" id="components-error"><span class="usa-sr-only">Lỗi: </span>{missing}</p>'
        in html
    )
    assert written() == before
