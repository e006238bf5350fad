"""Run the benchmark scenarios against the real server and write the report (bench/README.md).

    python -m bench.run --smoke            # CI: a fresh 2,000-dossier database, a few seconds each
    python -m bench.run                    # full: the database egov_bench (generate it first)
    python -m bench.run --generate 1000000 # full, generating the data first

The server is gunicorn with ``egov.settings.production`` and the flags of docs/deploy.md, on
PostgreSQL; the load comes from ``wrk`` (Lua scripts in bench/wrk/) with the headers nginx would
add. Scenario (a)'s ceiling is the same writes as raw SQL through ``pgbench`` in the same run.
(e) and (f) are measured in-process, after the server has stopped, over N iterations.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _minimal_pdf() -> bytes:
    """A one-page blank PDF with a correct cross-reference table (about 400 bytes): what the upload
    check (egov.core.uploads.pdf_problem) accepts, as small as a real file can be."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# The file attached to every component of a benchmark submission (typed by its content, and checked
# like a citizen's upload: a file the platform would refuse would only measure the refusal).
BENCH_PDF = _minimal_pdf()
PYTHON = sys.executable
PORT = 8765
SIGNING_PASSPHRASE = "bench-signing-passphrase-not-the-demo-one"

# Targets of issue #5 (2 cores, server and PostgreSQL on the machine, 1 million dossiers).
TARGETS = {
    "submission_ratio": 0.5,  # of the pgbench ceiling, at 32 clients
    "submission_p99_ms": 150,
    "lookup_p99_ms": 20,
    "worklist_p99_ms": 50,
    "search_p95_ms": 20,
    "receipt_median_ms": 150,
    "indicators_s": 1.0,
}


@dataclass
class Plan:
    smoke: bool
    database: str
    generate: int | None
    seed: int
    duration: int
    warmup: int
    clients: int
    read_clients: list[int]
    workers: int
    max_requests: int
    iterations: int
    profile: bool
    name: str
    out_dir: Path
    var_dir: Path
    scenarios: list[str] = field(default_factory=list)


def _args(argv) -> Plan:
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="tiny database, short runs, no thresholds (CI)")
    p.add_argument("--database", help="PostgreSQL database name (default egov_bench, smoke: egov_bench_smoke)")
    p.add_argument("--generate", type=int, metavar="N", help="(re)create the database with N dossiers first")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--duration", type=int, help="seconds per scenario (default 30, smoke 3)")
    p.add_argument("--clients", type=int, default=32, help="concurrent clients for (a) (default 32)")
    p.add_argument(
        "--read-clients", default="2,8,32", help="concurrent clients for (b)-(d), comma-separated (default 2,8,32)"
    )
    p.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers")
    p.add_argument("--max-requests", type=int, default=1000, help="gunicorn --max-requests (deploy.md: 1000)")
    p.add_argument("--iterations", type=int, help="iterations of (e) and (f) (default 50 / 5; smoke 3 / 1)")
    p.add_argument("--profile", action="store_true", help="py-spy on one worker during each HTTP scenario")
    p.add_argument("--scenarios", default="lookup,worklist,search,submission,receipt,indicators")
    p.add_argument("--name", help="report name (default: the UTC time; smoke: smoke)")
    a = p.parse_args(argv)
    smoke = a.smoke
    database = a.database or ("egov_bench_smoke" if smoke else "egov_bench")
    name = a.name or ("smoke" if smoke else datetime.now(UTC).strftime("%Y%m%dT%H%MZ"))
    out_dir = BENCH / "results" / ("tmp" if smoke else "")
    return Plan(
        smoke=smoke,
        database=database,
        generate=a.generate if a.generate is not None else (2000 if smoke else None),
        seed=a.seed,
        duration=a.duration or (3 if smoke else 30),
        warmup=1 if smoke else 5,
        clients=a.clients if not smoke else min(a.clients, 8),
        read_clients=[int(c) for c in a.read_clients.split(",")] if not smoke else [4],
        workers=a.workers if not smoke else 2,
        max_requests=a.max_requests,
        iterations=a.iterations or (3 if smoke else 50),
        profile=a.profile,
        name=name,
        out_dir=out_dir,
        var_dir=ROOT / "var" / database,
        scenarios=a.scenarios.split(","),
    )


# --- environment ------------------------------------------------------------------------------------


