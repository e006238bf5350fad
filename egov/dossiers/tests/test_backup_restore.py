"""scripts/egov-backup and scripts/egov-restore, for real (docs/operations.md "Backup and restore").

The round trip needs PostgreSQL (pg_dump of the test database, restore into a throw-away database):
dossiers with signed forms are backed up with their files and signing keys, restored into a new
database and new folders, and the counts, the file hashes, the audit chain and a signature check
must come out identical. The failure tests need only the PostgreSQL client programs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from egov.dossiers.models import IssuedForm
from egov.dossiers.tests.conftest import receive
from egov.signing.services import validate_pdf

ROOT = Path(__file__).resolve().parents[3]
BACKUP = ROOT / "scripts" / "egov-backup"
RESTORE = ROOT / "scripts" / "egov-restore"
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="pg_dump backs up PostgreSQL only: run with DATABASE_URL=postgres://..."
)
needs_pg_client = pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")


def _url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(script), *args],
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _table_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _verify_chain(url: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "egov.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "verify_audit_chain"], cwd=ROOT, env=env, capture_output=True, text=True
    )


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_a_new_database_and_folders_identically(world, officers, tmp_path):
    # Given dossiers whose reception issued signed forms (files in MEDIA_ROOT, keys in PKI_DIR), and a
    # configuration folder
    for n in range(2):
        receive(world, officers["desk"], name=f"Người nộp {n}", identity=f"03709000123{n}")
    media, pki = Path(settings.MEDIA_ROOT), Path(settings.EGOV_PKI_DIR)
    config = tmp_path / "etc-egov"
    config.mkdir()
    (config / "egov.env").write_text("DJANGO_SETTINGS_MODULE=egov.settings.production\n", encoding="utf-8")
    assert IssuedForm.objects.count() == 2
    source = _url(connection.settings_dict["NAME"])
    env = {
        "DATABASE_URL": source,
        "MEDIA_ROOT": str(media),
        "PKI_DIR": str(pki),
        "EGOV_CONFIG_DIR": str(config),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "BACKUP_KEEP": "2",
    }

    # When it is backed up (three times, keeping two)
    runs = [_run(BACKUP, env=env) for _ in range(3)]
    assert [r.returncode for r in runs] == [0, 0, 0], runs[-1].stderr
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert kept == sorted(Path(r.stdout.strip()).name for r in runs[1:])
    backup = Path(runs[-1].stdout.strip())
    assert sorted(p.name for p in backup.iterdir()) == [
        "MANIFEST",
        "SHA256SUMS",
        "audit-head.txt",
        "config.tar.gz",
        "database.dump",
        "media.tar.gz",
        "pki.tar.gz",
    ]

    # ... and restored into a new database and new folders
    restored_db = f"{connection.settings_dict['NAME']}_restored"
    _admin_sql(f'DROP DATABASE IF EXISTS "{restored_db}"')
    _admin_sql(f'CREATE DATABASE "{restored_db}"')
    try:
        target = tmp_path / "new-machine"
        restore_env = {
            "DATABASE_URL": _url(restored_db),
            "MEDIA_ROOT": str(target / "media"),
            "PKI_DIR": str(target / "pki"),
        }
        restored = _run(RESTORE, "--config-to", str(target / "etc-egov"), str(backup), env=restore_env)
        assert restored.returncode == 0, restored.stderr

        # Then every table has the same rows, every file the same bytes, the audit chain verifies the same
        assert _table_counts(_url(restored_db)) == _table_counts(source)
        assert _table_counts(source)["dossiers_issuedform"] == 2
        assert _tree_hashes(target / "media") == _tree_hashes(media)
        assert _tree_hashes(target / "pki") == _tree_hashes(pki)
        assert _tree_hashes(target / "etc-egov") == _tree_hashes(config)
        original_chain, restored_chain = _verify_chain(source), _verify_chain(_url(restored_db))
        assert (restored_chain.returncode, restored_chain.stdout) == (0, original_chain.stdout)
        assert restored_chain.stdout.startswith("Chuỗi nhật ký toàn vẹn: ")

        # ... and a restored signed form validates against the restored trust root
        form = IssuedForm.objects.order_by("pk").first()
        reports = validate_pdf(
            (target / "media" / form.pdf.name).read_bytes(), trust_roots=[target / "pki" / "root-ca.pem"]
        )
        assert [(r.ok, r.signer_identifier) for r in reports] == [(True, "H98.101.01")]  # the desk signs

        # ... and restoring again over the restored data is refused, with nothing touched
        again = _run(RESTORE, str(backup), env=restore_env)
        assert again.returncode == 1
        assert "is not empty" in again.stderr
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{restored_db}"')


@needs_pg_client
def test_a_failed_dump_leaves_no_backup_and_keeps_the_previous_ones(tmp_path):
    # Given an earlier complete backup, and a database that cannot be reached
    backups = tmp_path / "backups"
    earlier = backups / "egov-20260101T000000Z"
    earlier.mkdir(parents=True)
    (earlier / "SHA256SUMS").write_text("", encoding="utf-8")
    for name in ("media", "pki", "etc"):
        (tmp_path / name).mkdir()
    env = {
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/missing",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PKI_DIR": str(tmp_path / "pki"),
        "EGOV_CONFIG_DIR": str(tmp_path / "etc"),
        "BACKUP_DIR": str(backups),
        "BACKUP_KEEP": "1",
    }

    # When a backup runs
    result = _run(BACKUP, env=env)

    # Then it fails loudly, keeps nothing of its own (no empty dump) and rotates nothing away
    assert result.returncode == 1
    assert "egov-backup: pg_dump failed" in result.stderr
    assert "no backup was kept" in result.stderr
    assert sorted(p.name for p in backups.iterdir()) == ["egov-20260101T000000Z"]


@needs_pg_client
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "egov-backup: DATABASE_URL (or DATABASE_URL_FILE) is not set"),
        ({"DATABASE_URL": "sqlite:///var/egov.sqlite3"}, "DATABASE_URL must name a PostgreSQL database"),
        ({"DATABASE_URL": "postgres:///egov", "BACKUP_KEEP": "0"}, "BACKUP_KEEP must be a positive number"),
    ],
)
def test_bad_settings_stop_the_backup_before_it_starts(tmp_path, env, message):
    for name in ("media", "pki"):
        (tmp_path / name).mkdir()
    env = {"MEDIA_ROOT": str(tmp_path / "media"), "PKI_DIR": str(tmp_path / "pki"), "EGOV_CONFIG_DIR": "", **env}
    env["BACKUP_DIR"] = str(tmp_path / "backups")

    result = _run(BACKUP, env=env)

    assert result.returncode == 1
    assert message in result.stderr
    assert not (tmp_path / "backups").exists()
