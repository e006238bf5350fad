"""The back-office list of security events: administrators only, counts per kind, filters."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from egov.security import services
from egov.security.models import EventKind

LIST_URL = "/admin/security/securityevent/"


def test_an_administrator_sees_the_counts_per_kind_and_can_filter(client, admin_user):
    now = timezone.now()
    services.record(EventKind.LOGIN_FAILED, username="a", now=now - timedelta(minutes=1))
    services.record(EventKind.LOGIN_FAILED, username="b", now=now - timedelta(hours=3))
    services.record(EventKind.FORBIDDEN, username="c", now=now - timedelta(days=2))
    client.force_login(admin_user)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    summary = {row["kind"]: row["counts"] for row in response.context["security_summary"]}
    assert summary["login_failed"] == [1, 2, 2]
    assert summary["forbidden"] == [0, 0, 1]
    assert summary["lockout"] == [0, 0, 0]
    assert 'id="security-summary"' in response.content.decode()

    filtered = client.get(LIST_URL, {"kind__exact": "login_failed"})
    assert sorted(e.username for e in filtered.context["cl"].result_list) == ["a", "b"]


def test_an_officer_without_audit_rights_cannot_open_it(client, tree, make_officer):
    clerk = make_officer("receiving_officer", tree["province"])
    client.force_login(clerk)

    assert client.get(LIST_URL).status_code in (302, 403)
