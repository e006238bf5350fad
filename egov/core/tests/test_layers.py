"""The import-linter contracts (``.importlinter``) name every app: a new app must be placed in a layer."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _contracts() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    return config


def _packages_and_modules() -> set[str]:
    egov = ROOT / "egov"
    packages = {f"egov.{p.parent.name}" for p in egov.glob("*/__init__.py")}
    modules = {f"egov.{p.stem}" for p in egov.glob("*.py") if p.stem != "__init__"}
    return packages | modules


def test_the_layers_contract_names_every_app_and_project_module():
    layers = _contracts()["importlinter:contract:layers"]["layers"]
    named = {name for line in layers.split("\n") for name in re.split(r"\s*\|\s*", line.strip()) if name}

    assert named == _packages_and_modules()


def test_no_app_may_import_the_demo():
    contract = _contracts()["importlinter:contract:no-demo"]
    sources = set(contract["source_modules"].split())

    assert contract["type"] == "forbidden"
    assert contract["forbidden_modules"].split() == ["egov.demo"]
    assert sources == _packages_and_modules() - {"egov.demo", "egov.urls", "egov.wsgi", "egov.settings"}