def _env(plan: Plan, *, production: bool) -> dict[str, str]:
    """What the server (and this process) run with: production settings, the values production.py
    requires, and the bench's own choices (each one named in the report)."""
    env = dict(os.environ)
    static_root = plan.var_dir / "static"
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{plan.database}",
        EGOV_VAR_DIR=str(plan.var_dir),
        STATIC_ROOT=str(static_root),
        SIGNING_PASSPHRASE=SIGNING_PASSPHRASE,
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
    )
    if production:
        env.update(
            DJANGO_SETTINGS_MODULE="egov.settings.production",
            SECRET_KEY=_secret(plan),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PUBLIC_URL="https://dichvucong.sonnam.example",
            PAYMENT_GATEWAY_URL="https://sandbox.payment.example/pay",
            PAYMENT_SECRET="bench-payment-secret",
            PROXY_COUNT="1",
            # The lookup's per-address limit (30/min) would answer 429 to a load generator on one
            # address; the bench measures the lookup, not the limiter.
            LOOKUP_RATE="100000000/s",
        )
    else:
        env["DJANGO_SETTINGS_MODULE"] = "egov.settings"
    return env


def _secret(plan: Plan) -> str:
    path = plan.var_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _psql(database: str, sql: str) -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-AtqX", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _step(message: str) -> None:
    print(f"== {message}", flush=True)


# --- data -------------------------------------------------------------------------------------------


def generate(plan: Plan) -> dict:
    _step(f"database {plan.database}: {plan.generate:,} dossiers")
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", plan.database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", plan.database], check=True)
    shutil.rmtree(plan.var_dir, ignore_errors=True)
    env = _env(plan, production=False)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    args = [PYTHON, "-m", "bench.generate", "--dossiers", str(plan.generate), "--seed", str(plan.seed)]
    if plan.smoke:
        args.append("--no-progress")
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL if plan.smoke else None)
    return {"dossiers": plan.generate, "seed": plan.seed, "seconds": round(time.monotonic() - started, 1)}


def _setup_django(plan: Plan) -> None:
    os.environ.update(_env(plan, production=True))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(plan: Plan, tmp: Path) -> dict:
    """Tokens, codes, queries and routes for the Lua scripts; the pgbench route table."""
    from django.db import connection
    from django.db.models import Count

    from egov.catalogue.models import Procedure
    from egov.catalogue.text import fold
    from egov.dossiers.models import Dossier, ProcessDefinition
    from egov.dossiers.statuses import WORKLIST
    from egov.organisations.selectors import receiving_unit_of
    from egov.people.models import User
    from egov.people.services import issue_api_token

    _step("preparing request data")
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM dossiers_dossier")
        top = cursor.fetchone()[0] or 0
        cursor.execute(
            "SELECT code FROM dossiers_dossier WHERE id IN "
            "(SELECT (1 + floor(random() * %s))::bigint FROM generate_series(1, 20000))",
            [top],
        )
        codes = [row[0] for row in cursor.fetchall()]

    # (c) The busiest units' officers: the first page of the largest worklists.
    busiest = (
        Dossier.objects.filter(status__in=WORKLIST, current_unit__isnull=False)
        .values("current_unit")
        .annotate(n=Count("id"))
        .order_by("-n")[:8]
    )
    officers = []
    for row in busiest:
        user = (
            User.objects.filter(username__startswith="bench.", positions__unit_id=row["current_unit"])
            .order_by("username")
            .first()
        )
        if user is not None:
            officers.append({"kind": "unit", "token": issue_api_token(user=user).raw, "unit_open": row["n"]})

    # (d) Queries as people type them: two or three words of a procedure name, without diacritics.
    queries = []
    names = list(Procedure.objects.filter(is_active=True).values_list("name", flat=True))
    for name in names:
        words = fold(name).split()
        for size in (1, 2, 3):
            for i in range(0, max(len(words) - size, 0) + 1, 2):
                queries.append("+".join(words[i : i + size]))
    queries = sorted(set(q for q in queries if len(q) >= 3))

    # (a) Routes: the 40 most used processes of procedures that accept online dossiers and have no form
    # of their own (they ask for "matter" only), submitted by the demo citizen through the portal API.
    from egov.catalogue.selectors import may_apply_for
    from egov.portal.models import SubmissionForm

    citizen = User.objects.get(username="congdan")
    citizen_token = issue_api_token(user=citizen).raw
    with_forms = SubmissionForm.objects.filter(is_active=True).values_list("procedure_id", flat=True)
    today = date.today()
    used = (
        Dossier.objects.filter(procedure__channel_online=True)
        .exclude(procedure_id__in=list(with_forms))
        .values("process")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("process", flat=True)
    )[:40]
    pdf = base64.b64encode(BENCH_PDF).decode()
    routes = []
    route_rows = []
    for process in ProcessDefinition.objects.filter(pk__in=list(used), state="active").select_related(
        "procedure", "agency"
    ):
        desk = receiving_unit_of(process.agency, today)
        # The citizen applies only for procedures open to citizens ("Đối tượng thực hiện"); the others
        # answer 403, which would measure the refusal instead of the submission.
        if desk is None or not may_apply_for(citizen, process.procedure):
            continue
        components = list(process.procedure.components.order_by("order", "pk").values_list("pk", flat=True))
        first = process.steps.order_by("order").first()
        routes.append(
            {
                "procedure": process.procedure.code,
                "agency": process.agency.code,
                "components": ",".join(
                    f'{{"component_id":{pk},"files":[{{"name":"to-khai.pdf","content_base64":"{pdf}"}}]}}'
                    for pk in components
                ),
                "token": citizen_token,
            }
        )
        route_rows.append((process, desk, first, citizen))
    applicants = [
        {"name": "Nguyễn Văn An", "identity": "037090001234", "phone": "0912345678", "address": "Thôn Đông"},
        {"name": "Trần Thị Bình", "identity": "037190004321", "phone": "0983000222", "address": "Thôn Đoài"},
        {"name": "Lê Minh Châu", "identity": "037085007777", "phone": "0904000333", "address": "Khu phố 2"},
    ]
    files = {
        "codes": {"codes": codes},
        "officers": {"officers": officers},
        "queries": {"queries": queries},
        "routes": {"routes": routes, "applicants": applicants},
    }
    for name, value in files.items():
        (tmp / f"{name}.lua").write_text("return " + _lua(value) + "\n", encoding="utf-8")
    _pgbench_tables(route_rows)
    return {
        "codes": len(codes),
        "officers": len(officers),
        "worklist_open_per_unit": [o["unit_open"] for o in officers],
        "queries": len(queries),
        "routes": len(routes),
    }


