"""The demo's official documents: every state, through the services, loaded once."""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.demo import documents as demo_documents
from egov.demo.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from egov.documents.models import IncomingDocument, OutgoingDocument, ReviewStep
from egov.signing.models import OfficerCredential

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("softhsm2-util") is None, reason="needs SoftHSM2 (softhsm2)"),
]


@pytest.fixture(autouse=True)
def _no_remote_signing(settings, monkeypatch):
    settings.EGOV_DEMO_CSC = False
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _documents_state():
    return {
        "outgoing": sorted(OutgoingDocument.objects.values_list("subject", "status", "symbol")),
        "incoming": sorted(IncomingDocument.objects.values_list("agency__code", "subject", "status")),
        "credentials": OfficerCredential.objects.count(),
        "trail": ReviewStep.objects.count(),
    }


def test_the_documents_step_seeds_every_state_once(settings):
    # When the demo is seeded
    output = _seed()

    # Then nothing was skipped and the documents are in every state
    assert "Bỏ qua" not in output, output
    outgoing = dict(OutgoingDocument.objects.values_list("subject", "status"))
    assert outgoing == {
        demo_documents.DRAFT: "draft",
        demo_documents.UNDER_REVIEW: "under_review",
        demo_documents.RETURNED: "returned",
        demo_documents.APPROVED: "approved",
        demo_documents.SIGNED: "signed",
        demo_documents.ISSUED: "issued",
        demo_documents.ANSWER: "issued",
        demo_documents.SECRET: "issued",
    }
    assert dict(OutgoingDocument.objects.filter(status="issued").values_list("subject", "symbol")) == {
        demo_documents.ISSUED: "01/QĐ-STP",
        demo_documents.SECRET: "01/QĐ-STP",  # the secret register has its own series
        demo_documents.ANSWER: "01/STC-ĐKKD",
    }
    assert OutgoingDocument.objects.get(subject=demo_documents.SECRET).released_electronically is False
    incoming = sorted(IncomingDocument.objects.values_list("agency__code", "subject", "status", "source"))
    assert incoming == sorted(
        [
            ("H99", demo_documents.ISSUED, "assigned", "internal"),
            ("H99.104", demo_documents.ISSUED, "completed", "internal"),
            ("H99.103", demo_documents.ANSWER, "received", "internal"),
            ("H99.103", demo_documents.PAPER, "accepted", "paper"),
            ("H99.103", demo_documents.OVERDUE, "assigned", "paper"),
        ]
    )
    finance = IncomingDocument.objects.get(agency__code="H99.104")
    assert finance.answer.subject == demo_documents.ANSWER
    assert sorted(finance.assignments.values_list("role", "unit__code")) == [
        ("cooperate", "H99.104.03"),
        ("lead", "H99.104.02"),
    ]
    overdue = IncomingDocument.objects.get(subject=demo_documents.OVERDUE)
    assert overdue.handling_due < timezone.localdate()
    returned = OutgoingDocument.objects.get(subject=demo_documents.RETURNED)
    assert returned.trail.filter(action="returned").values_list("note", flat=True).get().startswith("Bổ sung")
    # ... the signers have their tokens, with the demo password as PIN
    assert sorted(OfficerCredential.objects.filter(active=True).values_list("user__username", "method")) == [
        ("chutich.tinh", "pkcs11"),
        ("giamdoc.stc", "pkcs11"),
        ("giamdoc.stp", "pkcs11"),
        ("lanhdao.stp", "pkcs11"),
    ]

    # When the seed runs a second time
    before = _documents_state()
    second = _seed()

    # Then the documents step adds nothing
    assert "0 văn bản." in second
    assert _documents_state() == before
    # ... and so does the step on its own
    problems: list[str] = []
    assert demo_documents.load(password=DEFAULT_DEMO_PASSWORD, problem=problems.append) == 0
    assert (problems, _documents_state()) == ([], before)

    # When the stand-in remote signing service is on
    settings.EGOV_DEMO_CSC = True
    assert demo_documents.load(password=DEFAULT_DEMO_PASSWORD, problem=problems.append) == 1

    # Then the Vice-Chairman signs remotely (a credential at the service, recorded as ``csc``), once
    remote = OfficerCredential.objects.get(user__username="phochutich.tinh", active=True)
    assert (remote.method, bool(remote.csc_credential_id), remote.title) == ("csc", True, "Phó Chủ tịch")
    assert demo_documents.load(password=DEFAULT_DEMO_PASSWORD, problem=problems.append) == 0
    assert problems == []
