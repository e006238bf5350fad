"""The benchmark data generator on a small province: counts, codes, sequences, calendar, and the
app's own reads on what it wrote. PostgreSQL only (it loads with COPY)."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator loads with COPY (PostgreSQL)"),
]

CODE = re.compile(r"^(\d{3}\.\d{2}\.\d{2}\.H99)-(\d{6})-(\d{4})$")


def test_generated_province(settings):
    """One load (the demo province takes half a minute), then every check on it."""
    from bench import generate as gen

    gen._django()
    generated = gen.generate(dossiers=200, seed=7, years=2, progress=False, stdout=io.StringIO())
    check_counts_and_statuses(generated)
    check_codes_follow_the_format_and_the_sequences_continue()
    check_due_dates_agree_with_the_calendar_engine()
    check_the_apps_reads_work_on_generated_data()
    check_a_new_reception_takes_the_next_number()


def check_counts_and_statuses(generated):
    from egov.audit.models import AuditRecord
    from egov.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierTask

    # The demo's own dossiers (counter and cross-level) came through the services, so they are audited;
    # the generator writes no audit records.
    demo = AuditRecord.objects.filter(target_type="dossiers.dossier").values_list("target_id", flat=True)
    synthetic = Dossier.objects.exclude(pk__in=[int(pk) for pk in demo])
    assert generated.dossiers == 200
    assert synthetic.count() == 200
    assert DossierTask.objects.filter(dossier__in=synthetic).count() == generated.tasks
    assert DossierEvent.objects.filter(dossier__in=synthetic).count() == generated.events >= 200
    assert DossierComponent.objects.filter(dossier__in=synthetic).count() == generated.components > 0
    # Most dossiers are long finished and returned.
    assert generated.status_counts.get(10, 0) > 150
    assert sum(generated.status_counts.values()) == 200


def check_codes_follow_the_format_and_the_sequences_continue():
    from egov.core.models import NumberSequence
    from egov.dossiers.models import Dossier

    last = defaultdict(int)
    for code, agency_id, submitted_at in Dossier.objects.values_list("code", "agency_id", "submitted_at"):
        match = CODE.match(code)
        assert match, code
        assert match.group(2) == timezone.localtime(submitted_at).strftime("%y%m%d")
        key = (agency_id, timezone.localtime(submitted_at).date())
        last[key] = max(last[key], int(match.group(3)))
    sequences = {
        (int(s.scope.split(":", 1)[1]), date.fromisoformat(s.period)): s.last
        for s in NumberSequence.objects.filter(scope__startswith="dossier:")
    }
    for key, number in last.items():
        assert sequences[key] == number


def check_a_new_reception_takes_the_next_number():
    from egov.core import numbering
    from egov.dossiers.demo import lien_thong_procedure
    from egov.dossiers.models import Dossier
    from egov.dossiers.services import ApplicantInput, ComponentInput, receive_dossier
    from egov.organisations.models import Organisation
    from egov.people.models import User

    procedure = lien_thong_procedure()
    justice = Organisation.objects.get(code="H99.103")
    today = timezone.localdate()
    before = numbering.current(scope=f"dossier:{justice.pk}", period=numbering.daily(today))
    dossier = receive_dossier(
        by=User.objects.get(username="tiepnhan.stp"),
        procedure=procedure,
        agency=justice,
        channel=1,
        applicant=ApplicantInput(name="Nguyễn Văn Mới", phone="0912345678"),
        components=[ComponentInput(c.pk, True) for c in procedure.components.all()],
    )
    assert dossier.code.endswith(f"-{today:%y%m%d}-{before + 1:04d}")
    assert Dossier.objects.filter(code=dossier.code).count() == 1


def check_due_dates_agree_with_the_calendar_engine():
    from egov.calendar import engine
    from egov.catalogue import selectors as catalogue
    from egov.dossiers.models import Dossier, DossierTask
    from egov.dossiers.services.common import spec as _spec

    for dossier in Dossier.objects.filter(due_at__isnull=False).select_related("procedure", "agency")[:60]:
        amount, unit = catalogue.duration_for(dossier.procedure, dossier.channel)
        expected = engine.compute_due(_spec(dossier), dossier.received_at, amount, unit)
        assert abs((expected - dossier.due_at).total_seconds()) < 60, dossier.code
    for task in DossierTask.objects.select_related("dossier__agency", "step")[:60]:
        expected = engine.add_working_hours(_spec(task.dossier), task.started_at, task.step.hours)
        assert abs((expected - task.due_at).total_seconds()) < 60


def check_the_apps_reads_work_on_generated_data():
    from egov.audit.services import verify_chain
    from egov.dossiers.api import lookup
    from egov.dossiers.models import Dossier
    from egov.dossiers.selectors import Worklist, worklist
    from egov.dossiers.statuses import WORKLIST
    from egov.people.models import User

    returned = Dossier.objects.filter(status=10).order_by("id").first()
    found = lookup(returned.code)
    assert found.status == 10
    assert found.steps_done  # every step finished
    open_dossier = Dossier.objects.filter(status__in=WORKLIST).exclude(current_unit=None).order_by("id").first()
    if open_dossier is not None:
        officer = User.objects.filter(
            username__startswith="bench.", positions__unit=open_dossier.current_unit_id
        ).first()
        rows, _cursor = worklist(user=officer, kind=Worklist.UNIT)
        assert open_dossier.code in {d.code for d in rows} or len(rows) == 50
    # The bulk history writes no audit record: the chain is intact.
    assert verify_chain().ok
