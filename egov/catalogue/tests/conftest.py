"""Fixtures for the catalogue tests: fields, procedures built through the services, and a snapshot
of everything a catalogue service could change."""

from __future__ import annotations

import pytest

from egov.audit.models import AuditRecord
from egov.catalogue import services
from egov.catalogue.models import (
    Field,
    Procedure,
    ProcedureComponent,
    ProcedureDuration,
    ProcedureFee,
    ProcedureResult,
)
from egov.catalogue.tests import factories


def db_state() -> dict:
    return {
        "audit": AuditRecord.objects.count(),
        "fields": list(Field.objects.order_by("pk").values_list("pk", "code", "name", "managing_sector")),
        "procedures": list(Procedure.objects.order_by("pk").values()),
        "agencies": list(Procedure.agencies.through.objects.order_by("pk").values_list("procedure", "organisation")),
        "components": list(ProcedureComponent.objects.order_by("pk").values()),
        "durations": list(ProcedureDuration.objects.order_by("pk").values()),
        "fees": list(ProcedureFee.objects.order_by("pk").values()),
        "results": list(ProcedureResult.objects.order_by("pk").values()),
    }


@pytest.fixture
def state():
    """``state()`` -> a comparable snapshot of the catalogue tables and the audit count."""
    return db_state


@pytest.fixture
def fields(tree):
    return {
        code: services.create_field(by=None, code=code, name=name, managing_sector=sector)
        for code, name, sector in [
            ("G09-HT01", "Hộ tịch", "Bộ Tư pháp"),
            ("G09-LL01", "Lý lịch tư pháp", "Bộ Tư pháp"),
            ("G13-DK01", "Thành lập và hoạt động của hộ kinh doanh", "Bộ Tài chính"),
        ]
    }


@pytest.fixture
def procedures(fields):
    """Four procedures: three at the commune, one at Sở Tư pháp."""
    specs = [factories.birth(), factories.marriage(), factories.household_business(), factories.criminal_record()]
    return {spec.code: services.create_procedure(by=None, spec=spec) for spec in specs}


@pytest.fixture
def administrator(tree, make_officer):
    """An administrator at the province: catalogue.manage over the whole tree."""
    return make_officer("administrator", tree["province"], username="quantri")


@pytest.fixture
def department_administrator(tree, make_officer):
    """An administrator of one department only."""
    return make_officer("administrator", tree["justice"], username="quantri.stp")


@pytest.fixture
def specialist(tree, make_officer):
    return make_officer("specialist", tree["province"], username="chuyenvien")
