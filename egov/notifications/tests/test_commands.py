"""``deliver_outbox``: the sweeper that makes "nothing lost if the process dies after the commit" true."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from egov.notifications.models import OutboxMessage, Status
from egov.notifications.tests.conftest import email_message, sms_message

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("deliver_outbox", *args, stdout=out)
    return out.getvalue()


def test_a_message_committed_whose_task_never_ran_is_delivered_by_the_sweeper(
    dummy_tasks, django_capture_on_commit_callbacks, mailoutbox
):
    # Given a message committed, and the process dying before its on-commit enqueue ran
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            message = email_message()
    assert len(callbacks) == 1
    assert dummy_tasks.results == [] and mailoutbox == []

    # When the sweeper runs
    output = _run()

    # Then the message is sent, once
    assert output == "Đã gửi 1, hẹn gửi lại 0, thất bại 0, bỏ qua 0.\n"
    assert [m.to for m in mailoutbox] == [["an.nguyen@example.vn"]]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert _run() == "Đã gửi 0, hẹn gửi lại 0, thất bại 0, bỏ qua 0.\n"
    assert len(mailoutbox) == 1


def test_the_sweeper_reports_retries_and_failures(dummy_tasks, settings):
    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.BusySmsBackend"
    settings.EGOV_NOTIFY_MAX_ATTEMPTS = 1
    sms_message()

    assert _run() == "Đã gửi 0, hẹn gửi lại 0, thất bại 1, bỏ qua 0.\n"
    assert OutboxMessage.objects.get().status == Status.FAILED


def test_with_loop_the_sweeper_runs_again_after_each_interval(dummy_tasks, sms_sent, monkeypatch):
    sleeps = []

    class Stop(BaseException):  # not an Exception: the loop survives those
        pass

    def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 1:
            sms_message(body="tin thu hai")  # arrives between two passes
        else:
            raise Stop

    monkeypatch.setattr("egov.notifications.management.commands.deliver_outbox.time.sleep", fake_sleep)
    sms_message(body="tin thu nhat")

    with pytest.raises(Stop):
        _run("--loop", "--interval", "15")

    assert sleeps == [15.0, 15.0]
    assert [s["text"] for s in sms_sent] == ["tin thu nhat", "tin thu hai"]


def test_with_loop_a_failing_pass_is_logged_and_the_loop_goes_on(dummy_tasks, monkeypatch, caplog):
    calls = []

    class Stop(BaseException):  # not an Exception: the loop survives those
        pass

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("database restarting")
        raise Stop

    monkeypatch.setattr("egov.notifications.management.commands.deliver_outbox.deliver_due", flaky)
    monkeypatch.setattr("egov.notifications.management.commands.deliver_outbox.time.sleep", lambda s: None)

    with pytest.raises(Stop):
        _run("--loop")

    assert len(calls) == 2
    assert "deliver_outbox: lượt gửi bị lỗi" in caplog.text


def test_bad_options_are_refused():
    with pytest.raises(CommandError, match="--interval và --limit phải lớn hơn 0."):
        _run("--limit", "0")


def test_with_loop_a_full_batch_is_followed_at_once_by_the_next(dummy_tasks, sms_sent, monkeypatch):
    sleeps = []

    class Stop(BaseException):
        pass

    def fake_sleep(seconds):
        sleeps.append(seconds)
        raise Stop

    monkeypatch.setattr("egov.notifications.management.commands.deliver_outbox.time.sleep", fake_sleep)
    for n in range(3):
        sms_message(body=f"tin {n}")

    with pytest.raises(Stop):
        _run("--loop", "--limit", "2")

    # Pass 1 sends two (a full batch, no sleep), pass 2 sends the third, then it sleeps.
    assert [s["text"] for s in sms_sent] == ["tin 0", "tin 1", "tin 2"]
    assert sleeps == [60.0]
