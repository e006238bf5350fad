"""A double click that really arrives twice at once (PostgreSQL, real concurrent transactions): six
requests with the same Idempotency-Key make one dossier, and every request gets it back."""

from __future__ import annotations

import pytest

from egov.dossiers.models import Dossier
from egov.dossiers.tests.test_concurrency import needs_postgresql, run_at_once
from egov.portal.models import OnlineApplication
from egov.portal.tests.conftest import submit


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_six_submissions_with_one_key_at_once_make_one_dossier(world, citizen, clock):
    results = run_at_once(6, lambda i: submit(world, citizen, key="cung-mot-khoa"))

    assert not [r for r in results if isinstance(r, Exception)], results
    codes = {dossier.code for dossier, _created in results}
    assert len(codes) == 1
    assert sum(created for _dossier, created in results) == 1
    assert Dossier.objects.count() == 1 and OnlineApplication.objects.count() == 1