def _lua(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pgbench_tables(route_rows) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from egov.catalogue import selectors as catalogue
    from egov.dossiers.selectors import rule_set_on
    from egov.dossiers.services import agency_code

    rule_set = rule_set_on(timezone.localdate())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_route, pgbench_audit_record, pgbench_audit_head")
        cursor.execute(
            """
            CREATE TABLE bench_route (
              n int PRIMARY KEY, agency_id bigint, agency_code text, procedure_id bigint, process_id bigint,
              receiving_unit_id bigint, rule_set_id bigint, step_id bigint, step_order int, step_name text,
              step_agency_id bigint, step_unit_id bigint, step_role text, step_interval interval,
              legal_interval interval, fee int, officer_id bigint)
            """
        )
        cursor.execute("CREATE TABLE pgbench_audit_record (LIKE audit_auditrecord INCLUDING ALL)")
        cursor.execute("CREATE TABLE pgbench_audit_head (LIKE audit_auditchainhead INCLUDING ALL)")
        cursor.execute("INSERT INTO pgbench_audit_head (id, last_seq, last_hash) VALUES (1, 0, repeat('0', 64))")
        for n, (process, desk, first, officer) in enumerate(route_rows, start=1):
            amount, unit = catalogue.duration_for(process.procedure, 1)
            days = float(amount) / (8 if unit == "working_hours" else 1)
            fee = sum(process.procedure.fees.values_list("amount", flat=True))
            cursor.execute(
                "INSERT INTO bench_route VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "make_interval(secs => %s::float8), make_interval(secs => %s::float8), %s, %s)",
                [
                    n, process.agency_id, agency_code(process.agency, rule_set), process.procedure_id, process.pk,
                    desk.pk, rule_set.pk, first.pk, first.order, first.name, first.agency_id, first.unit_id,
                    first.role, float(first.hours) * 3 * 3600, days * 1.4 * 86400, fee, officer.pk,
                ],
            )  # fmt: skip
        # Today's sequence row of every route's agency, as the first reception of the day creates it.
        cursor.execute(
            """
            INSERT INTO core_numbersequence (scope, period, last)
            SELECT DISTINCT 'dossier:' || agency_id, to_char(now() AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'), 0
            FROM bench_route
            ON CONFLICT (scope, period) DO NOTHING
            """
        )


# --- server -----------------------------------------------------------------------------------------


