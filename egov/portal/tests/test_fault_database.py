"""Fault test: PostgreSQL stops for a few seconds while clients submit dossiers.

A throw-away PostgreSQL cluster (initdb + pg_ctl on a free port, in a temporary folder; never the
machine's shared cluster) serves a real gunicorn process. Client threads submit dossiers through
``POST /api/v1/portal/submissions``, each with its own Idempotency-Key, retrying the same key on any
failure until it is acknowledged. Meanwhile the cluster is stopped (fast shutdown: open transactions
are rolled back) and started again. Every submission a client saw acknowledged must exist exactly
once, with the code the client was given, and in the end every intended submission exists exactly once.

Needs PostgreSQL's server programs (``/usr/lib/postgresql/<version>/bin``); runs in CI's PostgreSQL
pass. By hand: ``DATABASE_URL=postgres://... pytest egov/portal/tests/test_fault_database.py``.
"""

from __future__ import annotations

import base64
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)
pytestmark = [
    pytest.mark.skipif(not ON_POSTGRESQL, reason="a PostgreSQL fault test: runs in the PostgreSQL pass (DATABASE_URL)"),
    pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL's server programs (initdb, pg_ctl) are not installed"),
]
CLIENTS, PER_CLIENT = 4, 6
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowAwayCluster:
    """initdb + pg_ctl in a temporary folder, as the ``postgres`` user when run as root (initdb
    refuses root)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="egov-fault-pg-"))
        self.data, self.port = self.dir / "data", free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [f"{PG_BIN}/{args[0]}", *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=check)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def psql(self, name: str, sql: str) -> str:
        result = subprocess.run(
            ["psql", "--no-psqlrc", "-Atc", sql, self.url(name)], capture_output=True, text=True, check=True
        )
        return result.stdout.strip()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    cluster = ThrowAwayCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def _post(port: int, body: dict, *, key: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/portal/submissions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": key, "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_submissions_survive_a_database_restart_exactly_once(cluster, tmp_path):
    # Given the application on its own PostgreSQL cluster, served by gunicorn
    cluster.psql("postgres", "CREATE DATABASE egov")
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "egov.settings",
        "DATABASE_URL": cluster.url("egov"),
        "EGOV_VAR_DIR": str(tmp_path),
        "PUBLIC_URL": "https://dichvucong.sonnam.test",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput")
    world = json.loads(manage("shell", "-c", "from egov.portal.tests.fault_world import main; main()").splitlines()[-1])
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "egov.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    acknowledged: dict[str, str] = {}  # idempotency key -> dossier code, as each client saw it
    failures: list[str] = []
    attempts = {"count": 0, "failed": 0}
    lock = threading.Lock()

    def client(number: int) -> None:
        for n in range(PER_CLIENT):
            key = f"client{number}-submission{n}"
            body = {
                "procedure": world["procedure"],
                "agency": world["agency"],
                "applicant": {"name": "Nguyễn Văn An", "identity": "037090001234", "phone": "0912345678"},
                "data": {"matter": f"Hồ sơ {key}"},
                "components": [
                    {
                        "component_id": c,
                        "files": [
                            {
                                "name": "tp.pdf",
                                "content_base64": base64.b64encode(PDF + f"% {key} {c}\n".encode()).decode(),
                            }
                        ],
                    }
                    for c in world["components"]
                ],
            }
            deadline = time.monotonic() + 90
            while True:
                try:
                    status, answer = _post(port, body, key=key, token=world["token"])
                except OSError:
                    status, answer = 0, {}
                with lock:
                    attempts["count"] += 1
                if status in (200, 201):
                    with lock:
                        if key in acknowledged and acknowledged[key] != answer["code"]:
                            failures.append(f"{key}: {acknowledged[key]} then {answer['code']}")
                        acknowledged[key] = answer["code"]
                    break
                if 400 <= status < 500 or time.monotonic() > deadline:
                    with lock:
                        failures.append(f"{key}: HTTP {status}")
                    break
                with lock:
                    attempts["failed"] += 1
                time.sleep(0.2)

    try:
        for _ in range(100):  # gunicorn up
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()

        # When the database stops for a few seconds, while submissions are coming in
        while len(acknowledged) < CLIENTS and all(t.is_alive() for t in threads):
            time.sleep(0.05)
        acknowledged_before_outage = len(acknowledged)
        cluster.stop()
        time.sleep(4)
        cluster.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=30)

    # Then the outage was felt (some attempts failed) and every client finished without a refusal
    assert acknowledged_before_outage >= CLIENTS
    assert attempts["failed"] > 0
    assert failures == []
    # ... every acknowledged submission exists exactly once, under the code the client was given
    rows = cluster.psql(
        "egov",
        "SELECT a.idempotency_key, d.code FROM portal_onlineapplication a "
        "JOIN dossiers_dossier d ON d.id = a.dossier_id",
    ).splitlines()
    stored = dict(row.split("|") for row in rows)
    assert len(rows) == len(stored)  # one application per key
    assert stored == acknowledged
    # ... and, after the retries, every intended submission exists exactly once
    assert sorted(stored) == sorted(f"client{c}-submission{n}" for c in range(CLIENTS) for n in range(PER_CLIENT))
    assert cluster.psql("egov", "SELECT count(*) FROM dossiers_dossier") == str(CLIENTS * PER_CLIENT)
