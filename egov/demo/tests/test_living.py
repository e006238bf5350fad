"""The living demo (egov/demo/living.py): a year of synthetic dossiers that keep every invariant of
real ones, written once."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from egov.audit.services import verify_chain
from egov.calendar import engine
from egov.calendar import selectors as calendar_selectors
from egov.core.models import NumberSequence
from egov.demo import living
from egov.dossiers.models import Dossier, DossierEvent, DossierFile, DossierTask
from egov.dossiers.statuses import Status
from egov.feedback.models import Rating
from egov.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_base(settings):
    settings.EGOV_DEMO_LIVING = False  # the base data only; the test loads the year itself
    call_command("seed_demo", stdout=StringIO())
    settings.EGOV_DEMO_LIVING = True


def test_the_year_is_written_once_with_codes_due_dates_history_and_audit_intact(demo_base, settings):
    before = Dossier.objects.count()
    settings.EGOV_DEMO_LIVING = False
    assert living.load(dossiers=50) == 0  # the variable turns it off
    settings.EGOV_DEMO_LIVING = True

    written = living.load(dossiers=400, stdout=StringIO())
    again = living.load(dossiers=400)

    synthetic = Dossier.objects.filter(pk__in=DossierEvent.objects.filter(data__living_demo=True).values("dossier_id"))
    assert written == synthetic.count() > 300 and again == 0
    assert Dossier.objects.count() == before + written
    # Codes: the rule set's format, unique, and each agency's daily counter is at least the last number.
    codes = list(synthetic.values_list("code", "agency_id", "received_at", "submitted_at"))
    assert all(re.fullmatch(r"[0-9.]+H99-\d{6}-\d{4}", code) for code, *_ in codes)
    last = {
        (int(scope.split(":")[1]), date.fromisoformat(period)): n
        for scope, period, n in NumberSequence.objects.filter(scope__startswith="dossier:").values_list(
            "scope", "period", "last"
        )
    }
    for code, agency_id, _received, submitted in codes:
        day = submitted.astimezone(engine.VIETNAM_TZ).date()
        assert int(code[-4:]) <= last[(agency_id, day)]
    # Every status appears; open ones sit in a unit, with an open step of their own.
    statuses = Counter(synthetic.values_list("status", flat=True))
    assert set(statuses) >= {Status.PROCESSING, Status.RETURNED} and len(statuses) >= 5
    for dossier in synthetic.filter(status__in=[Status.RECEIVED, Status.PROCESSING]).select_related("current_task"):
        assert dossier.current_task.dossier_id == dossier.pk and dossier.current_task.finished_at is None
    # The history ends where the dossier is.
    for dossier in synthetic.prefetch_related("events")[:100]:
        events = list(dossier.events.all())
        assert events[-1].to_status == dossier.status and dossier.version == len(events)
    # Due dates come from the province's calendar (working hours of each step).
    spec = calendar_selectors.spec_for(calendar_selectors.calendar_for(Organisation.objects.get(code="H99")))
    tasks = DossierTask.objects.filter(dossier__in=synthetic).select_related("step")[:200]
    for task in tasks:
        assert task.due_at == engine.add_working_hours(spec, task.started_at, task.step.hours)
    # Files, ratings on returned dossiers only; the audit chain untouched and valid.
    assert DossierFile.objects.filter(component__dossier__in=synthetic).exists()
    rated = Rating.objects.filter(dossier__in=synthetic)
    assert rated.exists() and set(rated.values_list("dossier__status", flat=True)) == {Status.RETURNED}
    report = verify_chain()
    assert report.ok and report.checked > 0
