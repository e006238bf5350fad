"""Rating a dossier: only after the result was returned, once, by the applicant (account or code +
phone), with a known value. A wrong phone is a 403: the request is well formed, the caller just did
not prove they are the applicant (a 422 would suggest that fixing the input's format helps)."""

from __future__ import annotations

import json

import pytest

from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import Status
from egov.feedback.models import Rating
from egov.feedback.services import rate_dossier
from egov.feedback.tests.conftest import PHONE, receive

pytestmark = pytest.mark.django_db


def _post(client, code, **body):
    return client.post(f"/api/v1/feedback/ratings/{code}", json.dumps(body), content_type="application/json")


def test_the_applicant_rates_a_returned_counter_dossier_with_code_and_phone(returned):
    rating = rate_dossier(by=None, code=returned.code, value="very_satisfied", comment=" Nhanh ", phone="0912 345 678")

    assert (rating.dossier_id, rating.agency_id, rating.value, rating.comment, rating.by) == (
        returned.pk,
        returned.agency_id,
        "very_satisfied",
        "Nhanh",
        None,
    )
    assert rating.get_value_display() == "Rất hài lòng"


def test_the_api_answers_201_with_the_vietnamese_label(client, returned):
    response = _post(client, returned.code, value="satisfied", phone=PHONE)

    assert response.status_code == 201
    assert response.json()["value_label"] == "Hài lòng"


def test_a_dossier_not_returned_yet_cannot_be_rated_409_with_its_status(client, world, officers, clock):
    dossier = receive(world, officers["desk"], phone=PHONE)

    response = _post(client, dossier.code, value="satisfied", phone=PHONE)

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == dossier.status
    assert body["status_label"] == Status(dossier.status).label
    assert str(Status(dossier.status).label) in body["message"]
    assert not Rating.objects.exists()


def test_a_dossier_is_rated_once(client, returned):
    rate_dossier(by=None, code=returned.code, value="satisfied", phone=PHONE)

    response = _post(client, returned.code, value="unsatisfied", phone=PHONE)

    assert response.status_code == 409
    assert response.json()["message"] == "Hồ sơ này đã được đánh giá."
    assert list(Rating.objects.values_list("value", flat=True)) == ["satisfied"]


def test_a_wrong_phone_is_refused_403_and_nothing_is_written(client, returned):
    response = _post(client, returned.code, value="satisfied", phone="0900000000")

    assert response.status_code == 403
    assert response.json()["message"] == "Mã hồ sơ và số điện thoại không khớp với hồ sơ."
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"value": "rat_tot", "phone": PHONE}, ["value"]),
        ({"value": "", "phone": ""}, ["value", "phone"]),
        ({"value": "satisfied", "phone": PHONE, "comment": "x" * 1001}, ["comment"]),
    ],
)
def test_values_are_validated_422_in_vietnamese(client, returned, body, fields):
    response = _post(client, returned.code, **body)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == fields
    assert not Rating.objects.exists()


def test_with_an_account_only_that_account_may_rate(returned, citizen, make_officer, world):
    Dossier.objects.filter(pk=returned.pk).update(applicant_user=citizen)
    stranger = make_officer("receiving_officer", world["justice_desk"])

    with pytest.raises(PermissionDenied):
        rate_dossier(by=None, code=returned.code, value="satisfied", phone=PHONE)  # the phone is not enough
    with pytest.raises(PermissionDenied):
        rate_dossier(by=stranger, code=returned.code, value="satisfied")
    rating = rate_dossier(by=citizen, code=returned.code, value="unsatisfied", comment="Chậm")

    assert (rating.by, rating.value) == (citizen, "unsatisfied")


def test_an_unknown_dossier_is_404(db):
    with pytest.raises(NotFound):
        rate_dossier(by=None, code="KHONG-CO", value="satisfied", phone=PHONE)


def test_the_rating_is_audited(returned):
    from egov.audit.models import AuditRecord

    rate_dossier(by=None, code=returned.code, value="satisfied", phone=PHONE)

    record = AuditRecord.objects.get(action="feedback.rate")
    assert record.after == {"dossier": returned.code, "value": "satisfied", "by_phone_proof": True}


def test_errors_are_typed(returned):
    with pytest.raises(ValidationFailed):
        rate_dossier(by=None, code=returned.code, value="x", phone=PHONE)
    rate_dossier(by=None, code=returned.code, value="satisfied", phone=PHONE)
    with pytest.raises(Conflict):
        rate_dossier(by=None, code=returned.code, value="satisfied", phone=PHONE)


# --- the page --------------------------------------------------------------------------------


def test_the_page_offers_three_choices_and_asks_for_the_phone(client, returned):
    html = client.get(f"/danh-gia/{returned.code}/").content.decode()

    for label in ("Rất hài lòng", "Hài lòng", "Không hài lòng"):
        assert f">{label}</label>" in html
    assert 'name="phone"' in html


def test_the_page_shows_the_error_next_to_the_phone_and_at_the_top(client, returned):
    response = client.post(f"/danh-gia/{returned.code}/", {"value": "satisfied", "phone": "0900000000"})

    html = response.content.decode()
    assert response.status_code == 403
    assert 'class="usa-alert usa-alert--error error-summary"' in html
    assert (
        '<p class="usa-error-message" id="phone-error"><span class="usa-sr-only">Lỗi: </span>'
        "Mã hồ sơ và số điện thoại không khớp với hồ sơ.</p>"
    ) in html
    assert not Rating.objects.exists()


def test_the_page_records_the_rating_and_redirects(client, returned):
    response = client.post(f"/danh-gia/{returned.code}/", {"value": "very_satisfied", "phone": PHONE}, follow=True)

    assert response.status_code == 200
    assert "Hồ sơ này đã được đánh giá" in response.content.decode()
    assert Rating.objects.get().value == "very_satisfied"


def test_the_signed_in_applicant_rates_without_a_phone(client, returned, citizen):
    Dossier.objects.filter(pk=returned.pk).update(applicant_user=citizen)
    client.force_login(citizen)

    page = client.get(f"/danh-gia/{returned.code}/").content.decode()
    response = client.post(f"/danh-gia/{returned.code}/", {"value": "satisfied"})

    assert 'name="phone"' not in page
    assert response.status_code == 302
    assert Rating.objects.get().by == citizen
