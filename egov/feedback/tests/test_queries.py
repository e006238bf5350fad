"""The public list and the officer list cost the same number of queries for 1 row as for 6."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.feedback.services import answer_feedback
from egov.feedback.tests.conftest import submit

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add(world, officers, n):
    for _ in range(n):
        feedback = submit(agency=world["justice"])
        answer_feedback(by=officers["desk"], feedback=feedback, answer="Trả lời", publish=True)


def test_public_list_queries_do_not_depend_on_rows(client, world, officers, clock):
    _add(world, officers, 1)
    one = _count(client, "/phan-anh/cong-khai/")
    _add(world, officers, 5)
    six = _count(client, "/phan-anh/cong-khai/")
    api = _count(client, "/api/v1/feedback/published")

    assert one == six == 1  # the page of feedback with its agencies, nothing else (no session)
    assert api == 1


def test_officer_list_queries_do_not_depend_on_rows(client, world, officers, clock):
    client.force_login(officers["desk"])
    client.get("/can-bo/phan-anh/")  # the first request of a session also marks its second factor
    _add(world, officers, 1)
    one = _count(client, "/can-bo/phan-anh/")
    _add(world, officers, 5)
    six = _count(client, "/can-bo/phan-anh/")

    assert one == six
    # Session, user, grants, the page (with agencies), the layout's back-office check, and the
    # sliding session expiry (savepoint, update, release).
    assert six == 8
