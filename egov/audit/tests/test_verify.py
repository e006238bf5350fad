"""Verifying the chain, and the ``verify_audit_chain`` command: the first broken record is named."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from egov.audit.models import AuditRecord
from egov.audit.services import ChainReport, compute_hash, verify_chain
from egov.audit.tests.conftest import raw_update, triggers_disabled


def edit_after(seq: int, after: dict, *, rehash: bool = False) -> None:
    """Change a record's ``after`` behind the ORM guard and the trigger (optionally fixing its hash)."""
    fields = {"after": after}
    if rehash:
        rec = AuditRecord.objects.get(seq=seq)
        rec.after = after
        fields["hash"] = compute_hash(rec)
    with triggers_disabled():
        models.QuerySet.update(AuditRecord.objects.filter(seq=seq), **fields)


def delete(seq: int) -> None:
    with triggers_disabled():
        raw_update("DELETE FROM audit_auditrecord WHERE seq = %s", [seq])


def pk_of(chain, seq: int) -> int:
    return chain[seq - 1].pk


def run_command() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


# --- an intact chain ----------------------------------------------------------------------------


def test_given_an_intact_chain_when_verifying_then_every_record_is_checked(chain):
    assert verify_chain() == ChainReport(ok=True, checked=5)
    assert verify_chain(chunk_size=2) == ChainReport(ok=True, checked=5)
    assert run_command() == "Chuỗi nhật ký toàn vẹn: 5 bản ghi.\n"


def test_given_an_empty_trail_when_verifying_then_zero_records_are_reported(db):
    assert verify_chain() == ChainReport(ok=True, checked=0)
    assert run_command() == "Chuỗi nhật ký toàn vẹn: 0 bản ghi.\n"


# --- tampering ----------------------------------------------------------------------------------


def test_given_a_middle_record_edited_when_verifying_then_that_record_is_named(chain):
    edit_after(3, {"n": 99})

    assert verify_chain() == ChainReport(False, 2, 3, pk_of(chain, 3), "nội dung đã bị sửa")
    with pytest.raises(CommandError) as caught:
        run_command()
    assert str(caught.value) == (
        f"Chuỗi nhật ký bị phá vỡ tại bản ghi số 3 (id {pk_of(chain, 3)}): nội dung đã bị sửa. "
        "2 bản ghi trước đó hợp lệ."
    )


def test_given_two_records_edited_when_verifying_then_the_first_one_is_named(chain):
    edit_after(4, {"n": 40})
    edit_after(2, {"n": 20})

    assert verify_chain() == ChainReport(False, 1, 2, pk_of(chain, 2), "nội dung đã bị sửa")
    with pytest.raises(CommandError, match=r"^Chuỗi nhật ký bị phá vỡ tại bản ghi số 2 \("):
        run_command()


def test_given_an_edited_record_whose_hash_was_recomputed_when_verifying_then_the_next_record_is_named(chain):
    edit_after(3, {"n": 99}, rehash=True)

    assert verify_chain() == ChainReport(False, 3, 4, pk_of(chain, 4), "liên kết với bản ghi trước bị sai")
    with pytest.raises(CommandError) as caught:
        run_command()
    assert str(caught.value) == (
        f"Chuỗi nhật ký bị phá vỡ tại bản ghi số 4 (id {pk_of(chain, 4)}): liên kết với bản ghi trước bị sai. "
        "3 bản ghi trước đó hợp lệ."
    )


def test_given_a_middle_record_deleted_when_verifying_then_the_missing_seq_is_named(chain):
    delete(3)

    # The id is that of the record found where seq 3 should have been.
    assert verify_chain() == ChainReport(False, 2, 3, pk_of(chain, 4), "thiếu bản ghi số 3 (đã bị xóa)")
    with pytest.raises(CommandError) as caught:
        run_command()
    assert str(caught.value) == (
        f"Chuỗi nhật ký bị phá vỡ tại bản ghi số 3 (id {pk_of(chain, 4)}): thiếu bản ghi số 3 (đã bị xóa). "
        "2 bản ghi trước đó hợp lệ."
    )


def test_given_the_first_record_deleted_when_verifying_then_seq_1_is_named(chain):
    delete(1)

    assert verify_chain() == ChainReport(False, 0, 1, pk_of(chain, 2), "thiếu bản ghi số 1 (đã bị xóa)")


def test_given_the_last_record_deleted_when_verifying_then_the_head_names_the_missing_seq(chain):
    delete(5)

    assert verify_chain() == ChainReport(False, 4, 5, None, "thiếu các bản ghi cuối (đầu chuỗi ghi số 5)")
    with pytest.raises(CommandError) as caught:
        run_command()
    assert str(caught.value) == (
        "Chuỗi nhật ký bị phá vỡ tại bản ghi số 5: thiếu các bản ghi cuối (đầu chuỗi ghi số 5). "
        "4 bản ghi trước đó hợp lệ."
    )


def test_given_the_last_two_records_deleted_when_verifying_then_the_first_missing_seq_is_named(chain):
    delete(5)
    delete(4)

    assert verify_chain() == ChainReport(False, 3, 4, None, "thiếu các bản ghi cuối (đầu chuỗi ghi số 5)")


def test_given_the_chain_head_lost_when_verifying_then_the_chain_is_reported_broken(chain):
    from django.db import connection

    from egov.audit.models import AuditChainHead

    with triggers_disabled(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditchainhead")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditchainhead ENABLE TRIGGER USER")
    assert not AuditChainHead.objects.exists()

    assert verify_chain() == ChainReport(False, 5, 6, None, "mất bản ghi đầu chuỗi")
