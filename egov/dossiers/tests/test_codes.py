"""Dossier codes ``<agency code>-<YYMMDD>-<NNNN>`` (TT 01/2018 Đ19): a daily series per receiving
agency, by the Vietnamese calendar day, that never repeats. The concurrent case is in
``test_concurrency.py`` (PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov.core.errors import ValidationFailed
from egov.core.models import NumberSequence
from egov.dossiers import services
from egov.dossiers.models import Dossier, RuleSet
from egov.dossiers.selectors import rule_set_on
from egov.dossiers.tests.conftest import MONDAY_9, receive, vn


def test_numbers_follow_each_other_within_a_day_and_restart_the_next_day(world, officers, clock):
    monday = [receive(world, officers["desk"]).code for _ in range(3)]
    clock.now = vn(2027, 3, 2, 8)
    tuesday = receive(world, officers["desk"]).code

    assert monday == ["000.00.01.H98-270301-0001", "000.00.01.H98-270301-0002", "000.00.01.H98-270301-0003"]
    assert tuesday == "000.00.01.H98-270302-0001"
    assert list(
        NumberSequence.objects.filter(scope=f"dossier:{world['justice'].pk}")
        .order_by("period")
        .values_list("period", "last")
    ) == [("2027-03-01", 3), ("2027-03-02", 1)]


def test_each_receiving_agency_has_its_own_series(world, officers, clock):
    rule_set = rule_set_on(MONDAY_9.date())
    justice = receive(world, officers["desk"]).code

    finance = [services.next_code(agency=world["finance"], rule_set=rule_set, at=MONDAY_9) for _ in range(2)]

    assert justice == "000.00.01.H98-270301-0001"
    assert finance == ["000.00.02.H98-270301-0001", "000.00.02.H98-270301-0002"]
    assert receive(world, officers["desk"]).code == "000.00.01.H98-270301-0002"


def test_the_day_is_the_vietnamese_calendar_day_not_utc(world, officers, clock):
    clock.now = vn(2027, 3, 1, 23, 59)  # 16:59 UTC
    late = receive(world, officers["desk"]).code
    clock.now = vn(2027, 3, 2, 0, 1)  # still 1 March in UTC
    early = receive(world, officers["desk"]).code

    assert (late, early) == ("000.00.01.H98-270301-0001", "000.00.01.H98-270302-0001")


def test_a_refused_reception_takes_no_number(world, officers, clock):
    from egov.dossiers.tests.conftest import applicant, components_all

    receive(world, officers["desk"])
    with pytest.raises(ValidationFailed):
        services.receive_dossier(
            by=officers["desk"],
            procedure=world["procedure"],
            agency=world["justice"],
            channel=1,
            applicant=applicant(),
            components=components_all(world["procedure"], provided=False),
        )

    assert receive(world, officers["desk"]).code == "000.00.01.H98-270301-0002"


def test_the_format_is_a_rule_set_setting(world, officers, clock):
    RuleSet.objects.filter(code="nd118-2025").update(agency_code_form="new", code_format="{agency}.{yymmdd}.{seq:06d}")

    assert receive(world, officers["desk"]).code == "H98.101.270301.000001"


def test_a_code_cannot_be_stored_twice(world, officers, clock):
    dossier = receive(world, officers["desk"])
    copy = Dossier.objects.get(pk=dossier.pk)
    copy.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(takes=st.lists(st.tuples(st.sampled_from(["justice", "finance"]), st.integers(0, 3)), max_size=12))
def test_property_codes_never_repeat_and_each_series_counts_from_one(world, takes):
    rule_set = rule_set_on(MONDAY_9.date())
    with transaction.atomic():
        codes = [
            services.next_code(agency=world[agency], rule_set=rule_set, at=MONDAY_9 + timedelta(days=day))
            for agency, day in takes
        ]
        transaction.set_rollback(True)

    assert len(set(codes)) == len(codes)
    seen: dict[tuple[str, int], int] = {}
    for (agency, day), code in zip(takes, codes, strict=True):
        seen[agency, day] = seen.get((agency, day), 0) + 1
        prefix = {"justice": "000.00.01.H98", "finance": "000.00.02.H98"}[agency]
        assert code == f"{prefix}-{(MONDAY_9 + timedelta(days=day)):%y%m%d}-{seen[agency, day]:04d}"
