"""Appending to the trail: a contiguous hash chain, who/where/how, and before/after values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from egov.audit import services as audit
from egov.audit.models import AuditChainHead, AuditRecord
from egov.audit.services import GENESIS_HASH, compute_hash, verify_chain
from egov.core import context


def test_given_an_empty_trail_when_recording_three_times_then_seq_runs_1_to_3_and_each_links_to_the_previous(db):
    records = [audit.record(actor=None, action=f"test.{n}") for n in range(1, 4)]

    stored = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in stored] == [1, 2, 3]
    assert [r.pk for r in stored] == [r.pk for r in records]
    assert [r.prev_hash for r in stored] == [GENESIS_HASH, stored[0].hash, stored[1].hash]
    assert all(len(r.hash) == 64 and r.hash == compute_hash(r) for r in stored)
    assert len({r.hash for r in stored}) == 3
    head = AuditChainHead.objects.get()
    assert (head.pk, head.last_seq, head.last_hash) == (1, 3, stored[2].hash)
    assert verify_chain() == audit.ChainReport(ok=True, checked=3)


def test_given_a_record_rolled_back_with_its_transaction_then_the_next_one_takes_its_seq(db):
    audit.record(actor=None, action="test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, action="test.rolled_back")
        raise RuntimeError("the change failed")

    audit.record(actor=None, action="test.after")

    assert list(AuditRecord.objects.order_by("seq").values_list("seq", "action")) == [
        (1, "test.kept"),
        (2, "test.after"),
    ]
    assert verify_chain().ok


def test_given_an_actor_a_target_and_values_when_recording_then_everything_is_stored_json_ready(tree, admin_user):
    justice = tree["justice"]
    at = datetime(2025, 7, 1, 8, 30, tzinfo=UTC)

    rec = audit.record(
        actor=admin_user,
        action="test.values",
        target=justice,
        before={"valid_to": None, "day": date(2025, 6, 30), "items": ("a", "b")},
        after={
            "valid_to": date(2025, 6, 30),
            "at": at,
            "amount": Decimal("150000.50"),
            "ratio": 0.1,
            "token": UUID("12345678-1234-5678-1234-567812345678"),
            "unit": justice,
            "period": timedelta(hours=8),
            "nested": {1: [date(2025, 1, 1)]},
        },
    )

    stored = AuditRecord.objects.get(pk=rec.pk)
    assert (stored.actor_id, stored.actor_repr, stored.channel, stored.ip_address) == (
        admin_user.pk,
        "quantri",
        "system",
        "",
    )
    assert (stored.action, stored.target_type, stored.target_id, stored.target_repr) == (
        "test.values",
        "organisations.organisation",
        str(justice.pk),
        "Sở Tư pháp",
    )
    assert stored.before == {"valid_to": None, "day": "2025-06-30", "items": ["a", "b"]}
    assert stored.after == {
        "valid_to": "2025-06-30",
        "at": "2025-07-01T08:30:00+00:00",
        "amount": "150000.50",
        "ratio": "0.1",
        "token": "12345678-1234-5678-1234-567812345678",
        "unit": justice.pk,
        "period": 28800.0,
        "nested": {"1": ["2025-01-01"]},
    }
    # What the database gives back still hashes to the stored hash (JSON and timestamps round-trip).
    assert compute_hash(stored) == stored.hash == rec.hash
    assert verify_chain().ok


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_given_no_signed_in_actor_when_recording_then_the_platform_is_named(db, actor):
    rec = audit.record(actor=actor, action="test.system", target_repr="x" * 400)
    assert (rec.actor_id, rec.actor_repr, rec.target_type, rec.target_id, len(rec.target_repr)) == (
        None,
        "hệ thống",
        "",
        "",
        300,
    )


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("not-an-address", ""),
        (None, ""),
    ],
)
def test_given_a_bound_request_context_when_recording_then_ip_and_channel_are_taken_from_it(db, raw, stored):
    token = context.bind(context.RequestContext(ip_address=raw, channel="web"))
    try:
        rec = audit.record(actor=None, action="test.context")
    finally:
        context.reset(token)

    assert (AuditRecord.objects.get(pk=rec.pk).ip_address, rec.channel) == (stored, "web")
    assert audit.record(actor=None, action="test.unbound").channel == "system"


def test_given_an_officer_when_requesting_an_api_token_then_the_record_names_them_their_address_and_the_api(
    client, admin_user
):
    count = AuditRecord.objects.count()

    response = client.post(
        "/api/v1/auth/token",
        {"username": "quantri", "password": "Mk-thu-nghiem-2026"},
        content_type="application/json",
    )

    assert response.status_code == 200
    [rec] = AuditRecord.objects.order_by("seq")[count:]
    assert (rec.seq, rec.action, rec.actor_id, rec.actor_repr, rec.ip_address, rec.channel) == (
        count + 1,
        "auth.issue_token",
        admin_user.pk,
        "quantri",
        "127.0.0.1",
        "api",
    )
    assert rec.target_type == "people.apitoken"
    assert rec.target_repr == f"token {response.json()['access_token'][:8]}…"
    assert rec.before is None
    assert set(rec.after) == {"expires_at"}
    assert verify_chain().ok


def test_given_a_forwarded_for_header_and_no_trusted_proxy_then_the_socket_address_is_recorded(client, admin_user):
    client.post(
        "/api/v1/auth/token",
        {"username": "quantri", "password": "Mk-thu-nghiem-2026"},
        content_type="application/json",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
        REMOTE_ADDR="192.0.2.10",
    )
    assert AuditRecord.objects.order_by("-seq").values_list("action", "ip_address").first() == (
        "auth.issue_token",
        "192.0.2.10",
    )
