"""The outbox with real commits and the real task queue (django-tasks' database backend and its
worker), on SQLite and PostgreSQL; and, on PostgreSQL, two senders racing for one message."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from egov.notifications import services
from egov.notifications.models import DeliveryAttempt, OutboxMessage, Status
from egov.notifications.tests import backends
from egov.notifications.tests.conftest import email_message, sms_message

# Committed for real; the flush afterwards empties only these apps' tables.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=["egov.notifications", "django_tasks_db"])

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: SQLite serialises writers on the whole database"
)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    """What ``manage.py db_worker --batch`` does, without installing signal handlers in the test run."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


class Rollback(Exception):
    pass


def test_a_rolled_back_transaction_leaves_no_message_and_no_task(database_tasks):
    with pytest.raises(Rollback), transaction.atomic():
        email_message()
        raise Rollback

    assert (OutboxMessage.objects.count(), DBTaskResult.objects.count()) == (0, 0)


def test_a_committed_message_is_queued_after_the_commit_and_the_worker_sends_it(database_tasks, mailoutbox):
    with transaction.atomic():
        message = email_message()
        assert DBTaskResult.objects.count() == 0  # nothing is queued while the transaction is open

    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs, task.status) == (
        "egov.notifications.tasks.deliver_message",
        {"args": [message.pk], "kwargs": {}},
        "READY",
    )

    run_worker()

    task.refresh_from_db()
    assert (task.status, task.return_value) == ("SUCCESSFUL", "sent")
    assert [m.to for m in mailoutbox] == [["an.nguyen@example.vn"]]
    assert OutboxMessage.objects.get().status == Status.SENT


def test_the_immediate_backend_sends_right_after_the_commit(settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    with transaction.atomic():
        message = email_message()
        assert mailoutbox == []

    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_when_the_task_could_not_be_queued_after_the_commit_the_sweeper_sends_the_message(settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "egov.notifications.tests.backends.UnavailableTaskBackend"}}
    with transaction.atomic():
        message = email_message()  # committed; the enqueue afterwards fails (as if the process had died)
    assert mailoutbox == []

    assert services.deliver_due() == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0}

    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_failed_try_queues_a_deferred_retry_that_the_worker_runs_when_due(database_tasks, settings, sms_sent):
    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.BusySmsBackend"
    message = sms_message()
    run_worker()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == message.next_attempt_at
    run_worker()  # not due yet: the worker leaves it
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"

    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.RecordingSmsBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    run_worker()

    assert DBTaskResult.objects.get(pk=retry.pk).return_value == "sent"
    assert len(sms_sent) == 1
    assert list(DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True)) == ["error", "ok"]


@postgresql_only
def test_a_message_whose_row_another_sender_holds_is_skipped_without_waiting(settings, sms_sent):
    message = sms_message()
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=message.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        assert services.deliver(message.pk) == "skipped"
        assert time.monotonic() - started < 2
    finally:
        release.set()
        holder.join(timeout=10)

    assert sms_sent == []
    assert services.deliver(message.pk) == "sent"


class SlowSmsBackend(backends.RecordingSmsBackend):
    def send(self, **kwargs):
        time.sleep(0.3)
        return super().send(**kwargs)


@postgresql_only
def test_two_senders_racing_for_one_message_send_it_once(settings, sms_sent):
    settings.EGOV_SMS_BACKEND = f"{__name__}.SlowSmsBackend"
    message = sms_message()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def sender():
        try:
            barrier.wait(timeout=5)
            outcomes.append(services.deliver(message.pk))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert errors == []
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(sms_sent) == 1
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
