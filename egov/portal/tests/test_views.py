"""The citizen's pages: the online form (errors next to fields, drafts, a double submit), my
dossiers, the dossier page (steps, due date, supplement, withdrawal, payment, result, rating), the
store; and the API."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import Status
from egov.portal.models import Draft, PersonalDocument, SubmissionForm
from egov.portal.tests.conftest import pdf, submit

pytestmark = pytest.mark.django_db

FORM = {
    "type": "object",
    "properties": {
        "full_name": {"title": "Họ và tên", "type": "string", "minLength": 2, "maxLength": 100},
        "copies": {"title": "Số bản", "type": "integer", "minimum": 1, "maximum": 5},
        "birth": {"title": "Ngày sinh", "type": "string", "format": "date"},
        "sex": {"title": "Giới tính", "type": "string", "enum": ["Nam", "Nữ"]},
        "agree": {"title": "Tôi cam đoan", "type": "boolean", "const": True},
    },
    "required": ["full_name", "copies", "agree"],
    "additionalProperties": False,
}


@pytest.fixture
def signed_in(client, citizen, clock):
    client.force_login(citizen)
    return client


@pytest.fixture
def form(world):
    return SubmissionForm.objects.create(
        procedure=world["procedure"], version=1, title="Tờ khai", schema=FORM, is_active=True
    )


def _url(world):
    return f"/nop-ho-so/{world['procedure'].code}/"


def _post(world, **extra):
    c1, c2, _ = world["procedure"].components.order_by("order", "pk")
    body = {
        "idempotency_key": "trang-nop-0001",
        "agency": str(world["justice"].pk),
        "applicant.name": "Nguyễn Văn An",
        "applicant.email": "an@example.vn",
        "data.full_name": "Nguyễn Văn An",
        "data.copies": "2",
        "data.birth": "1990-05-17",
        "data.sex": "Nam",
        "data.agree": "on",
        f"component-{c1.pk}": SimpleUploadedFile("hop-dong.pdf", pdf("hd"), "application/pdf"),
        f"component-{c2.pk}": SimpleUploadedFile("cccd.pdf", pdf("cccd"), "application/pdf"),
        "action": "submit",
    }
    return body | extra


def test_the_form_is_built_from_the_schema_with_browser_constraints(signed_in, world, form, clock):
    page = signed_in.get(_url(world)).content.decode()

    assert 'name="data.full_name"' in page and 'minlength="2"' in page and 'maxlength="100"' in page
    assert 'name="data.copies" type="number"' in page and 'min="1"' in page and 'max="5"' in page
    assert 'name="data.birth" type="date"' in page
    assert '<option value="Nữ"' in page
    assert 'type="checkbox"' in page and "Tôi cam đoan" in page
    assert 'value="Nguyễn Văn An"' in page  # the applicant's details come from the account


def test_submitting_creates_one_dossier_even_when_the_form_is_posted_twice(signed_in, world, form, clock):
    first = signed_in.post(_url(world), _post(world))
    dossier = Dossier.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/ca-nhan/ho-so/{dossier.code}/"
    assert dossier.online_application.data == {
        "full_name": "Nguyễn Văn An",
        "copies": 2,
        "birth": "1990-05-17",
        "sex": "Nam",
        "agree": True,
    }

    again = signed_in.post(_url(world), _post(world))  # a double click: the same key
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    page = signed_in.get(first["Location"]).content.decode()
    assert "Mới đăng ký" in page and "Tính từ khi tiếp nhận" in page


def test_errors_are_shown_next_to_each_field_with_a_summary_and_the_files_are_kept(signed_in, world, form, clock):
    c1, c2, _ = world["procedure"].components.order_by("order", "pk")
    body = _post(world, **{"data.copies": "9", "data.birth": "17/05/1990", "data.full_name": "A"})
    del body["data.agree"]
    body[f"component-{c2.pk}"] = SimpleUploadedFile("anh.pdf", b"GIF89a not a pdf", "application/pdf")

    response = signed_in.post(_url(world), body)

    assert response.status_code == 422
    page = response.content.decode()
    assert 'class="usa-alert usa-alert--error error-summary"' in page
    for message, anchor in [
        ("Số bản không được lớn hơn 5.", "data.copies"),
        ("Họ và tên cần ít nhất 2 ký tự.", "data.full_name"),
        ("Ngày sinh không phải là ngày hợp lệ.", "data.birth"),
        ("Cần đánh dấu ô “Tôi cam đoan”.", "data.agree"),
    ]:
        assert f'<a href="#{anchor}">{message}</a>' in page  # the summary links to the field
        assert f'<span class="usa-error-message" id="{anchor}-error">{message}</span>' in page
    assert "Tệp &#x27;anh.pdf&#x27; không phải" in page  # the refused upload, by its content
    assert not Dossier.objects.exists()
    # The refused file was not kept; the good one and what was typed were.
    draft = Draft.objects.get()
    assert list(draft.files.values_list("original_name", flat=True)) == ["hop-dong.pdf"]
    assert 'value="9"' in page  # what was typed is shown again


def test_a_draft_is_saved_without_checks_and_resumed(signed_in, world, form, clock):
    response = signed_in.post(_url(world), {"action": "draft", "data.full_name": "Nguyễn", "agency": ""})
    assert response.status_code == 302
    assert Draft.objects.get().data == {"full_name": "Nguyễn", "agree": False}
    page = signed_in.get(_url(world)).content.decode()
    assert "Đang tiếp tục hồ sơ nháp" in page and 'value="Nguyễn"' in page
    assert "Hồ sơ nháp" in signed_in.get("/ca-nhan/ho-so/").content.decode()


def test_officers_cannot_submit_online_and_anonymous_users_are_sent_to_sign_in(client, world, officers, clock):
    assert client.get(_url(world)).status_code == 302
    client.force_login(officers["desk"])
    assert client.get(_url(world)).status_code == 403


def test_my_dossiers_lists_mine_newest_first_in_keyset_pages(signed_in, world, citizen, other_citizen, clock):
    from datetime import timedelta

    codes = []
    for i in range(3):
        clock.now = clock.now + timedelta(minutes=1)
        codes.append(submit(world, citizen, key=f"danh-sach-{i:04d}")[0].code)
    submit(world, other_citizen, key="nguoi-khac-0001")

    from egov.portal.selectors import my_dossiers

    first, cursor = my_dossiers(citizen, limit=2)
    second, end = my_dossiers(citizen, after=cursor, limit=2)
    assert [d.code for d in first + second] == codes[::-1] and end is None
    page = signed_in.get("/ca-nhan/ho-so/").content.decode()
    assert all(code in page for code in codes)
    with CaptureQueriesContext(connection) as few:
        signed_in.get("/ca-nhan/ho-so/")
    for i in range(3, 8):
        submit(world, citizen, key=f"danh-sach-{i:04d}")
    with CaptureQueriesContext(connection) as many:
        signed_in.get("/ca-nhan/ho-so/")
    assert len(many) == len(few)


def test_the_dossier_page_follows_the_dossier_through_supplement_payment_result_and_rating(
    signed_in, world, citizen, officers, clock, settings
):
    from weasyprint import HTML

    dossier, _ = submit(world, citizen)
    url = f"/ca-nhan/ho-so/{dossier.code}/"
    desk = officers["desk"]
    dossier_services.request_supplement(by=desk, dossier=dossier.code, items=["CCCD rõ nét"], reason="Ảnh mờ")
    page = signed_in.get(url).content.decode()
    assert "Hồ sơ cần bổ sung" in page and "CCCD rõ nét" in page

    row = dossier.components.order_by("order").all()[1]
    assert signed_in.post(f"{url}bo-sung/", {}).status_code == 422
    row_pk = dossier.components.order_by("order").all()[1].pk
    stranger = signed_in.post(f"{url}bo-sung/", {f"reuse-{row_pk}": "document:999999"})
    assert stranger.status_code == 422 and "kho dữ liệu" in stranger.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.WAITING_SUPPLEMENT
    response = signed_in.post(
        f"{url}bo-sung/", {f"component-{row.pk}": SimpleUploadedFile("cccd-2.pdf", pdf("2"), "application/pdf")}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW

    dossier_services.accept(by=desk, dossier=dossier.code)
    page = signed_in.get(url).content.decode()
    assert "Được tiếp nhận" in page and "Tiếp nhận, chuyển hồ sơ" in page  # the first step
    assert "Mẫu 01" in page and "Thanh toán trực tuyến 50.000 đồng" in page

    dossier_services.forward(by=desk, dossier=dossier.code)
    result = dossier_services.attach_result(
        by=officers["specialist"],
        code=dossier.code,
        name="Hợp đồng đã chứng thực",
        upload=dossier_services.UploadInput("kq.pdf", HTML(string="<p>KQ</p>").write_pdf()),
    )
    page = signed_in.get(url).content.decode()
    assert f"/can-bo/ket-qua/{result.pk}.pdf" in page
    pdf_response = signed_in.get(f"/can-bo/ket-qua/{result.pk}.pdf")
    assert pdf_response.status_code == 200 and b"".join(pdf_response.streaming_content).startswith(b"%PDF")

    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RETURNED, fee_paid_at=clock.now)
    page = signed_in.get(url).content.decode()
    assert f"/danh-gia/{dossier.code}/" in page and "Thanh toán trực tuyến" not in page


def test_withdrawing_needs_a_reason_shown_next_to_the_field(signed_in, world, citizen, clock):
    dossier, _ = submit(world, citizen)
    response = signed_in.post(f"/ca-nhan/ho-so/{dossier.code}/rut/", {"reason": " "})
    assert response.status_code == 422
    assert 'id="f-reason-error">Cần nêu lý do.</span>' in response.content.decode()
    assert signed_in.post(f"/ca-nhan/ho-so/{dossier.code}/rut/", {"reason": "Nộp nhầm"}).status_code == 302
    assert Dossier.objects.get().status == Status.WITHDRAWN


def test_someone_elses_dossier_does_not_exist(client, world, citizen, other_citizen, clock):
    dossier, _ = submit(world, citizen)
    client.force_login(other_citizen)
    assert client.get(f"/ca-nhan/ho-so/{dossier.code}/").status_code == 404
    assert client.post(f"/ca-nhan/ho-so/{dossier.code}/rut/", {"reason": "x"}).status_code == 404
    assert Dossier.objects.get().status == Status.NEW


def test_the_store_page_adds_lists_downloads_and_deletes(signed_in, citizen, world):
    response = signed_in.post("/ca-nhan/kho-du-lieu/", {"name": "", "file": SimpleUploadedFile("a.pdf", b"xx")})
    assert response.status_code == 422 and "Cần ghi tên giấy tờ." in response.content.decode()
    signed_in.post("/ca-nhan/kho-du-lieu/", {"name": "Giấy khai sinh", "file": SimpleUploadedFile("ks.pdf", pdf("ks"))})
    doc = PersonalDocument.objects.get()
    assert "Giấy khai sinh" in signed_in.get("/ca-nhan/kho-du-lieu/").content.decode()
    download = signed_in.get(f"/ca-nhan/kho-du-lieu/{doc.pk}/tai-ve/")
    assert b"".join(download.streaming_content) == pdf("ks")
    assert signed_in.post(f"/ca-nhan/kho-du-lieu/{doc.pk}/xoa/").status_code == 302
    assert not PersonalDocument.objects.exists()


def _api_body(world, **overrides):
    c1, c2, _ = world["procedure"].components.order_by("order", "pk")
    body = {
        "procedure": world["procedure"].code,
        "agency": world["justice"].code,
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
        "data": {"matter": "Chứng thực hợp đồng"},
        "components": [
            {
                "component_id": c1.pk,
                "files": [{"name": "hd.pdf", "content_base64": base64.b64encode(pdf("a")).decode()}],
            },
            {
                "component_id": c2.pk,
                "files": [{"name": "cd.pdf", "content_base64": base64.b64encode(pdf("b")).decode()}],
            },
        ],
    }
    return body | overrides


def test_the_api_submits_once_per_idempotency_key_and_lists_my_dossiers(signed_in, world, clock):
    def post(body, key="api-key-00001"):
        return signed_in.post(
            "/api/v1/portal/submissions",
            json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": key},
        )

    created = post(_api_body(world))
    assert created.status_code == 201, created.content
    replay = post(_api_body(world))
    assert replay.status_code == 200 and replay.json()["code"] == created.json()["code"]
    assert Dossier.objects.count() == 1

    bad = post(_api_body(world, data={"matter": "x"}, applicant={"name": ""}), key="api-key-00002")
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"applicant.name", "data.matter"} <= fields

    mine = signed_in.get("/api/v1/portal/dossiers").json()
    assert [d["code"] for d in mine["items"]] == [created.json()["code"]] and mine["next"] is None
    assert signed_in.get(f"/api/v1/portal/dossiers/{created.json()['code']}").status_code == 200


def test_the_officer_and_the_applicant_see_what_was_typed_into_the_form(
    signed_in, client, world, form, officers, clock
):
    signed_in.post(_url(world), _post(world))
    code = Dossier.objects.get().code
    mine = signed_in.get(f"/ca-nhan/ho-so/{code}/").content.decode()
    client.force_login(officers["desk"])
    officer = client.get(f"/can-bo/ho-so/{code}/").content.decode()
    for page in (mine, officer):
        assert "Tờ khai điện tử" in page
        assert "<dt>Ngày sinh</dt><dd>17/05/1990</dd>" in page and "<dt>Tôi cam đoan</dt><dd>Có</dd>" in page
