"""Who may do what to which document: each role × own / other agency × operation, asserting the refusal
and that nothing changed; and who sees secret documents, in lists and registers alike."""

from __future__ import annotations

import pytest

from egov.core.errors import PermissionDenied
from egov.documents import selectors, services
from egov.documents.errors import NotSigned
from egov.documents.models import IncomingDocument, OutgoingDocument
from egov.documents.tests.conftest import draft, small_pdf

pytestmark = pytest.mark.django_db

# (officer, may draft in the Justice division)
DRAFTERS = {
    "specialist": True,
    "head": True,
    "leader": False,
    "clerk": False,
    "fin_specialist": False,
    "fin_head": False,
}


@pytest.mark.parametrize(("officer", "allowed"), list(DRAFTERS.items()))
def test_who_may_draft_in_the_justice_division(world, officer, allowed):
    if allowed:
        document = draft(world, by=world[officer])
        assert document.drafter == world[officer]
    else:
        with pytest.raises(PermissionDenied):
            draft(world, by=world[officer])
        assert OutgoingDocument.objects.count() == 0


# (officer, sees an ordinary draft of the Justice division, sees a secret one before review)
VIEWERS = {
    "specialist": (True, True),  # the drafter
    "head": (True, False),  # the unit head: not named on the secret draft until it awaits them
    "leader": (True, True),  # named as the signer
    "clerk": (True, True),  # the agency's clerk
    "fin_leader": (False, False),
    "fin_clerk": (False, False),
    "com_leader": (False, False),
}


@pytest.mark.parametrize(("officer", "expected"), list(VIEWERS.items()))
def test_who_sees_ordinary_and_secret_drafts(world, officer, expected):
    ordinary = draft(world)
    secret = draft(world, secrecy="mat", subject="Phương án bảo vệ bí mật")

    visible = set(selectors.outgoing_visible_to(world[officer]).values_list("pk", flat=True))

    assert (ordinary.pk in visible, secret.pk in visible) == expected


def test_a_secret_draft_becomes_visible_to_the_reviewer_it_awaits_and_stays_visible_after_they_acted(world):
    secret = draft(world, secrecy="mat", subject="Phương án bảo vệ bí mật")
    other_head = world["head"]
    services.submit(by=world["specialist"], document=secret)
    assert selectors.outgoing_visible_to(other_head).filter(pk=secret.pk).exists()
    services.approve(by=other_head, document=secret)
    assert selectors.outgoing_visible_to(other_head).filter(pk=secret.pk).exists()  # named in the trail


@pytest.mark.parametrize(
    ("officer", "allowed"),
    [("clerk", True), ("fin_clerk", False), ("specialist", False), ("leader", False), ("head", False)],
)
def test_only_the_agencys_clerk_may_issue(world, officer, allowed):
    document = draft(world)

    with pytest.raises(NotSigned if allowed else PermissionDenied):
        services.issue(by=world[officer], document=document)
    document.refresh_from_db()
    assert (document.status, document.number) == ("draft", None)


@pytest.mark.parametrize(
    ("officer", "allowed"),
    [("fin_clerk", True), ("clerk", False), ("fin_specialist", False), ("fin_leader", False), ("com_clerk", False)],
)
def test_only_the_agencys_clerk_registers_paper_arrivals(world, officer, allowed):
    call = dict(
        by=world[officer],
        agency=world["finance"],
        file_name="scan.pdf",
        file_content=small_pdf("Công văn đến"),
        sender_name="Bộ Tài chính",
        subject="Về dự toán",
    )
    if allowed:
        assert services.register_paper_incoming(**call).arrival_number == 1
    else:
        with pytest.raises(PermissionDenied):
            services.register_paper_incoming(**call)
        assert IncomingDocument.objects.count() == 0


def test_secret_arrivals_are_hidden_from_the_agencys_units_and_registers_until_assigned(world):
    ordinary = services.register_paper_incoming(
        by=world["fin_clerk"],
        agency=world["finance"],
        file_name="a.pdf",
        file_content=small_pdf("A"),
        sender_name="Bộ Tài chính",
        subject="Thường",
    )
    secret = services.register_paper_incoming(
        by=world["fin_clerk"],
        agency=world["finance"],
        file_name="b.pdf",
        file_content=small_pdf("B"),
        sender_name="Bộ Công an",
        subject="Mật",
        secrecy="mat",
    )

    def register_ids(officer):
        entries = selectors.register(world[officer], agency=world["finance"], kind="incoming", year=ordinary.year)
        return [e.document_id for e in entries]

    assert register_ids("fin_clerk") == [ordinary.pk, secret.pk]
    assert register_ids("fin_leader") == [ordinary.pk, secret.pk]  # the leader directs it
    assert register_ids("fin_head") == []  # the division sees only what is assigned to it
    assert register_ids("clerk") == []  # another agency's clerk
    services.assign(by=world["fin_leader"], incoming=secret, lead=world["finance_div"])
    assert register_ids("fin_head") == [secret.pk]
    assert register_ids("fin_specialist") == [secret.pk]


@pytest.mark.parametrize(
    ("officer", "allowed"),
    [
        ("fin_leader", True),
        ("fin_head", False),
        ("fin_clerk", False),
        ("fin_specialist", False),
        ("leader", False),
        ("com_leader", False),
    ],
)
def test_only_the_agencys_leader_directs_its_incoming_documents(world, officer, allowed):
    arrival = services.register_paper_incoming(
        by=world["fin_clerk"],
        agency=world["finance"],
        file_name="a.pdf",
        file_content=small_pdf("A"),
        sender_name="Bộ Tài chính",
        subject="Về dự toán",
    )

    if allowed:
        services.assign(by=world[officer], incoming=arrival, lead=world["finance_div"])
    else:
        with pytest.raises(PermissionDenied):
            services.assign(by=world[officer], incoming=arrival, lead=world["finance_div"])
    arrival.refresh_from_db()
    assert (arrival.status, arrival.assignments.count()) == (("assigned", 1) if allowed else ("accepted", 0))


@pytest.mark.parametrize(
    ("officer", "allowed"),
    [("head", True), ("leader", True), ("fin_head", False), ("clerk", False), ("specialist", False)],
)
def test_who_may_return_a_draft_at_the_unit_heads_stage(world, officer, allowed):
    document = draft(world)
    services.submit(by=world["specialist"], document=document)

    if allowed:
        services.return_(by=world[officer], document=document, note="Sửa lại.")
    else:
        with pytest.raises(PermissionDenied):
            services.return_(by=world[officer], document=document, note="Sửa lại.")
    document.refresh_from_db()
    assert document.status == ("returned" if allowed else "under_review")
