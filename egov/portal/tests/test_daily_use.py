"""What a citizen meets on the portal day to day: finished steps shown as finished, payment offered
only when it can succeed (and said in the citizen's words, with a way back), "my dossiers" filtered
and paged."""

from __future__ import annotations

import pytest

from egov.core.errors import PermissionDenied
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import Status
from egov.portal.tests.conftest import files_for, submit

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
    dossier_services.accept(by=officers["desk"], dossier=dossier.code)
    clock.now = vn(2027, 3, 1, 10, 30)
    dossier_services.forward(by=officers["desk"], dossier=dossier.code)

    signed_in.force_login(citizen)  # a fresh session: the idle timeout counts on the moved clock
    page = signed_in.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()

    assert 'xong <span class="task-finished">10:30 01/03/2027</span>' in page
    assert page.count("(đang thực hiện)") == 1  # the appraisal step, started at 10:30


def test_payment_is_not_offered_before_reception_and_the_page_says_when(signed_in, world, citizen, officers, clock):
    dossier, _ = submit(world, citizen)
    url = f"/ca-nhan/ho-so/{dossier.code}/"

    before = signed_in.get(url).content.decode()
    refused = signed_in.post(f"/thanh-toan/{dossier.code}/")
    dossier_services.accept(by=officers["desk"], dossier=dossier.code)
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
    dossier_services.refuse(by=officers["desk"], dossier=dossier.code, reason="Sai thẩm quyền")

    page = signed_in.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()

    assert dossier.__class__.objects.get(pk=dossier.pk).status == Status.REFUSED
    assert "Thanh toán trực tuyến" not in page and 'id="thanh-toan-sau"' not in page


def test_my_dossiers_filters_by_status_group_and_keeps_the_filter_across_pages(
    signed_in, world, citizen, officers, clock
):
    codes = [submit(world, citizen, key=f"khoa-loc-{i:04d}")[0].code for i in range(4)]
    dossier_services.refuse(by=officers["desk"], dossier=codes[0], reason="Sai")
    dossier_services.request_supplement(by=officers["desk"], dossier=codes[1], items=["CCCD"], reason="Mờ")
    from egov.portal import selectors

    waiting, _ = selectors.my_dossiers(citizen, statuses=frozenset({Status.WAITING_SUPPLEMENT}))
    running_first, cursor = selectors.my_dossiers(citizen, limit=1, statuses=frozenset({Status.NEW, Status.RECEIVED}))

    page = signed_in.get("/ca-nhan/ho-so/?tinh_trang=da-ket-thuc").content.decode()
    supplement = signed_in.get("/ca-nhan/ho-so/?tinh_trang=can-bo-sung").content.decode()
    running = signed_in.get("/ca-nhan/ho-so/?tinh_trang=dang-giai-quyet").content.decode()
    unknown = signed_in.get("/ca-nhan/ho-so/?tinh_trang=khong-co").content.decode()

    assert [d.code for d in waiting] == [codes[1]]
    assert [d.code for d in running_first] == [codes[3]] and cursor is not None
    assert codes[0] in page and codes[1] not in page and codes[2] not in page
    assert codes[1] in supplement and codes[0] not in supplement
    assert codes[2] in running and codes[3] in running and codes[0] not in running
    assert all(code in unknown for code in codes)  # an unknown group shows everything
    assert '<option value="da-ket-thuc" selected>' in page


def test_small_things_the_login_home_rating_and_lookup_pages(client, world, citizen, officers, clock):
    login = client.get("/dang-nhap/").content.decode()
    client.force_login(citizen)
    home = client.get("/").content.decode()
    dossier, _ = submit(world, citizen)
    rating = client.get(f"/danh-gia/{dossier.code}/").content.decode()
    dossier_services.accept(by=officers["desk"], dossier=dossier.code)
    lookup = client.get(f"/tra-cuu/{dossier.code}/").content.decode()

    assert 'name="otp_token"' not in login  # asked on its own page, only of accounts that have a device
    assert "/dang-nhap/" not in home and "Hồ sơ của tôi" in home
    assert "bạn" not in rating.lower().replace("ban hành", "")
    assert '<dt>Cơ quan giải quyết</dt><dd id="co-quan-giai-quyet">Sở Tư pháp</dd>' in lookup
    assert "Cơ quan tiếp nhận" not in lookup


def organisations_only(procedure):
    from egov.catalogue.models import Procedure

    Procedure.objects.filter(pk=procedure.pk).update(for_citizens=False, for_organisations=True, for_businesses=True)
    procedure.refresh_from_db()
    return procedure


def test_the_procedure_page_shows_who_may_apply_and_where_the_dossier_goes(client, world, citizen, clock):
    page = client.get(f"/thu-tuc/{world['procedure'].code}/").content.decode()

    assert '<dd id="doi-tuong">Công dân</dd>' in page
    assert (
        '<ul class="usa-list" id="noi-tiep-nhan"><li>Sở Tư pháp: <strong>Bộ phận Một cửa Sở Tư pháp</strong></li></ul>'
        in page
    )


