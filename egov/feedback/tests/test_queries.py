"""Query counts of the feedback pages and API: the lists cost the same for 1 row as for 6; tracking,
the officer's detail page and the rating page stay at the values below."""

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


def test_tracking_a_feedback_by_its_code_page_and_api(client, world, officers, clock):
    feedback = submit(agency=world["justice"])
    answer_feedback(by=officers["desk"], feedback=feedback, answer="Trả lời", publish=False)

    page = _count(client, f"/phan-anh/tra-cuu/?ma={feedback.code}")
    api = _count(client, f"/api/v1/feedback/{feedback.code}")

    assert (page, api) == (1, 1)  # the feedback with its agency; no session, nothing else


def test_the_officer_detail_page(client, world, officers, clock):
    feedback = submit(agency=world["justice"])
    client.force_login(officers["desk"])
    client.get("/can-bo/phan-anh/")  # the first request of a session also marks its second factor

    # Session, user, grants, the feedback (with its agency and unit), the layout's back-office check,
    # and the sliding session expiry (savepoint, update, release).
    assert _count(client, f"/can-bo/phan-anh/{feedback.code}/") == 8


def test_the_rating_page_of_a_returned_dossier(client, returned):
    assert _count(client, f"/danh-gia/{returned.code}/") == 2  # the dossier; whether it is rated already