class Server:
    def __init__(self, plan: Plan, log: Path):
        self.plan = plan
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        _step(f"gunicorn, {self.plan.workers} workers, egov.settings.production")
        env = _env(self.plan, production=True)
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        args = [
            str(Path(PYTHON).parent / "gunicorn"), "egov.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
            "--workers", str(self.plan.workers), "--timeout", "30", "--graceful-timeout", "30",
            "--worker-tmp-dir", "/dev/shm", "--no-control-socket", "--error-logfile", "-",
        ]  # fmt: skip
        if self.plan.max_requests:
            args += ["--max-requests", str(self.plan.max_requests), "--max-requests-jitter", "100"]
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{PORT}/healthz", headers={"X-Forwarded-Proto": "https"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200 and len(self.workers()) >= self.plan.workers:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}")
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer /healthz; see {self.log}")

    def workers(self) -> list[int]:
        if self.proc is None:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def memory(self) -> dict:
        """RSS and PSS (shared pages split between processes) of each worker, in MiB."""
        rss, pss = [], []
        for pid in self.workers():
            try:
                rss.append(_proc_kb(f"/proc/{pid}/status", "VmRSS") / 1024)
                pss.append(_proc_kb(f"/proc/{pid}/smaps_rollup", "Pss") / 1024)
            except (OSError, ValueError):
                continue
        master = _proc_kb(f"/proc/{self.proc.pid}/status", "VmRSS") / 1024 if self.proc else 0
        return {
            "workers": len(rss),
            "rss_mib": [round(v, 1) for v in rss],
            "pss_mib": [round(v, 1) for v in pss],
            "rss_max_mib": round(max(rss), 1) if rss else None,
            "pss_mean_mib": round(statistics.mean(pss), 1) if pss else None,
            "master_rss_mib": round(master, 1),
        }

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _proc_kb(path: str, key: str) -> float:
    for line in Path(path).read_text().splitlines():
        if line.startswith(key + ":"):
            return float(line.split()[1])
    raise ValueError(f"{key} not in {path}")


# --- load -------------------------------------------------------------------------------------------


def _proc_ticks() -> dict[int, tuple[str, int, int]]:
    procs = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2 :].split()
        procs[int(entry.name)] = (
            raw[raw.index("(") + 1 : raw.rindex(")")],
            int(rest[1]),
            int(rest[11]) + int(rest[12]),
        )
    return procs


def _machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


class CpuMeter:
    """Who used the machine's CPU while a scenario ran, sampled every half second (so processes that
    start and end in between, wrk or pgbench's backends, are counted): this benchmark's processes
    (runner, gunicorn, wrk, pgbench, py-spy), PostgreSQL (every database on the server), and anything
    else — other people's work on a shared machine."""

    def __init__(self):
        self.root = os.getpid()
        self.totals = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.busy0, self.total0 = _machine_ticks()
        self.last = _proc_ticks()
        self.started = time.monotonic()
        self._thread.start()
        return self

    def _sample(self):
        now = _proc_ticks()
        parents = {pid: ppid for pid, (_c, ppid, _t) in now.items()}
        for pid, (comm, _ppid, ticks) in now.items():
            delta = ticks - self.last.get(pid, (None, None, 0))[2]
            if delta <= 0:
                continue
            if comm.startswith("postgres"):
                self.totals["postgres"] += delta
            elif self._ours(pid, parents):
                self.totals["bench"] += delta
        self.last = now

    def _ours(self, pid, parents) -> bool:
        for _ in range(50):
            if pid == self.root:
                return True
            pid = parents.get(pid, 0)
            if not pid:
                return False
        return False

    def _run(self):
        while not self._stop.wait(0.5):
            self._sample()

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()
        busy1, total1 = _machine_ticks()
        total = max(total1 - self.total0, 1)
        busy = busy1 - self.busy0
        self.result = {
            "seconds": round(time.monotonic() - self.started, 1),
            "busy_pct": round(100 * busy / total, 1),
            "bench_pct": round(100 * self.totals["bench"] / total, 1),
            "postgres_pct": round(100 * self.totals["postgres"] / total, 1),
            "other_pct": round(100 * max(busy - self.totals["bench"] - self.totals["postgres"], 0) / total, 1),
        }
        return False


def wrk(plan: Plan, tmp: Path, script: str, data: str, *, clients: int, duration: int) -> dict:
    out = tmp / f"{script}-{clients}.json"
    env = dict(os.environ, BENCH_DATA=str(tmp / f"{data}.lua"), BENCH_OUT=str(out), BENCH_WRK_DIR=str(BENCH / "wrk"))
    threads = min(2, clients)
    with CpuMeter() as meter:
        proc = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{duration}s", "--timeout", "30s",
             "-s", str(BENCH / "wrk" / f"{script}.lua"), f"http://127.0.0.1:{PORT}"],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
    cpu = meter.result
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"wrk failed ({script}): {proc.stderr or proc.stdout}")
    raw = json.loads(out.read_text())
    seconds = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    errors = raw["errors"]
    return {
        "tool": f"wrk -t{threads} -c{clients} -d{duration}s",
        "clients": clients,
        "seconds": round(seconds, 1),
        "requests": raw["requests"],
        "throughput_rps": round(raw["requests"] / seconds, 1),
        "latency_ms": {k: round(v / 1000, 2) for k, v in lat.items()},
        "errors": {k: v for k, v in errors.items() if v} or {},
        "cpu": cpu,
        "error_count": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
        + errors["unexpected_status"],
    }  # fmt: skip


