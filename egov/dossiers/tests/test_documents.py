"""What dossier events produce besides data: the signed legal forms (Mẫu 01 at reception, 02 on a
supplement request, 03 on refusal, 04 on an apology) and the applicant's notifications in the outbox,
once per event."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from egov.dossiers import documents, services
from egov.dossiers.models import Dossier, IssuedForm
from egov.dossiers.tests.conftest import receive, vn
from egov.notifications.models import OutboxMessage

PDFTOTEXT = shutil.which("pdftotext") or ("/usr/bin/pdftotext" if os.path.exists("/usr/bin/pdftotext") else None)


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def journey(world, officers, clock, **contact) -> str:
    """Reception → supplement requested and received → apology → every step → result returned."""
    code = receive(world, officers["desk"], **contact).code  # Mon 09:00, due Wed 09:00

    def act(who, action, **payload):
        services.ACTIONS[action](by=officers[who], dossier=code, **payload)

    act("desk", "forward")
    clock.now = vn(2027, 3, 1, 9, 30)
    act("specialist", "request_supplement", items=["Bản sao giấy tờ tùy thân (bản rõ nét)"], reason="Bản sao bị mờ")
    clock.now = vn(2027, 3, 1, 10)
    act("desk", "supplement")  # restart: due Wed 10:00
    act("leader", "apologize", reason="Chờ ý kiến Sở Tài chính", new_due_at=vn(2027, 3, 5, 16))
    for who in ("specialist", "partner", "leader", "desk"):
        act(who, "forward")
    act("desk", "record_payment")
    act("desk", "return_result", method="counter")
    return code


@pytest.fixture
def forms(world, officers, clock):
    """Mẫu 01, 02, 04 of a whole journey and Mẫu 03 of a refused dossier, by form code."""
    code = journey(world, officers, clock)
    clock.now = vn(2027, 3, 1, 11)
    refused = receive(world, officers["desk"]).code
    services.refuse(by=officers["desk"], dossier=refused, reason="Hợp đồng không thuộc thẩm quyền")
    issued = {f.code: f for f in IssuedForm.objects.filter(dossier__code=code)}
    issued["03"] = IssuedForm.objects.get(dossier__code=refused, code="03")
    return {"code": code, "refused": refused, "issued": issued}


def test_each_event_issues_its_form_signed_by_the_issuing_unit(forms):
    from egov.signing.services import validate_pdf

    issued = forms["issued"]
    assert sorted(issued) == ["01", "02", "03", "04"]
    assert list(IssuedForm.objects.filter(dossier__code=forms["code"]).values_list("code", flat=True)) == [
        "01",
        "02",
        "04",
    ]
    reports = {code: validate_pdf(form.pdf.read()) for code, form in issued.items()}
    summary = {
        code: [(r.intact, r.valid, r.trusted, r.signer_identifier, r.signer_common_name) for r in found]
        for code, found in reports.items()
    }
    desk = (True, True, True, "H98.101.01", "Bộ phận Một cửa Sở Tư pháp")
    agency = (True, True, True, "H98.101", "Sở Tư pháp")  # Mẫu 04 is the handling agency's
    assert summary == {"01": [desk], "02": [desk], "03": [desk], "04": [agency]}
    assert all(form.signed and form.form_set == "tt03_2025" for form in issued.values())


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_each_form_says_what_it_is_about(forms):
    code, refused = forms["code"], forms["refused"]
    text = {number: pdf_text(form.pdf.read()) for number, form in forms["issued"].items()}

    assert code in text["01"] and "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".upper() in text["01"].upper()
    # The appointment: 2 working days after Monday 09:00.
    assert "09 giờ 00 phút, ngày 03 tháng 3 năm 2027" in text["01"]
    assert code in text["02"] and "Bản sao giấy tờ tùy thân (bản rõ nét)" in text["02"]
    assert refused in text["03"] and "Hợp đồng không thuộc thẩm quyền" in text["03"]
    assert code in text["04"] and "Chờ ý kiến Sở Tài chính" in text["04"]
    # Mẫu 04: the due date it replaces (Wed 10:00, after the supplement restarted the clock) and the new one.
    assert "ngày 03 tháng 3 năm 2027" in text["04"] and "ngày 05 tháng 3 năm 2027" in text["04"]


def test_accepting_an_online_dossier_issues_a_signed_receipt(world, officers, clock):
    from egov.dossiers.tests.conftest import applicant, components_all
    from egov.signing.services import validate_pdf

    code = services.submit_online(
        by=None,
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(),
        components=components_all(world["procedure"]),
    ).code
    assert not IssuedForm.objects.filter(dossier__code=code).exists()

    services.accept(by=officers["desk"], dossier=code)

    receipt = IssuedForm.objects.get(dossier__code=code)
    pdf = receipt.pdf.read()
    assert receipt.code == "01"
    [report] = validate_pdf(pdf)
    assert (report.ok, report.signer_identifier) == (True, "H98.101.01")
    if PDFTOTEXT:
        assert "09 giờ 00 phút, ngày 03 tháng 3 năm 2027" in pdf_text(pdf)


# --- notifications ----------------------------------------------------------------------------------

EVENTS = ["dossier.received", "dossier.supplement_requested", "dossier.apology", "dossier.result_ready"]


@pytest.mark.parametrize(
    ("contact", "recipients"),
    [
        ({}, [("email", "an@example.vn"), ("sms", "+84912345678")]),
        ({"phone": ""}, [("email", "an@example.vn")]),
        ({"email": ""}, [("sms", "+84912345678")]),
        ({"email": "", "phone": ""}, []),
    ],
    ids=["email-and-phone", "email-only", "phone-only", "neither"],
)
def test_each_event_queues_one_notification_per_channel_the_applicant_gave(
    contact, recipients, world, officers, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        code = journey(world, officers, clock, **contact)

    messages = list(OutboxMessage.objects.filter(reference=code).order_by("pk"))
    assert [(m.kind, m.channel, m.recipient) for m in messages] == [
        (kind, channel, recipient) for kind in EVENTS for channel, recipient in recipients
    ]
    assert OutboxMessage.objects.exclude(reference=code).count() == 0
    # The outbox is idempotent per event: telling the applicant twice about one event queues it once.
    dossier = Dossier.objects.get(code=code)
    documents.notify(dossier, "dossier.result_ready")
    documents.notify(dossier, "dossier.result_ready")
    assert OutboxMessage.objects.count() == len(messages) + len(recipients)
