"""The back-office audit list: readable with ``audit.view``, filterable, and never writable."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from egov.audit.models import AuditRecord

LIST_URL = "/admin/audit/auditrecord/"


@pytest.fixture
def auditor(client, admin_user):
    """The province administrator (role with ``audit.view``, staff), signed in."""
    client.force_login(admin_user)
    return admin_user


def test_given_an_administrator_when_opening_the_audit_list_then_every_record_is_listed_newest_first(client, auditor):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    listed = [r.seq for r in response.context["cl"].result_list]
    assert listed == list(AuditRecord.objects.order_by("-seq").values_list("seq", flat=True))
    assert len(listed) == AuditRecord.objects.count() > 7


def test_given_an_administrator_when_filtering_by_action_then_only_that_action_is_listed(client, auditor, tree):
    response = client.get(LIST_URL, {"action": "organisation.create"})

    assert response.status_code == 200
    listed = response.context["cl"].result_list
    # The shared tree fixture creates seven units.
    assert len(listed) == 7
    assert {r.action for r in listed} == {"organisation.create"}
    assert {r.target_id for r in listed} == {str(org.pk) for org in tree.values()}


def test_given_an_administrator_when_opening_a_record_then_it_is_read_only(client, auditor):
    rec = AuditRecord.objects.order_by("seq").first()
    url = f"/admin/audit/auditrecord/{rec.pk}/change/"

    page = client.get(url)

    assert page.status_code == 200
    assert (page.context["has_change_permission"], page.context["has_add_permission"]) == (False, False)
    assert page.context["has_delete_permission"] is False
    assert client.post(url, {"action": "test.forged"}).status_code == 403
    assert AuditRecord.objects.get(pk=rec.pk).action == rec.action


@pytest.mark.parametrize(
    "path",
    ["add/", "{pk}/delete/"],
)
def test_given_an_administrator_when_adding_or_deleting_records_then_it_is_forbidden(client, auditor, path):
    rec = AuditRecord.objects.order_by("seq").first()
    count = AuditRecord.objects.count()

    assert client.get(LIST_URL + path.format(pk=rec.pk)).status_code == 403
    assert client.post(LIST_URL + path.format(pk=rec.pk), {"post": "yes"}).status_code == 403
    assert AuditRecord.objects.count() == count


def test_given_the_model_admin_then_add_change_and_delete_are_refused_even_to_a_superuser(tree, make_officer):
    superuser = make_officer("administrator", tree["province"], username="sieuquantri", is_superuser=True)
    request = RequestFactory().get(LIST_URL)
    request.user = superuser
    model_admin = admin.site._registry[AuditRecord]
    rec = AuditRecord.objects.order_by("seq").first()

    assert (model_admin.has_view_permission(request), model_admin.has_view_permission(request, rec)) == (True, True)
    assert (model_admin.has_add_permission(request), model_admin.has_change_permission(request, rec)) == (False, False)
    assert model_admin.has_delete_permission(request, rec) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_given_a_specialist_when_opening_the_audit_list_then_they_are_sent_to_sign_in(client, tree, make_officer):
    client.force_login(make_officer("specialist", tree["province"]))  # not staff

    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={LIST_URL}"


def test_given_a_staff_evaluator_without_audit_view_when_opening_the_audit_list_then_it_is_forbidden(
    client, tree, make_officer
):
    client.force_login(make_officer("evaluator", tree["province"]))  # staff, but no audit.view

    assert client.get(LIST_URL).status_code == 403
    assert "audit" not in {app["app_label"] for app in client.get("/admin/").context["app_list"]}
