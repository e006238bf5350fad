"""Upgrades without migrations: ``systemctl reload egov`` (SIGHUP to gunicorn) replaces every worker
while clients keep getting answers (docs/deploy.md §14, docs/operations.md).

A real gunicorn, with deploy/gunicorn.conf.py, serves the test database on a free port; probe threads
request pages in a loop while the master gets SIGHUP twice; every probe must succeed, and the workers
must have been replaced. gunicorn stops the old workers as soon as it has forked the new ones, which
then import the application (a few seconds of CPU): requests arriving meanwhile wait in the listen
queue and are answered late, not refused, so the probes wait as long as nginx would (60 s).
PostgreSQL only (the server is a second process on the test database; SQLite's is in memory).
By hand: ``DATABASE_URL=postgres://... pytest egov/core/tests/test_graceful_reload.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="gunicorn serves the test database from another process: PostgreSQL only"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(master: int) -> set[int]:
    out = subprocess.run(["ps", "--ppid", str(master), "-o", "pid="], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_reload_replaces_the_workers_without_a_failed_request(db, tmp_path):
    db_settings = connection.settings_dict
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "egov.settings",
        "DATABASE_URL": f"postgres://{db_settings['USER']}@{db_settings['HOST'] or '127.0.0.1'}:"
        f"{db_settings['PORT'] or 5432}/{db_settings['NAME']}",
        "EGOV_VAR_DIR": str(tmp_path),
    }
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("ab")
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", "2"]
        + ["--worker-tmp-dir", str(tmp_path), "egov.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    results = {"ok": 0, "failed": [], "slowest": 0.0}
    lock, stop = threading.Lock(), threading.Event()

    def probe() -> None:
        paths = ["/healthz", "/", "/api/v1/procedures"]
        n = 0
        while not stop.is_set():
            path = paths[n % len(paths)]
            n += 1
            started = time.monotonic()
            try:
                # nginx's proxy_read_timeout (docs/deploy.md §10): what a client behind the proxy waits.
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
                    outcome = response.status
            except Exception as exc:  # noqa: BLE001 (any failure counts)
                outcome = repr(exc)
            with lock:
                results["slowest"] = max(results["slowest"], time.monotonic() - started)
                if outcome == 200:
                    results["ok"] += 1
                else:
                    results["failed"].append(f"{path}: {outcome}")

    try:
        _wait(lambda: len(_workers(master.pid)) == 2, 60, "two workers")
        _wait(lambda: _get(port) == 200, 60, "the first answer")
        probes = [threading.Thread(target=probe) for _ in range(3)]
        for thread in probes:
            thread.start()
        first = _workers(master.pid)
        generations = [first]
        for _ in range(2):
            time.sleep(1.5)
            master.send_signal(signal.SIGHUP)
            previous = generations[-1]
            _wait(
                lambda previous=previous: (
                    (current := _workers(master.pid)) and not current & previous and len(current) == 2
                ),
                60,
                "new workers",
            )
            generations.append(_workers(master.pid))
        time.sleep(1.5)
        stop.set()
        for thread in probes:
            thread.join(timeout=30)
    finally:
        stop.set()
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)

    print(f"{results['ok']} probes, slowest {results['slowest']:.1f} s")  # shown with -s
    assert results["failed"] == []
    assert results["ok"] > 30
    assert len(set().union(*generations)) == 6  # three generations of two workers each


def _get(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status
    except OSError:
        return None
