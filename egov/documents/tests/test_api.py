"""The documents API: creation from a file, refusals as typed 4xx errors naming the field, keyset
pages, registers, and query counts of the lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.documents import selectors, services
from egov.documents.tests.conftest import draft, small_pdf

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"


def _paper(world, n: int, **overrides):
    data = dict(
        by=world["fin_clerk"],
        agency=world["finance"],
        file_name=f"scan-{n}.pdf",
        file_content=small_pdf(f"Công văn {n}"),
        sender_name="Bộ Tài chính",
        subject=f"Công văn số {n}",
        symbol=f"{n}/BTC-NSNN",
    )
    data.update(overrides)
    return services.register_paper_incoming(**data)


def test_a_draft_from_an_uploaded_pdf(client, world):
    client.force_login(world["specialist"])
    upload = {"doc_type": "ke-hoach", "subject": "Kế hoạch công tác năm", "drafting_unit": "H98.101.02"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload["file"] = SimpleUploadedFile("ke-hoach.pdf", small_pdf("Kế hoạch"), content_type="application/pdf")
    response = client.post(f"{BASE}/outgoing", upload)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["doc_type"], body["versions"][0]["source"]) == ("draft", "ke-hoach", "pdf")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"doc_type": "khong-co"}, "doc_type"),
        ({"drafting_unit": "H00.999"}, "drafting_unit"),
        ({"signer": "khong.ai"}, "signer"),
        ({"recipients": ["H00.999"]}, "recipients.0"),
        ({"body": ""}, "body"),
    ],
)
def test_bad_drafts_are_422_naming_the_field(client, world, data, field):
    client.force_login(world["specialist"])
    payload = {
        "doc_type": "quyet-dinh",
        "subject": "Thử",
        "drafting_unit": "H98.101.02",
        "body": "Điều 1. Thử.",
        "signer": "gd.tp",
        "signer_title": "Giám đốc",
        "place": "Sơn Nam",
    }
    payload.update(data)

    response = client.post(f"{BASE}/outgoing", payload)

    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"] == field


def test_a_file_that_is_not_a_pdf_is_422_on_the_file_field(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world["specialist"])
    response = client.post(
        f"{BASE}/outgoing",
        {
            "doc_type": "ke-hoach",
            "subject": "Kế hoạch",
            "drafting_unit": "H98.101.02",
            "file": SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.7 but broken", content_type="application/pdf"),
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_issuing_an_unsigned_document_is_409_and_another_agency_gets_404(client, world):
    document = draft(world)
    client.force_login(world["clerk"])
    refused = client.post(f"{BASE}/outgoing/{document.pk}/actions/issue", {}, content_type="application/json")
    client.force_login(world["fin_clerk"])
    hidden = client.get(f"{BASE}/outgoing/{document.pk}")
    unknown = client.post(f"{BASE}/outgoing/{document.pk}/actions/publish", {}, content_type="application/json")

    assert (refused.status_code, refused.json()["code"]) == (409, "document_not_signed")
    assert "chưa được người có thẩm quyền ký" in refused.json()["message"]
    assert hidden.status_code == 404
    assert unknown.status_code == 422


def test_returning_without_a_note_is_422_on_note(client, world):
    document = draft(world)
    services.submit(by=world["specialist"], document=document)
    client.force_login(world["head"])
    response = client.post(f"{BASE}/outgoing/{document.pk}/actions/return", {}, content_type="application/json")
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "note")


def test_the_incoming_list_pages_by_keyset_with_a_constant_number_of_queries(client, world):
    for n in range(1, 4):
        _paper(world, n)
    client.force_login(world["fin_clerk"])
    client.get(f"{BASE}/incoming?limit=2")  # warm the session

    with CaptureQueriesContext(connection) as three:
        first = client.get(f"{BASE}/incoming?limit=2").json()
    second = client.get(f"{BASE}/incoming?limit=2&after={first['next_cursor']}").json()
    for n in range(4, 7):
        _paper(world, n)
    with CaptureQueriesContext(connection) as six:
        client.get(f"{BASE}/incoming?limit=5")

    assert [i["symbol"] for i in first["items"]] == ["3/BTC-NSNN", "2/BTC-NSNN"]
    assert ([i["symbol"] for i in second["items"]], second["next_cursor"]) == (["1/BTC-NSNN"], None)
    assert len(three.captured_queries) == len(six.captured_queries)
    bad = client.get(f"{BASE}/incoming?after=!!!")
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "after")


def test_the_register_lists_arrivals_in_register_order_with_the_nd30_columns(client, world):
    for n in range(1, 4):
        _paper(world, n)
    year = selectors.incoming_page(world["fin_clerk"])[0][0].year
    client.force_login(world["fin_clerk"])

    response = client.get(f"{BASE}/registers?agency=H98.102&kind=incoming&year={year}")
    wrong = client.get(f"{BASE}/registers?agency=H98.102&kind=ngang&year={year}")

    assert response.status_code == 200
    entries = response.json()["entries"]
    assert [(e["number"], e["number_text"], e["symbol"], e["signer"]) for e in entries] == [
        (1, "01", "1/BTC-NSNN", "Bộ Tài chính"),
        (2, "02", "2/BTC-NSNN", "Bộ Tài chính"),
        (3, "03", "3/BTC-NSNN", "Bộ Tài chính"),
    ]
    assert wrong.status_code == 422


def test_the_officers_home_takes_a_fixed_number_of_queries(world):
    for n in range(1, 3):
        _paper(world, n)
    leader = type(world["fin_leader"]).objects.get(pk=world["fin_leader"].pk)

    with CaptureQueriesContext(connection) as few:
        home = selectors.home(leader)
    for n in range(3, 8):
        _paper(world, n)
    leader = type(leader).objects.get(pk=leader.pk)
    with CaptureQueriesContext(connection) as more:
        later = selectors.home(leader, limit=5)

    assert (home.counts["to_handle"], later.counts["to_handle"], len(later.to_handle)) == (2, 7, 5)
    assert (home.counts["to_review"], home.counts["to_sign"], home.counts["overdue"]) == (0, 0, 0)
    assert len(few.captured_queries) <= len(more.captured_queries) <= 12


def test_the_register_takes_the_same_number_of_queries_for_three_or_six_entries(world):
    for n in range(1, 4):
        _paper(world, n)
    year = selectors.incoming_page(world["fin_clerk"])[0][0].year
    clerk = type(world["fin_clerk"]).objects.get(pk=world["fin_clerk"].pk)
    with CaptureQueriesContext(connection) as three:
        first = selectors.register(clerk, agency=world["finance"], kind="incoming", year=year)
    for n in range(4, 7):
        _paper(world, n)
    clerk = type(clerk).objects.get(pk=clerk.pk)
    with CaptureQueriesContext(connection) as six:
        second = selectors.register(clerk, agency=world["finance"], kind="incoming", year=year)

    assert (len(first), len(second)) == (3, 6)
    assert len(three.captured_queries) == len(six.captured_queries)


def test_a_secret_document_addressed_outside_is_409_naming_the_field_and_recall_needs_a_reason(client, world, token):
    from egov.documents.tests.conftest import signed

    secret = signed(world, secrecy="mat", external_recipients=["Bộ Công an"])
    ordinary = signed(world, subject="Văn bản thường")
    client.force_login(world["clerk"])

    refused = client.post(
        f"{BASE}/outgoing/{secret.pk}/actions/issue", {"electronic": False}, content_type="application/json"
    )
    issued = client.post(f"{BASE}/outgoing/{ordinary.pk}/actions/issue", {}, content_type="application/json")
    no_reason = client.post(f"{BASE}/outgoing/{ordinary.pk}/actions/recall", {}, content_type="application/json")
    recalled = client.post(
        f"{BASE}/outgoing/{ordinary.pk}/actions/recall", {"reason": "Sai thể thức"}, content_type="application/json"
    )

    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        409,
        "secret_document_release",
        "external_recipients",
    )
    assert (issued.json()["number"], issued.json()["symbol"]) == (1, "01/QĐ-STP")
    assert (no_reason.status_code, no_reason.json()["errors"][0]["field"]) == (422, "reason")
    assert (recalled.json()["status"], recalled.json()["recall_reason"]) == ("recalled", "Sai thể thức")


@pytest.mark.parametrize("missing", ["drafting_unit", "doc_type"])
def test_a_draft_without_its_unit_or_type_is_422_naming_that_field(client, world, missing):
    client.force_login(world["specialist"])
    data = {"doc_type": "quyet-dinh", "subject": "Thử", "drafting_unit": "H98.101.02", "body": "Điều 1. Thử."}
    data[missing] = ""

    response = client.post(f"{BASE}/outgoing", data)

    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [missing]
