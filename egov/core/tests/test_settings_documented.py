"""Every setting the code reads is declared in the settings package, and every environment variable
that is read is in the table of docs/deploy.md §5; the sample egov.env there starts production.

When one of these fails after you added a setting: declare it in ``egov/settings/__init__.py`` from
``env("NAME", default)`` and add a row for ``NAME`` to the table in docs/deploy.md.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import egov.settings as base_settings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "docs" / "deploy.md"
SETTINGS_DIR = ROOT / "egov" / "settings"


def _source_files() -> list[Path]:
    """Application code: egov/ without tests and migrations, and the deployment files in deploy/."""
    return [
        path
        for path in sorted((ROOT / "egov").rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
    ] + sorted((ROOT / "deploy").glob("*.py"))


def _string_arg(node: ast.Call, index: int = 0) -> str | None:
    if len(node.args) > index and isinstance(node.args[index], ast.Constant):
        value = node.args[index].value
        return value if isinstance(value, str) else None
    return None


def _is_os_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", "") == "os"


def environment_names_read(path: Path) -> set[str]:
    """Names read through env()/env_bool()/env_list(), os.environ[...], os.environ.get(), os.getenv(),
    and ``"NAME" in os.environ``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"env", "env_bool", "env_list"}:
                names.add(_string_arg(node))
            elif isinstance(func, ast.Attribute) and func.attr in {"get", "setdefault"} and _is_os_environ(func.value):
                names.add(_string_arg(node))
            elif isinstance(func, ast.Attribute) and func.attr == "getenv" and getattr(func.value, "id", "") == "os":
                names.add(_string_arg(node))
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
        elif isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
            if isinstance(node.left, ast.Constant):
                names.add(node.left.value)
    names.discard(None)
    return names


def settings_names_read(path: Path) -> set[str]:
    """Names read as ``settings.NAME``, ``getattr(settings, "NAME", ...)``, and the ``"EGOV_..."``
    string constants that name a setting for a later getattr (e.g. a table of rates)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", "") == "settings" and node.attr.isupper():
            names.add(node.attr)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr":
            if node.args and getattr(node.args[0], "id", "") == "settings" and _string_arg(node, 1):
                names.add(_string_arg(node, 1))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.fullmatch(r"EGOV_[A-Z0-9_]+", node.value) and node.value != "EGOV_VAR_DIR":
                names.add(node.value)
    return names


def documented_variables() -> set[str]:
    """Backticked names in the first column of the table in docs/deploy.md that lists every variable."""
    text = DEPLOY.read_text(encoding="utf-8")
    table = text[text.index("| variable | meaning | default |") :]
    names: set[str] = set()
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


def test_every_environment_variable_read_is_in_the_deploy_table():
    read = set()
    for path in _source_files():
        read |= {(name, str(path.relative_to(ROOT))) for name in environment_names_read(path)}
    documented = documented_variables()

    missing = sorted(f"{name} ({where})" for name, where in read if name not in documented)

    assert missing == [], "Add these variables to the table in docs/deploy.md §5"
    # The scan itself finds what it must: variables of settings, of production and of commands.
    names = {name for name, _where in read}
    assert {"PAYMENT_GATEWAY_URL", "UPLOAD_SCANNER_TIMEOUT", "SECURE_HSTS_SECONDS", "DEMO_PASSWORD"} <= names


def test_every_setting_read_is_declared_in_the_settings_package():
    declared = {name for name in vars(base_settings) if name.isupper()}
    from django.conf import global_settings

    django_defaults = {name for name in vars(global_settings) if name.isupper()}
    read = {}
    for path in _source_files():
        if SETTINGS_DIR in path.parents:
            continue
        for name in settings_names_read(path):
            read.setdefault(name, str(path.relative_to(ROOT)))

    missing = sorted(f"{name} ({where})" for name, where in read.items() if name not in declared | django_defaults)

    assert missing == [], "Declare these in egov/settings/__init__.py, from env()"
    assert {"EGOV_NOTIFY_LEASE_SECONDS", "EGOV_VERIFICATION_CODE_MINUTES", "EGOV_PAYMENT_GATEWAY"} <= set(read)


def test_every_egov_setting_declared_is_read_from_the_environment():
    # An EGOV_ setting with no variable cannot be configured on a server without editing code.
    tree = ast.parse((SETTINGS_DIR / "__init__.py").read_text(encoding="utf-8"))
    not_from_env = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            # A bare literal cannot be changed on a server; one derived from other settings can.
            if name.startswith("EGOV_") and isinstance(node.value, ast.Constant) and name != "EGOV_PRODUCTION":
                not_from_env.append(name)
    assert not_from_env == []


def _sample_env() -> dict[str, str]:
    text = DEPLOY.read_text(encoding="utf-8")
    start = text.index("`/etc/egov/egov.env`")
    block = text[text.index("```sh\n", start) + len("```sh\n") :]
    block = block[: block.index("```")]
    values = {}
    for line in block.splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            values[name] = value.strip('"')
    return values


def test_the_sample_environment_file_starts_production(tmp_path):
    # Given the sample /etc/egov/egov.env of docs/deploy.md, with each *_FILE pointing at a file holding
    # a value of the right shape, and a PostgreSQL DATABASE_URL as documented
    values = _sample_env()
    secrets = {
        "SECRET_KEY_FILE": "k" * 50,
        "SIGNING_PASSPHRASE_FILE": "a-real-passphrase-0123456789",
        "PAYMENT_SECRET_FILE": "gateway-secret",
    }
    env = {"PATH": "/usr/bin:/bin", "EGOV_VAR_DIR": str(tmp_path)}
    for name, value in values.items():
        if name.endswith("_FILE"):
            assert name in secrets, f"the test does not know what {name} holds"
            (tmp_path / name).write_text(secrets[name], encoding="utf-8")
            value = str(tmp_path / name)
        env[name] = value
    env["EGOV_VAR_DIR"] = str(tmp_path)

    # When the production settings are imported with it
    result = subprocess.run(
        [sys.executable, "-c", "import egov.settings.production as s; print(s.EGOV_PAYMENT_GATEWAY_URL)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    # Then they load: nothing production requires is missing from the sample
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == values["PAYMENT_GATEWAY_URL"]