def profile_start(server: Server, tmp: Path, scenario: str, duration: int) -> subprocess.Popen | None:
    spy = Path(PYTHON).parent / "py-spy"
    workers = server.workers()
    if not workers or not spy.exists():
        return None
    out = tmp / f"profile-{scenario}.txt"
    return subprocess.Popen(
        [str(spy), "record", "--pid", str(workers[0]), "--duration", str(max(duration - 2, 1)), "--format", "raw",
         "--output", str(out), "--nonblocking", "--rate", "200"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def profile_summary(tmp: Path, scenario: str, top: int = 12) -> dict | None:
    """Where one worker spent its time: inclusive share of the project's own functions and the
    heaviest leaf functions, from py-spy's collapsed stacks."""
    path = tmp / f"profile-{scenario}.txt"
    if not path.exists():
        return None
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        leaves[_frame(frames[-1]) or "(no Python frame: waiting in C code)"] += n
        for f in {_frame(f) for f in frames if "egov/" in f and "site-packages" not in f}:
            inclusive[f] += n
    if not total:
        return None
    return {
        "samples": total,
        "own_code_inclusive": [(f, round(100 * n / total, 1)) for f, n in inclusive.most_common(top)],
        "leaf": [(f, round(100 * n / total, 1)) for f, n in leaves.most_common(top)],
    }


def _frame(frame: str) -> str:
    # "function (path/to/file.py:123)" → "function (file.py)"
    m = re.match(r"(.*) \((.*?):\d+\)$", frame.strip())
    if not m:
        return frame.strip()
    func, path = m.groups()
    short = path.split("/site-packages/")[-1] if "site-packages" in path else path.split("/wt-bench/")[-1]
    return f"{func} ({short})"


def pgbench(plan: Plan, tmp: Path, *, clients: int, duration: int) -> dict:
    from egov.dossiers.models import Dossier

    routes = int(_psql(plan.database, "SELECT count(*) FROM bench_route"))
    log_prefix = tmp / "pgbench"
    for old in tmp.glob("pgbench.*"):
        old.unlink()
    before = Dossier.objects.count()
    with CpuMeter() as meter:
        proc = subprocess.run(
            ["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", str(clients), "-j", "2", "-T",
             str(duration), "-M", "prepared", "-D", f"routes={routes}", "-f", str(BENCH / "pgbench" / "submit.sql"),
             "-l", f"--log-prefix={log_prefix}", plan.database],
            capture_output=True, text=True,
        )  # fmt: skip
    cpu = meter.result
    if proc.returncode != 0:
        raise SystemExit(f"pgbench failed: {proc.stderr}")
    latencies = []
    for path in tmp.glob("pgbench.*"):
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2].isdigit():
                latencies.append(int(parts[2]))
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", proc.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", proc.stdout)
    latencies.sort()
    return {
        "tool": f"pgbench -c{clients} -j2 -T{duration} -M prepared",
        "clients": clients,
        "seconds": duration,
        "transactions": len(latencies),
        "throughput_tps": round(float(tps.group(1)), 1) if tps else round(len(latencies) / duration, 1),
        "latency_ms": _percentiles([v / 1000 for v in latencies]),
        "failed": int(failed.group(1)) if failed else 0,
        "dossiers_added": Dossier.objects.count() - before,
        "cpu": cpu,
    }


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    values = sorted(values)

    def pct(p):
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 2)

    return {
        "min": round(values[0], 2),
        "mean": round(statistics.mean(values), 2),
        "p50": pct(50),
        "p90": pct(90),
        "p95": pct(95),
        "p99": pct(99),
        "max": round(values[-1], 2),
    }


# --- in-process measures ----------------------------------------------------------------------------


def receipt(plan: Plan) -> dict:
    """(e) Mẫu 01 rendered (WeasyPrint) and signed (pyHanko, PAdES B-B) for existing dossiers, as
    receive_dossier() does, without storing the file."""
    from egov.dossiers.documents import render_signed
    from egov.dossiers.models import Dossier
    from egov.dossiers.statuses import Status

    _step("(e) receipt: render Mẫu 01 and sign")
    dossiers = list(
        Dossier.objects.filter(status=Status.RECEIVED)
        .select_related("procedure", "agency", "receiving_unit", "rule_set", "received_by")
        .order_by("-id")[: plan.iterations + 1]
    )
    if not dossiers:
        return {"error": "no received dossier"}
    timings = []
    sizes = []
    with CpuMeter() as meter:
        for i in range(plan.iterations + 1):
            dossier = dossiers[i % len(dossiers)]
            started = time.perf_counter()
            pdf = render_signed(dossier, "receipt", by=dossier.received_by)
            timings.append((time.perf_counter() - started) * 1000)
            sizes.append(len(pdf))
    return {
        "iterations": plan.iterations,
        "cold_ms": round(timings[0], 1),
        "latency_ms": _percentiles(timings[1:]),
        "pdf_bytes": int(statistics.mean(sizes)),
        "cpu": meter.result,
    }


