"""The back-office screen: listing, editing through the service (a new version), preview, actions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from egov.forms.models import FormTemplate
from egov.forms.selectors import current_template, versions
from egov.forms.tests.conftest import A5_PORTRAIT, pdf_pages

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/forms/formtemplate/"


def change_url(template: FormTemplate) -> str:
    return reverse("admin:forms_formtemplate_change", args=[template.pk])


def test_the_administrator_sees_every_version_with_the_one_in_use_marked(client, administrator):
    client.force_login(administrator)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert len(rows) == 14  # 6 + the "TB" stop notice of TT 01/2018, 7 of the 2025 set
    assert all(row.current_version == row.version == 1 for row in rows)
    html = response.content.decode()
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in html
    assert reverse("admin:forms_formtemplate_preview", args=[rows[0].pk]) in html
    assert len(queries) <= 14  # session, user, positions, counts, the page, the filter values


def test_the_list_costs_the_same_queries_however_many_versions(client, administrator):
    from egov.forms import services

    client.force_login(administrator)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as before:
        client.get(LIST_URL)
    v1 = current_template(form_set="tt01_2018", code="01")
    for n in range(3):
        services.update_template(by=None, template=v1, body=v1.body + " " * (n + 1), css=v1.css)

    with CaptureQueriesContext(connection) as after:
        response = client.get(LIST_URL)

    assert len(response.context["cl"].result_list) == 17  # 14 forms and 3 more versions of Mẫu 01
    assert len(after) == len(before)
    in_use = [row.version for row in response.context["cl"].result_list if row.version == row.current_version]
    assert sorted(in_use) == [1] * 13 + [4]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("specialist", 302),  # not a back-office user: sent to sign in
        ("commune_administrator", 403),  # back office, but form.manage over one commune only
    ],
)
def test_others_cannot_open_the_screen_or_the_preview(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    template = current_template(form_set="tt01_2018", code="01")

    assert client.get(LIST_URL).status_code == status
    assert client.get(change_url(template)).status_code == status
    assert client.get(reverse("admin:forms_formtemplate_preview", args=[template.pk])).status_code == status


def test_the_change_and_add_pages_show_the_variables_of_the_form(client, administrator):
    client.force_login(administrator)
    template = current_template(form_set="tt01_2018", code="05")

    change = client.get(change_url(template))
    add = client.get("/admin/forms/formtemplate/add/")

    assert change.status_code == 200 and add.status_code == 200
    html = change.content.decode()
    assert "handovers" in html and "blank_rows" in html and "vn_datetime" in html
    assert reverse("admin:forms_formtemplate_preview", args=[template.pk]) in html
    assert set(change.context["adminform"].form.fields) == {"name", "body", "css"}


def test_saving_a_change_writes_a_new_version_and_keeps_the_old(client, administrator):
    client.force_login(administrator)
    v1 = current_template(form_set="tt01_2018", code="01")
    body = v1.body.replace("Người tiếp nhận hồ sơ", "Cán bộ tiếp nhận")

    response = client.post(change_url(v1), {"name": v1.name, "body": body, "css": v1.css})

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(versions(form_set="tt01_2018", code="01").values_list("version", flat=True)) == [2, 1]
    v2 = current_template(form_set="tt01_2018", code="01")
    assert v2.body == body
    v1.refresh_from_db()
    assert "Người tiếp nhận hồ sơ" in v1.body


def test_a_broken_body_shows_the_error_with_its_line_and_writes_nothing(client, administrator, state):
    client.force_login(administrator)
    v1 = current_template(form_set="tt01_2018", code="01")
    before = state()

    response = client.post(change_url(v1), {"name": v1.name, "body": "<p>\n{% for x in %}</p>", "css": v1.css})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "body": ["Mẫu không biên dịch được, dòng 2: 'for' statements should have at least four words: for x in"]
    }
    assert state() == before


def test_the_preview_is_a_pdf_of_the_sample_data(client, administrator):
    client.force_login(administrator)
    template = current_template(form_set="tt03_2025", code="05")

    response = client.get(reverse("admin:forms_formtemplate_preview", args=[template.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="tt03_2025-mau-05-v1.pdf"'
    assert pdf_pages(response.content) == [A5_PORTRAIT]


def test_the_deactivate_action_goes_through_the_service(client, administrator):
    client.force_login(administrator)
    v1 = current_template(form_set="tt01_2018", code="03")
    from egov.forms import services

    v2 = services.update_template(by=administrator, template=v1, body=v1.body + " ", css=v1.css)

    response = client.post(LIST_URL, {"action": "deactivate_versions", "_selected_action": [v1.pk, v2.pk]})

    assert response.status_code == 302
    # v1 went off first; v2, then the last one on, was refused and stays in use.
    assert list(versions(form_set="tt01_2018", code="03").values_list("version", "is_active")) == [
        (2, True),
        (1, False),
    ]


def test_adding_a_form_of_a_new_set_goes_through_the_service(client, administrator):
    client.force_login(administrator)
    base = current_template(form_set="tt01_2018", code="03")

    response = client.post(
        "/admin/forms/formtemplate/add/",
        {
            "form_set": "sonnam_2026",
            "code": "03",
            "kind": "refusal",
            "name": "Phiếu từ chối",
            "paper": "A5",
            "orientation": "portrait",
            "body": base.body,
            "css": base.css,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = current_template(form_set="sonnam_2026", code="03")
    assert (created.kind, created.version, created.body) == ("refusal", 1, base.body)
