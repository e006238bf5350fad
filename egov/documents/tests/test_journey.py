"""The whole journey of the issue through the API: a specialist drafts a Quyết định from the template,
the unit head returns it with a note, it is revised and forwarded, approved, the leader signs with
the token PIN, the clerk numbers, seals and issues it to two agencies; each receives it and its leader
assigns a lead and a cooperating unit with a deadline; the lead specialist answers with a công văn in
reply; the first document's trace shows the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.documents.models import IncomingDocument
from egov.documents.tests.conftest import BODY, PIN

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"


def _post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {}, content_type="application/json")


def _division(parent, name, code):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation

    return create_organisation(by=None, parent=parent, name=name, kind=Kind.DIVISION, code=code)


def test_the_full_journey_of_a_decision_and_its_answer(client, world, token, make_officer):
    commune_office = _division(world["commune"], "Văn phòng HĐND và UBND xã", "H98.301.01")
    commune_culture = _division(world["commune"], "Phòng Văn hóa - Xã hội", "H98.301.02")
    treasury = _division(world["finance"], "Phòng Ngân sách", "H98.102.03")
    make_officer("unit_head", commune_office, username="cvp.xa")

    # The specialist drafts from the template.
    client.force_login(world["specialist"])
    created = client.post(
        f"{BASE}/outgoing",
        {
            "doc_type": "quyet-dinh",
            "subject": "Ban hành Quy chế công tác văn thư",
            "drafting_unit": "H98.101.02",
            "body": BODY,
            "signer": "gd.tp",
            "signer_title": "Giám đốc",
            "recipients": ["H98.102", "H98.301"],
            "place": "Sơn Nam",
        },
    )
    assert created.status_code == 201, created.json()
    doc_id = created.json()["id"]
    url = f"{BASE}/outgoing/{doc_id}"
    assert (created.json()["status"], created.json()["number"], created.json()["symbol"]) == ("draft", None, "")

    assert _post(client, world["specialist"], f"{url}/actions/submit").status_code == 200
    returned = _post(client, world["head"], f"{url}/actions/return", {"note": "Bổ sung căn cứ Luật Lưu trữ."})
    assert returned.json()["status"] == "returned"

    client.force_login(world["specialist"])
    revised = client.post(f"{url}/versions", {"body": "Căn cứ Luật Lưu trữ 2024;\n\n" + BODY, "note": "Đã bổ sung"})
    assert revised.status_code == 201, revised.json()
    assert _post(client, world["specialist"], f"{url}/actions/submit").json()["status"] == "under_review"
    assert _post(client, world["head"], f"{url}/actions/approve").json()["awaiting"] == "document.sign"

    wrong = _post(client, world["leader"], f"{url}/actions/sign", {"pin": "111111"})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "wrong_pin")
    signed = _post(client, world["leader"], f"{url}/actions/sign", {"pin": PIN})
    assert signed.json()["status"] == "signed", signed.json()

    issued = _post(client, world["clerk"], f"{url}/actions/issue")
    body = issued.json()
    assert (issued.status_code, body["status"], body["number"], body["symbol"]) == (200, "issued", 1, "01/QĐ-STP")
    assert body["issued_at"] is not None
    client.force_login(world["clerk"])
    pdf = client.get(body["pdf_url"])
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert [t["action"] for t in body["trail"]] == [
        "created",
        "submitted",
        "returned",
        "revised",
        "submitted",
        "approved",
        "approved",
        "signed",
        "issued",
    ]

    # Each agency receives it; its leader assigns a lead and a cooperating unit with a deadline.
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    for clerk, leader, lead, cooperating in (
        (world["fin_clerk"], world["fin_leader"], "H98.102.02", treasury.code),
        (world["com_clerk"], world["com_leader"], commune_office.code, commune_culture.code),
    ):
        client.force_login(clerk)
        listed = client.get(f"{BASE}/incoming?status=received").json()["items"]
        assert [i["symbol"] for i in listed] == ["01/QĐ-STP"]
        accepted = _post(client, clerk, f"{BASE}/incoming/{listed[0]['id']}/actions/accept").json()
        assert (accepted["arrival_number"], accepted["signatures_ok"]) == (1, True)
        assigned = _post(
            client,
            leader,
            f"{BASE}/incoming/{listed[0]['id']}/assignments",
            {"lead": lead, "cooperating": [cooperating], "deadline": deadline, "instruction": "Triển khai."},
        )
        assert assigned.status_code == 201, assigned.json()
        assert [(a["role"], a["deadline"]) for a in assigned.json()["assignments"]] == [
            ("lead", deadline),
            ("cooperate", deadline),
        ]

    # The lead specialist at Finance answers with a công văn in reply.
    finance_copy = IncomingDocument.objects.get(agency=world["finance"])
    lead_assignment = finance_copy.assignments.get(role="lead")
    given = _post(
        client,
        world["fin_head"],
        f"{BASE}/incoming/{finance_copy.pk}/assignments/{lead_assignment.pk}/specialist",
        {"specialist": "cv.tc"},
    )
    assert given.status_code == 200, given.json()
    client.force_login(world["fin_specialist"])
    answer = client.post(
        f"{BASE}/outgoing",
        {
            "doc_type": "cong-van",
            "subject": "V/v triển khai Quy chế công tác văn thư",
            "drafting_unit": "H98.102.02",
            "body": "Sở Tài chính đã triển khai Quy chế.",
            "signer": "gd.tc",
            "signer_title": "Giám đốc",
            "recipients": ["H98.101"],
            "in_reply_to": str(finance_copy.pk),
            "place": "Sơn Nam",
        },
    )
    assert answer.status_code == 201, answer.json()
    done = _post(
        client,
        world["fin_specialist"],
        f"{BASE}/incoming/{finance_copy.pk}/actions/complete",
        {"answer": answer.json()["id"]},
    )
    assert done.json()["status"] == "completed", done.json()

    client.force_login(world["specialist"])
    trace = client.get(url).json()["deliveries"]
    assert [(d["agency"], d["arrival_number"], d["answers"]) for d in trace] == [
        ("H98.102", 1, ["V/v triển khai Quy chế công tác văn thư"]),
        ("H98.301", 1, []),
    ]
    assert trace[0]["assignments"] == ["Chủ trì: Phòng Đăng ký kinh doanh", "Phối hợp: Phòng Ngân sách"]