def test_a_citizen_cannot_submit_a_procedure_for_organisations_and_is_told_why(signed_in, world, citizen, clock):
    procedure = organisations_only(world["procedure"])
    expected = (
        "Thủ tục &#x27;Chứng thực hợp đồng, giao dịch liên quan đến tài sản&#x27; dành cho đối tượng: doanh nghiệp, "
        "tổ chức. Tài khoản của Ông/Bà không thuộc đối tượng này."
    )

    catalogue_page = signed_in.get(f"/thu-tuc/{procedure.code}/").content.decode()
    form_page = signed_in.get(f"/nop-ho-so/{procedure.code}/")
    with pytest.raises(PermissionDenied) as refused:
        submit(world, citizen, procedure=procedure)

    assert "Nộp hồ sơ trực tuyến</a>" not in catalogue_page and expected in catalogue_page
    assert form_page.status_code == 403 and expected in form_page.content.decode()
    assert refused.value.message == expected.replace("&#x27;", "'")
    assert Dossier.objects.count() == 0


def test_the_online_form_says_where_the_dossier_goes(signed_in, world, clock):
    page = signed_in.get(f"/nop-ho-so/{world['procedure'].code}/").content.decode()

    assert "Sở Tư pháp — tiếp nhận tại Bộ phận Một cửa Sở Tư pháp</option>" in page


PARTICULARS_FORM = {
    "type": "object",
    "properties": {
        "full_name": {"title": "Họ và tên", "type": "string", "minLength": 2, "maxLength": 100},
        "date_of_birth": {"title": "Ngày sinh", "type": "string", "format": "date"},
        "identity_number": {"title": "Số định danh cá nhân", "type": "string", "pattern": "^[0-9]{12}$"},
        "copies": {"title": "Số bản", "type": "integer", "minimum": 1, "maximum": 5},
    },
    "required": ["full_name", "copies"],
    "additionalProperties": False,
}


@pytest.fixture
def particulars_form(world):
    from egov.portal.models import SubmissionForm

    return SubmissionForm.objects.create(
        procedure=world["procedure"], version=1, title="Tờ khai", schema=PARTICULARS_FORM, is_active=True
    )


def test_the_form_reports_fields_and_missing_components_in_one_round(signed_in, world, particulars_form, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.portal.tests.conftest import pdf

    first, _second, _ = world["procedure"].components.order_by("order", "pk")
    body = {
        "idempotency_key": "mot-lan-0001",
        "agency": str(world["justice"].pk),
        "applicant.name": "Nguyễn Văn An",
        "applicant.email": "an@example.vn",
        "data.full_name": "Nguyễn Văn An",
        "data.copies": "9",
        f"component-{first.pk}": SimpleUploadedFile("hop-dong.pdf", pdf("hd"), "application/pdf"),
        "action": "submit",
    }

    response = signed_in.post(f"/nop-ho-so/{world['procedure'].code}/", body)

    html = response.content.decode()
    assert response.status_code == 422
    assert "Thiếu thành phần hồ sơ: Bản sao giấy tờ tùy thân." in html
    assert 'id="data.copies-error"' in html
    assert Dossier.objects.count() == 0
    form_tag = signed_in.get(f"/nop-ho-so/{world['procedure'].code}/").content.decode()
    assert 'class="usa-form usa-form--large portal-form" novalidate>' in form_tag


def test_the_form_is_prefilled_from_the_account_and_the_commune_from_the_address(
    signed_in, world, citizen, particulars_form, clock
):
    from datetime import date

    from egov.people.models import CitizenProfile

    CitizenProfile.objects.filter(user=citizen).update(date_of_birth=date(1990, 5, 17))
    world["procedure"].agencies.add(world["commune"])  # UBND xã Thử Nghiệm; the address is in that commune

    html = signed_in.get(f"/nop-ho-so/{world['procedure'].code}/").content.decode()

    assert 'id="data.full_name" name="data.full_name" type="text" value="Nguyễn Văn An"' in html
    assert 'id="data.date_of_birth" name="data.date_of_birth" type="date" value="1990-05-17"' in html
    assert 'id="data.identity_number" name="data.identity_number" type="text" value="037090001234"' in html
    assert 'id="data.copies" name="data.copies" type="number" value=""' in html  # not the account's to say
    assert f'<option value="{world["commune"].pk}" selected>UBND xã Thử Nghiệm<' in html
    assert f'<option value="{world["justice"].pk}" selected>' not in html


def test_a_document_shown_in_person_is_not_a_required_upload_online(world, citizen, clock):
    from egov.catalogue.models import ProcedureComponent

    procedure = world["procedure"]
    ProcedureComponent.objects.create(
        procedure=procedure, order=9, name="Giấy tờ tùy thân của người yêu cầu (xuất trình)", originals=1
    )

    dossier, created = submit(world, citizen, components=files_for(procedure, which={0, 1}))  # two uploads only

    assert created and dossier.components.count() == 4
    shown = dossier.components.get(name__endswith="(xuất trình)")
    assert (shown.required, shown.provided) == (True, False)
