"""Procedures change over time (issue #7, item 22): versions with effective dates; a dossier keeps the
fees, components and legal time of the version it was received under."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest

from egov.catalogue import versions
from egov.catalogue.models import ProcedureVersion
from egov.catalogue.specs import ComponentSpec, DurationSpec, FeeSpec, spec_from_procedure
from egov.core.errors import ValidationFailed
from egov.dossiers.tests.conftest import VIETNAM_TZ, components_all, receive

pytestmark = pytest.mark.django_db

JUNE_14 = datetime(2027, 6, 14, 9, 0, tzinfo=VIETNAM_TZ)  # a Monday, after the test keys are issued
JULY_2 = datetime(2027, 7, 2, 9, 0, tzinfo=VIETNAM_TZ)  # a Friday


def _decision_of_june(procedure):
    """QĐ 123: from 1/7/2027 the fee is 70,000 đồng, the time 3 working days, and a new paper."""
    spec = spec_from_procedure(procedure)
    return replace(
        spec,
        fees=(FeeSpec(kind="fee", name="Phí chứng thực hợp đồng", amount=70000),),
        durations=tuple(
            DurationSpec(channel=d.channel, amount=Decimal(3), unit="working_days") for d in spec.durations
        ),
        components=(*spec.components, ComponentSpec(name="Tờ khai yêu cầu chứng thực", originals=1)),
    )


@pytest.fixture
def at(monkeypatch):
    from types import SimpleNamespace

    from django.utils import timezone

    clock = SimpleNamespace(now=JUNE_14)
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def test_existing_procedures_have_version_one(world):
    [version] = ProcedureVersion.objects.filter(procedure=world["procedure"])

    assert (version.number, version.applied_at is not None) == (1, True)
    assert version.content["fees"] == [{"kind": "fee", "name": "Phí chứng thực hợp đồng", "amount": 50000, "note": ""}]


def test_a_dossier_received_before_the_change_keeps_the_old_terms_one_after_gets_the_new(world, officers, at):
    procedure = world["procedure"]
    old = receive(world, officers["desk"])  # 14/6: version 1
    version = versions.publish_version(
        by=None,
        procedure=procedure,
        spec=_decision_of_june(procedure),
        effective_from=date(2027, 7, 1),
        decision="Quyết định số 123/QĐ-UBND ngày 20/6/2027",
    )
    assert (version.number, version.applied_at) == (2, None)
    # Until 1/7 the catalogue still says version 1.
    assert procedure.fees.get().amount == 50000

    at.now = JULY_2
    from django.core.management import call_command

    from egov.dossiers.services import receive_dossier
    from egov.dossiers.tests.conftest import applicant

    # The daily command writes version 2; the counter then lists its papers.
    call_command("apply_procedure_versions", stdout=StringIO())
    procedure.refresh_from_db()
    new = receive_dossier(
        by=officers["desk"],
        procedure=procedure,
        agency=world["justice"],
        channel=1,
        applicant=applicant(),
        components=components_all(procedure),
    )

    old.refresh_from_db()
    assert (old.procedure_version.number, old.fee_amount, old.components.count()) == (1, 50000, 3)
    assert (new.procedure_version.number, new.fee_amount, new.components.count()) == (2, 70000, 4)
    # 2 working days from Monday 14/6 9:00; 3 from Friday 2/7 9:00 (over the weekend).
    assert old.due_at == datetime(2027, 6, 16, 9, 0, tzinfo=VIETNAM_TZ)
    assert new.due_at == datetime(2027, 7, 7, 9, 0, tzinfo=VIETNAM_TZ)
    assert procedure.fees.get().amount == 70000
    version.refresh_from_db()
    assert version.applied_at is not None


def test_reception_on_the_day_applies_a_waiting_version_itself(world, officers, at):
    """If the daily command has not run yet, the first dossier of the day still gets the new fee and time."""
    procedure = world["procedure"]
    spec = _decision_of_june(procedure)
    versions.publish_version(
        by=None,
        procedure=procedure,
        spec=replace(spec, components=spec.components[:3]),
        effective_from=date(2027, 7, 1),
    )
    at.now = JULY_2

    dossier = receive(world, officers["desk"])

    assert (dossier.procedure_version.number, dossier.fee_amount) == (2, 70000)
    assert dossier.due_at == datetime(2027, 7, 7, 9, 0, tzinfo=VIETNAM_TZ)


def test_a_version_in_force_today_is_written_at_once(world, at):
    procedure = world["procedure"]

    versions.publish_version(
        by=None, procedure=procedure, spec=_decision_of_june(procedure), effective_from=date(2027, 6, 14)
    )

    assert procedure.fees.get().amount == 70000
    assert versions.version_in_force(procedure).number == 2


def test_a_date_not_after_the_latest_version_is_refused(world, at):
    procedure = world["procedure"]
    first = ProcedureVersion.objects.get(procedure=procedure)

    with pytest.raises(ValidationFailed) as exc:
        versions.publish_version(
            by=None, procedure=procedure, spec=_decision_of_june(procedure), effective_from=first.effective_from
        )

    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("effective_from", f"Ngày có hiệu lực phải sau ngày {first.effective_from:%d/%m/%Y} của phiên bản gần nhất.")
    ]
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1


def test_an_officer_without_catalogue_manage_cannot_publish(world, officers, at):
    from egov.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        versions.publish_version(
            by=officers["desk"],
            procedure=world["procedure"],
            spec=_decision_of_june(world["procedure"]),
            effective_from=date(2027, 7, 1),
        )
    assert ProcedureVersion.objects.filter(procedure=world["procedure"]).count() == 1


def test_the_json_import_with_an_effective_date_adds_a_version(world, at):
    from egov.catalogue import services
    from egov.catalogue.specs import spec_to_dict

    entry = spec_to_dict(_decision_of_june(world["procedure"])) | {"effective_from": "2027-07-01", "decision": "QĐ 123"}

    summary = services.import_json(by=None, data={"procedures": [entry]})

    assert summary.updated == 1
    latest = ProcedureVersion.objects.filter(procedure=world["procedure"]).order_by("-number").first()
    assert (latest.number, latest.effective_from, latest.decision, latest.applied_at) == (
        2,
        date(2027, 7, 1),
        "QĐ 123",
        None,
    )
    assert world["procedure"].fees.get().amount == 50000  # not overwritten
    # The same file again changes nothing.
    assert services.import_json(by=None, data={"procedures": [entry]}).unchanged == 1
    assert ProcedureVersion.objects.filter(procedure=world["procedure"]).count() == 2


def test_an_edit_without_a_date_corrects_the_version_in_force(world, at):
    from egov.catalogue import services

    spec = replace(spec_from_procedure(world["procedure"]), name="Chứng thực hợp đồng, giao dịch về tài sản")

    services.update_procedure(by=None, procedure=world["procedure"], spec=spec)

    [version] = ProcedureVersion.objects.filter(procedure=world["procedure"])
    assert version.content["name"] == "Chứng thực hợp đồng, giao dịch về tài sản"


def test_the_catalogue_page_shows_the_history(client, world, at):
    versions.publish_version(
        by=None,
        procedure=world["procedure"],
        spec=_decision_of_june(world["procedure"]),
        effective_from=date(2027, 7, 1),
        decision="Quyết định số 123/QĐ-UBND",
    )

    html = client.get(f"/thu-tuc/{world['procedure'].code}/").content.decode()

    assert 'id="lich-su"' in html
    assert "Quyết định số 123/QĐ-UBND" in html
    assert "01/07/2027" in html
    assert "70.000 đồng" in html
