"""Writing and verifying the audit trail.

Every service that changes data calls :func:`record` inside its transaction, so the audit row
commits or rolls back with the change itself.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import models, transaction
from django.utils import timezone

from egov.audit.models import AuditChainHead, AuditRecord
from egov.core import context
from egov.core.signals import security_event

__all__ = ["record", "snapshot", "verify_chain", "ChainReport", "GENESIS_HASH"]

GENESIS_HASH = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        # Floats do not round-trip exactly through every database; keep them as text.
        return repr(value)
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), JSON-ready."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def _canonical(rec: AuditRecord) -> bytes:
    payload = {
        "seq": rec.seq,
        "at": rec.at.astimezone(UTC).isoformat(),
        "actor_id": rec.actor_id,
        "actor_repr": rec.actor_repr,
        "ip_address": rec.ip_address,
        "channel": rec.channel,
        "action": rec.action,
        "target_type": rec.target_type,
        "target_id": rec.target_id,
        "target_repr": rec.target_repr,
        "before": rec.before,
        "after": rec.after,
    }
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (rec.prev_hash + "\n" + body).encode("utf-8")


def compute_hash(rec: AuditRecord) -> str:
    return hashlib.sha256(_canonical(rec)).hexdigest()


def _normalise_ip(value: str | None) -> str:
    if not value:
        return ""
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return ""


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target_repr: str | None = None,
) -> AuditRecord:
    """Append one record to the chain, inside the caller's transaction."""
    ctx = context.current()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        rec = AuditRecord(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor if authenticated else None,
            actor_repr=(actor.get_username() if authenticated else "hệ thống")[:200],
            ip_address=_normalise_ip(ctx.ip_address),
            channel=ctx.channel,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_repr=(target_repr if target_repr is not None else (str(target) if target is not None else ""))[:300],
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            prev_hash=head.last_hash,
        )
        rec.hash = compute_hash(rec)
        rec.save()
        AuditChainHead.objects.filter(id=1).update(last_seq=rec.seq, last_hash=rec.hash)
    return rec


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    reason: str = ""


def verify_chain(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first record that was edited, removed or reordered.

    A broken chain is also a security event (``egov.core.signals.security_event``, recorded by
    egov.security), which alerts the administrators.
    """
    report = _walk_chain(chunk_size=chunk_size)
    if not report.ok:
        where = f"bản ghi số {report.first_broken_seq}: {report.reason}"
        security_event.send(sender=verify_chain, kind="audit_chain_broken", detail=where)
    return report


def _walk_chain(*, chunk_size: int) -> ChainReport:
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for rec in AuditRecord.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if rec.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, rec.pk, f"thiếu bản ghi số {expected_seq} (đã bị xóa)")
        if rec.prev_hash != prev_hash:
            return ChainReport(False, checked, rec.seq, rec.pk, "liên kết với bản ghi trước bị sai")
        if compute_hash(rec) != rec.hash:
            return ChainReport(False, checked, rec.seq, rec.pk, "nội dung đã bị sửa")
        prev_hash = rec.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None and checked:
        return ChainReport(False, checked, checked + 1, None, "mất bản ghi đầu chuỗi")
    if head is not None and (head.last_seq != checked or head.last_hash != prev_hash):
        return ChainReport(
            False, checked, checked + 1, None, f"thiếu các bản ghi cuối (đầu chuỗi ghi số {head.last_seq})"
        )
    return ChainReport(True, checked)
