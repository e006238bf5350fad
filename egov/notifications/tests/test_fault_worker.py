"""Fault test: the task worker (a real ``manage.py db_worker`` process) is killed with SIGKILL in the
middle of a batch of notifications and started again; the sweeper (``deliver_outbox``) takes up the
message that was in flight once its lease runs out. Every message is sent, none twice.

PostgreSQL only (the worker is another process on the same database; SQLite's test database is in
memory). Run by hand: ``DATABASE_URL=postgres://... pytest egov/notifications/tests/test_fault_worker.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from egov.notifications import services
from egov.notifications.models import DeliveryAttempt, OutboxMessage

ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="the worker is a second process on the test database: PostgreSQL only (DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MESSAGES = 12
LEASE_SECONDS = 2


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _sent(log: Path) -> Counter:
    if not log.exists():
        return Counter()
    return Counter(json.loads(line)["reference"] for line in log.read_text(encoding="utf-8").splitlines())


def test_a_worker_killed_mid_batch_loses_no_message_and_sends_none_twice(tmp_path, settings):
    # Given a batch of SMS notifications queued in the database task queue
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        for n in range(MESSAGES):
            services.enqueue(
                kind="test.fault", channel="sms", recipient="0912345678", subject="", body=f"Tin {n}", reference=f"f{n}"
            )
    markers, log = tmp_path / "markers", tmp_path / "sms.log"
    markers.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "egov.settings",
        "DATABASE_URL": _database_url(),
        "EGOV_VAR_DIR": str(tmp_path),
        "SMS_BACKEND": "egov.notifications.tests.slow_sms.SlowFileSmsBackend",
        "SMS_FILE": str(log),
        "SLOW_SMS_MARKERS": str(markers),
        "NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    worker_cmd = [sys.executable, "manage.py", "db_worker", "--queue-name", "default", "--interval", "0.2"]
    worker_cmd += ["--no-startup-delay", "--no-reload"]
    worker_log = (tmp_path / "worker.log").open("ab")

    # When the worker is killed with SIGKILL while a message is being sent (after a few were delivered)
    worker = subprocess.Popen(worker_cmd, cwd=ROOT, env=env, stdout=worker_log, stderr=worker_log)
    try:
        _wait(lambda: sum(_sent(log).values()) >= 3, timeout=60, what="three messages sent")

        def in_flight() -> set[str]:
            return {p.stem for p in markers.glob("*.sending")} - set(_sent(log))

        _wait(lambda: in_flight(), timeout=10, what="a send in flight")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    interrupted = in_flight()
    sent_before = _sent(log)
    assert len(interrupted) == 1
    assert sum(sent_before.values()) < MESSAGES  # the batch was cut in the middle

    # ... and it is started again, and the sweeper runs once the lease of the lost send has run out
    worker = subprocess.Popen(worker_cmd, cwd=ROOT, env=env, stdout=worker_log, stderr=worker_log)
    try:
        _wait(
            lambda: set(_sent(log)) >= {f"f{n}" for n in range(MESSAGES)} - interrupted,
            timeout=60,
            what="the rest of the batch",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    time.sleep(LEASE_SECONDS + 0.5)
    sweep = subprocess.run(
        [sys.executable, "manage.py", "deliver_outbox"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert sweep.returncode == 0, sweep.stderr

    # Then every message was sent exactly once, and the outbox says so
    assert _sent(log) == Counter({f"f{n}": 1 for n in range(MESSAGES)})
    assert sweep.stdout.strip() == "Đã gửi 1, hẹn gửi lại 0, thất bại 0, bỏ qua 0."
    assert Counter(OutboxMessage.objects.values_list("status", flat=True)) == Counter({"sent": MESSAGES})
    lost = OutboxMessage.objects.get(reference=interrupted.pop())
    assert lost.attempts == 2
    attempts = list(DeliveryAttempt.objects.filter(message=lost).order_by("pk").values_list("outcome", "detail"))
    assert [outcome for outcome, _detail in attempts] == ["error", "ok"]
    assert attempts[0][1] == services.INTERRUPTED
