"""What a citizen meets on the portal day to day: finished steps shown as finished, payment offered
only when it can succeed (and said in the citizen's words, with a way back), "my dossiers" filtered
and paged."""

from __future__ import annotations

import pytest

from egov.dossiers import services as dossier_services
from egov.dossiers.statuses import Status
from egov.portal.tests.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, citizen, clock):
    client.force_login(citizen)
    return client


def test_a_finished_step_shows_when_it_finished_and_only_the_open_one_is_in_progress(
    signed_in, world, citizen, officers, clock
):
    from egov.dossiers.tests.conftest import vn

    dossier, _ = submit(world, citizen)
    dossier_services.perform(by=officers["desk"], code=dossier.code, action="accept")
    clock.now = vn(2027, 3, 1, 10, 30)
    dossier_services.perform(by=officers["desk"], code=dossier.code, action="forward")

    signed_in.force_login(citizen)  # a fresh session: the idle timeout counts on the moved clock
    page = signed_in.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()

    assert 'xong <span class="task-finished">10:30 01/03/2027</span>' in page
    assert page.count("(đang thực hiện)") == 1  # the appraisal step, started at 10:30


def test_payment_is_not_offered_before_reception_and_the_page_says_when(signed_in, world, citizen, officers, clock):
    dossier, _ = submit(world, citizen)
    url = f"/ca-nhan/ho-so/{dossier.code}/"

    before = signed_in.get(url).content.decode()
    refused = signed_in.post(f"/thanh-toan/{dossier.code}/")
    dossier_services.perform(by=officers["desk"], code=dossier.code, action="accept")
    after = signed_in.get(url).content.decode()

    assert "Thanh toán trực tuyến 50.000 đồng" not in before
    assert 'id="thanh-toan-sau"' in before and "sau khi cơ quan tiếp nhận hồ sơ" in before
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "Hồ sơ chưa được tiếp nhận: Ông/Bà thanh toán phí, lệ phí sau khi cơ quan tiếp nhận hồ sơ." in body
    assert f'href="{url}"' in body  # the way back to the dossier
    assert "ghi nhận đã nộp phí" not in body.lower()
    assert "Thanh toán trực tuyến 50.000 đồng" in after and 'id="thanh-toan-sau"' not in after
    assert dossier.payment_orders.count() == 0  # the refused attempt opened no order


def test_a_closed_dossier_offers_no_payment(signed_in, world, citizen, officers, clock):
    dossier, _ = submit(world, citizen)
    dossier_services.perform(
        by=officers["desk"], code=dossier.code, action="refuse", payload={"reason": "Sai thẩm quyền"}
    )

    page = signed_in.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()

    assert dossier.__class__.objects.get(pk=dossier.pk).status == Status.REFUSED
    assert "Thanh toán trực tuyến" not in page and 'id="thanh-toan-sau"' not in page