def indicators(plan: Plan) -> dict:
    """(f) The DOMAIN §6 indicators the platform computes for a province and a year: per agency and
    per field (received, finished, on time, late, open past due, online share), as /thong-ke/ does."""
    from egov.dossiers import statistics as stats

    _step("(f) indicators for the province and a year")
    year = date.today().year - 1
    start, end = date(year, 1, 1), date(year, 12, 31)
    timings = []
    rows = totals = None
    with CpuMeter() as meter:
        for _ in range(max(plan.iterations // 10, 1)):
            started = time.perf_counter()
            rows = stats.by_agency(start, end)
            by_field = stats.by_field(start, end)
            totals = stats.totals(rows)
            timings.append(time.perf_counter() - started)
    return {
        "year": year,
        "iterations": len(timings),
        "cpu": meter.result,
        "seconds": {
            "min": round(min(timings), 3),
            "median": round(statistics.median(timings), 3),
            "max": round(max(timings), 3),
        },
        "agencies": len(rows),
        "fields": len(by_field),
        "received": totals.received,
        "on_time_rate": totals.on_time_rate,
        "online_share": totals.online_share,
        "plan": _explain(start, end),
    }


def _explain(start: date, end: date) -> str:
    from django.db import connection

    from egov.dossiers import statistics as stats

    qs = stats._period(start, end)
    sql, params = (
        qs.values("agency__code", "agency__name")
        .annotate(n=stats.Count("id"))
        .order_by("agency__name")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall()[:25])


# --- machine and database -----------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = _proc_kb("/proc/meminfo", "MemTotal") / 1024 / 1024

    def version(*cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return ""

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": _psql("postgres", "SHOW server_version"),
        "wrk": version("wrk", "--version"),
        "pgbench": version("pgbench", "--version"),
        "gunicorn": version(str(Path(PYTHON).parent / "gunicorn"), "--version"),
        "load_note": "server, PostgreSQL and the load generator share the machine",
    }


def database(plan: Plan) -> dict:
    tables = {}
    for table in (
        "dossiers_dossier",
        "dossiers_dossiertask",
        "dossiers_dossierevent",
        "dossiers_dossiercomponent",
        "audit_auditrecord",
    ):
        rows = int(_psql(plan.database, f"SELECT count(*) FROM {table}"))
        size = int(_psql(plan.database, f"SELECT pg_total_relation_size('{table}')"))
        tables[table] = {"rows": rows, "size_mib": round(size / 2**20, 1)}
    return {
        "name": plan.database,
        "size_mib": round(int(_psql(plan.database, f"SELECT pg_database_size('{plan.database}')")) / 2**20, 1),
        "tables": tables,
        "settings": {
            k: _psql(plan.database, f"SHOW {k}")
            for k in ("shared_buffers", "work_mem", "max_connections", "synchronous_commit")
        },
    }


# --- report -----------------------------------------------------------------------------------------


def verdicts(result: dict) -> list[dict]:
    s = result["scenarios"]
    out = []

    def add(key, label, value, target, unit, ok_if_le=True):
        if value is None:
            return
        met = value <= target if ok_if_le else value >= target
        by = value - target if ok_if_le else target - value
        out.append(
            {"key": key, "label": label, "value": value, "target": target, "unit": unit, "met": met,
             "missed_by": None if met else round(by, 3),
             "factor": None if met or not target or not value else round(
                 value / target if ok_if_le else target / value, 2)}
        )  # fmt: skip

    sub = s.get("submission")
    if sub and "ceiling" in sub:
        add("submission_ratio", "(a) submission / pgbench ceiling", sub["ratio"], TARGETS["submission_ratio"], "",
            ok_if_le=False)  # fmt: skip
        add("submission_p99", "(a) submission p99, 32 clients", sub["app"]["latency_ms"]["p99"],
            TARGETS["submission_p99_ms"], "ms")  # fmt: skip
    for key, label, pct, target in (
        ("lookup", "(b) lookup p99", "p99", "lookup_p99_ms"),
        ("worklist", "(c) worklist first page p99", "p99", "worklist_p99_ms"),
        ("search", "(d) procedure search p95", "p95", "search_p95_ms"),
    ):
        for run in s.get(key, {}).get("runs", []):
            add(f"{key}_{run['clients']}", f"{label}, {run['clients']} clients", run["latency_ms"][pct],
                TARGETS[target], "ms")  # fmt: skip
    if "receipt" in s and "latency_ms" in s["receipt"]:
        add("receipt", "(e) receipt render + sign, median", s["receipt"]["latency_ms"]["p50"],
            TARGETS["receipt_median_ms"], "ms")  # fmt: skip
    if "indicators" in s:
        add("indicators", "(f) indicators, province-year, median", s["indicators"]["seconds"]["median"],
            TARGETS["indicators_s"], "s")  # fmt: skip
    return out


def markdown(result: dict) -> str:
    m, d, s = result["machine"], result["database"], result["scenarios"]
    lines = [
        f"# Benchmark {result['name']}" + (" (smoke: no thresholds)" if result["smoke"] else ""),
        "",
        f"Run {result['started']} → {result['finished']}, git `{result['git']}`. "
        f"{d['tables']['dossiers_dossier']['rows']:,} dossiers.",
        "",
        "## Machine and database",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gib']} GiB; Linux {m['kernel']}; Python {m['python']}",
        f"- PostgreSQL {m['postgresql']} on the same machine ("
        + ", ".join(f"{k} {v}" for k, v in d["settings"].items())
        + ")",
        f"- {m['gunicorn']}, {result['server']['workers']} sync workers, `egov.settings.production`, "
        f"flags of docs/deploy.md (max-requests {result['server']['max_requests'] or 'off'}); "
        f"{m['wrk']}; {m['pgbench']}. {m['load_note']}.",
        f"- Database `{d['name']}`: {d['size_mib']:,} MiB",
        "",
        "| table | rows | size (MiB) |",
        "|---|---:|---:|",
    ]
    lines += [f"| {t} | {v['rows']:,} | {v['size_mib']:,} |" for t, v in d["tables"].items()]
    if result.get("generation"):
        g = result["generation"]
        lines += ["", f"Generated in this run: {g['dossiers']:,} dossiers, seed {g['seed']}, {g['seconds']} s."]
    mem = result["server"].get("memory", {})
    if mem:
        lines += [
            "",
            f"Memory per worker after the run: RSS max {mem['rss_max_mib']} MiB, PSS mean {mem['pss_mean_mib']} MiB "
            f"(RSS {mem['rss_mib']}; master {mem['master_rss_mib']} MiB).",
        ]
    lines += ["", "## Results", "",
              "CPU: share of the machine's 2 cores used by this benchmark's processes / PostgreSQL / anything "
              "else (other people's work on a shared machine) during the scenario.", "",
              "| scenario | clients | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | CPU bench/pg/other % |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip

    def row(label, r, rate_key="throughput_rps", errors=None):
        lat = r["latency_ms"]
        err = errors if errors is not None else r.get("error_count", 0)
        cpu = r.get("cpu")
        load = f"{cpu['bench_pct']:.0f} / {cpu['postgres_pct']:.0f} / {cpu['other_pct']:.0f}" if cpu else ""
        return (
            f"| {label} | {r.get('clients', 1)} | {r.get(rate_key, '')} | {lat.get('p50', '')} | {lat.get('p95', '')} "
            f"| {lat.get('p99', '')} | {lat.get('max', '')} | {err} | {load} |"
        )

    if "submission" in s:
        lines.append(row("(a) online submission (citizen API)", s["submission"]["app"]))
        if "ceiling" in s["submission"]:
            c = s["submission"]["ceiling"]
            lines.append(row("(a) ceiling: same writes, pgbench", c, "throughput_tps", c["failed"]))
    for key, label in (("lookup", "(b) lookup"), ("worklist", "(c) worklist, first page"),
                       ("search", "(d) procedure search")):  # fmt: skip
        for r in s.get(key, {}).get("runs", []):
            lines.append(row(label, r))
    if "receipt" in s and "latency_ms" in s["receipt"]:
        r = s["receipt"]
        lines.append(row(f"(e) receipt render + sign (in-process, {r['iterations']}×)", r, errors=0))
    if "indicators" in s:
        i = s["indicators"]["seconds"]
        cpu = s["indicators"]["cpu"]
        lines.append(
            f"| (f) indicators {s['indicators']['year']} (in-process, {s['indicators']['iterations']}×) | 1 | | "
            f"{i['median'] * 1000:.0f} | | | {i['max'] * 1000:.0f} | 0 | "
            f"{cpu['bench_pct']:.0f} / {cpu['postgres_pct']:.0f} / {cpu['other_pct']:.0f} |"
        )
    if "submission" in s and "ratio" in s["submission"]:
        lines += ["", f"Submission / ceiling: **{s['submission']['ratio']:.3f}** "
                      f"({s['submission']['app']['throughput_rps']} req/s vs "
                      f"{round(s['submission']['ceiling']['throughput_tps'], 1)} tps)."]  # fmt: skip
    if not result["smoke"]:
        lines += ["", "## Targets", "", "| target | measured | goal | verdict |", "|---|---:|---:|---|"]
        for v in result["verdicts"]:
            verdict = "met" if v["met"] else f"**missed** by {v['missed_by']} {v['unit']} (×{v['factor']})"
            lines.append(f"| {v['label']} | {v['value']} {v['unit']} | {v['target']} {v['unit']} | {verdict} |")
    profiles = {k: v.get("profile") for k, v in s.items() if isinstance(v, dict) and v.get("profile")}
    if profiles:
        lines += ["", "## Profiles (py-spy, one worker)", ""]
        for key, prof in profiles.items():
            lines += [f"**{key}** ({prof['samples']} samples) — project code, inclusive:", ""]
            lines += [f"- {pct} % {f}" for f, pct in prof["own_code_inclusive"][:8]]
            lines += ["", "leaf functions:", ""]
            lines += [f"- {pct} % {f}" for f, pct in prof["leaf"][:8]]
            lines.append("")
    lines += ["", "Raw numbers: the JSON file of the same name.", ""]
    return "\n".join(lines)


def _git() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True)  # fmt: skip
        return sha.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except OSError:
        return ""


# --- main -------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    plan = _args(argv)
    for tool in ("wrk", "pgbench", "psql"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install wrk; pgbench is in postgresql-15)")
    started = datetime.now(UTC)
    tmp = BENCH / "results" / "tmp" / plan.name
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    result: dict = {"name": plan.name, "smoke": plan.smoke, "started": started.isoformat(timespec="seconds")}
    if plan.generate:
        result["generation"] = generate(plan)
    else:  # an existing database: bring its schema up to the code's (idempotent, cheap once applied)
        env = _env(plan, production=False)
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    _setup_django(plan)
    result["prepared"] = prepare(plan, tmp)
    result["machine"] = machine()
    scenarios: dict = {}
    server = Server(plan, tmp / "gunicorn.log")
    server.start()
    try:
        for key, script, data in (("lookup", "lookup", "codes"), ("worklist", "worklist", "officers"),
                                  ("search", "search", "queries")):  # fmt: skip
            if key not in plan.scenarios:
                continue
            _step(f"({ {'lookup': 'b', 'worklist': 'c', 'search': 'd'}[key] }) {key}")
            wrk(plan, tmp, script, data, clients=4, duration=plan.warmup)
            runs = []
            for clients in plan.read_clients:
                spy = profile_start(server, tmp, key, plan.duration) if plan.profile and clients == max(
                    plan.read_clients) else None  # fmt: skip
                runs.append(wrk(plan, tmp, script, data, clients=clients, duration=plan.duration))
                if spy:
                    spy.wait()
            scenarios[key] = {"runs": runs}
            if plan.profile:
                scenarios[key]["profile"] = profile_summary(tmp, key)
        if "submission" in plan.scenarios:
            _step(f"(a) submission, {plan.clients} clients, then the pgbench ceiling")
            # Warm every worker up first (first requests load code and caches).
            wrk(plan, tmp, "submit", "routes", clients=plan.workers, duration=max(plan.warmup, 3 * plan.workers))
            spy = profile_start(server, tmp, "submission", plan.duration) if plan.profile else None
            # Give the smoke run time to finish a few.
            app = wrk(plan, tmp, "submit", "routes", clients=plan.clients, duration=max(plan.duration, 10))
            if spy:
                spy.wait()
            scenarios["submission"] = {"app": app, "note": "online submission, POST /api/v1/portal/submissions"}
            if plan.profile:
                scenarios["submission"]["profile"] = profile_summary(tmp, "submission")
        result["server"] = {
            "workers": plan.workers,
            "max_requests": plan.max_requests,
            "memory": server.memory(),
        }
    finally:
        server.stop()
    if "submission" in plan.scenarios:
        ceiling = pgbench(plan, tmp, clients=plan.clients, duration=plan.duration)
        scenarios["submission"]["ceiling"] = ceiling
        scenarios["submission"]["ratio"] = round(
            scenarios["submission"]["app"]["throughput_rps"] / ceiling["throughput_tps"], 4
        )
    if "receipt" in plan.scenarios:
        scenarios["receipt"] = receipt(plan)
    if "indicators" in plan.scenarios:
        scenarios["indicators"] = indicators(plan)
    result["scenarios"] = scenarios
    result["database"] = database(plan)
    result["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["git"] = _git()
    result["verdicts"] = verdicts(result)
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    (plan.out_dir / f"{plan.name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (plan.out_dir / f"{plan.name}.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    print(f"Written: {plan.out_dir / plan.name}.md and .json")
    runs = [r for v in scenarios.values() if isinstance(v, dict) for r in v.get("runs", [])]
    if "submission" in scenarios:
        runs.append(scenarios["submission"]["app"])
    # An error is a failed request, or a scenario that completed none (nothing was measured).
    errors = sum(r.get("error_count", 0) + (r["requests"] == 0) for r in runs)
    if "submission" in scenarios:
        errors += scenarios["submission"]["ceiling"]["failed"]
    if errors:
        print(f"FAILED: {errors} errors", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
