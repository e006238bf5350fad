"""The documents pages as each role: the home, the outgoing and incoming pages with their actions,
the new draft, paper registration, the registers (Excel opens), search and files; other agencies'
officers get 404, citizens are refused, bad input is a 4xx beside its field."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

from egov.documents import services
from egov.documents.models import IncomingDocument, OutgoingDocument, OutgoingStatus
from egov.documents.tests.conftest import PASSWORD, draft, small_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decision = draft(world)
        paper = services.register_paper_incoming(
            by=world["clerk"],
            agency=world["justice"],
            file_name="giay-moi.pdf",
            file_content=small_pdf("Giấy mời dự hội nghị tổng kết"),
            sender_name="Bộ Tư pháp",
            subject="Mời dự hội nghị tổng kết công tác văn thư",
            symbol="120/GM-BTP",
            document_date=date(2026, 11, 20),
        )
    return {"decision": decision, "paper": paper}


def _as(client, user):
    client.force_login(user)
    return client


def test_home_for_each_role(client, world, docs):
    for role in ("specialist", "head", "leader", "clerk", "fin_specialist"):
        response = _as(client, world[role]).get("/van-ban/")
        assert response.status_code == 200, role
        assert "Văn bản, điều hành" in response.content.decode()


def test_home_shows_the_drafts_waiting_for_the_unit_head(client, world, docs):
    services.submit(by=world["specialist"], document=docs["decision"])
    page = _as(client, world["head"]).get("/van-ban/?ds=to_review").content.decode()
    assert docs["decision"].subject in page
    assert 'id="tab-to_review" class="active" aria-current="page">Chờ cho ý kiến <span class="count">1</span>' in page


def test_a_citizen_is_refused_and_a_visitor_sent_to_sign_in(client, world, docs):
    from egov.people.services import register_citizen

    citizen = register_citizen(
        username="037090001234", full_name="Nguyễn Văn An", password=PASSWORD, identity_number="037090001234"
    )
    assert client.get("/van-ban/").status_code == 302
    _as(client, citizen)
    for path in ("/van-ban/", f"/van-ban/di/{docs['decision'].pk}/", "/van-ban/so/", "/van-ban/tim-kiem/"):
        assert client.get(path).status_code == 403, path


def test_the_outgoing_page_as_each_role(client, world, docs):
    path = f"/van-ban/di/{docs['decision'].pk}/"
    page = _as(client, world["specialist"]).get(path).content.decode()
    assert 'id="action-submit"' in page and "Quá trình xử lý" in page and "Phiên bản 1" in page
    assert _as(client, world["fin_specialist"]).get(path).status_code == 404
    assert _as(client, world["fin_clerk"]).get(path).status_code == 404
    assert 'id="action-approve"' not in _as(client, world["head"]).get(path).content.decode()


def test_submit_then_return_without_a_note_is_refused_beside_the_note(client, world, docs):
    document = docs["decision"]
    response = _as(client, world["specialist"]).post(f"/van-ban/di/{document.pk}/submit/", {"note": ""})
    assert response.status_code == 302
    response = _as(client, world["head"]).post(f"/van-ban/di/{document.pk}/return/", {"note": ""})
    assert response.status_code == 422
    assert 'id="note-error"' in response.content.decode()
    assert "Cần ghi rõ lý do trả lại" in response.content.decode()
    document.refresh_from_db()
    assert document.status == OutgoingStatus.UNDER_REVIEW


def test_the_sign_form_asks_for_the_pin_without_autocomplete(client, world, docs):
    document = docs["decision"]
    services.submit(by=world["specialist"], document=document)
    services.approve(by=world["head"], document=document)
    page = _as(client, world["leader"]).get(f"/van-ban/di/{document.pk}/").content.decode()
    assert 'name="pin" type="password" autocomplete="off"' in page


def test_an_unknown_action_is_404_and_another_agency_cannot_act(client, world, docs):
    document = docs["decision"]
    assert _as(client, world["specialist"]).post(f"/van-ban/di/{document.pk}/xoa/").status_code == 404
    assert _as(client, world["fin_leader"]).post(f"/van-ban/di/{document.pk}/submit/").status_code == 404
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT


def test_version_pdf_only_for_those_who_see_the_document(client, world, docs):
    path = reverse("documents:version_pdf", args=[docs["decision"].pk, 1])
    response = _as(client, world["specialist"]).get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert _as(client, world["fin_specialist"]).get(path).status_code == 404


def test_the_incoming_page_as_each_role(client, world, docs):
    path = f"/van-ban/den/{docs['paper'].pk}/"
    assert _as(client, world["clerk"]).get(path).status_code == 200
    assert 'id="action-assign"' in _as(client, world["leader"]).get(path).content.decode()
    assert _as(client, world["fin_clerk"]).get(path).status_code == 404
    pdf = _as(client, world["clerk"]).get(f"/van-ban/den/{docs['paper'].pk}/van-ban.pdf")
    assert pdf.status_code == 200
    assert _as(client, world["fin_clerk"]).get(f"/van-ban/den/{docs['paper'].pk}/van-ban.pdf").status_code == 404


def test_assign_with_a_bad_date_and_without_a_lead_is_refused_beside_the_fields(client, world, docs):
    path = f"/van-ban/den/{docs['paper'].pk}/assign/"
    response = _as(client, world["leader"]).post(path, {"lead": "", "deadline": "31/12/2026"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Cần chọn đơn vị chủ trì." in page and "Ngày không hợp lệ" in page
    response = _as(client, world["leader"]).post(
        path, {"lead": world["justice_div"].pk, "deadline": "2099-12-31", "instruction": "Chuẩn bị báo cáo"}
    )
    assert response.status_code == 302
    assert IncomingDocument.objects.get(pk=docs["paper"].pk).status == "assigned"


def test_new_draft_errors_beside_fields_then_created(client, world):
    _as(client, world["specialist"])
    assert client.get("/van-ban/du-thao-moi/").status_code == 200
    response = client.post(
        "/van-ban/du-thao-moi/", {"doc_type": "quyet-dinh", "drafting_unit": world["justice_div"].pk, "subject": ""}
    )
    assert response.status_code == 422
    assert 'id="subject-error"' in response.content.decode()
    assert OutgoingDocument.objects.count() == 0
    response = client.post(
        "/van-ban/du-thao-moi/",
        {
            "doc_type": "cong-van",
            "drafting_unit": world["justice_div"].pk,
            "subject": "Về việc rà soát thủ tục",
            "file": io.BytesIO(small_pdf("Nội dung công văn")),
        },
    )
    assert response.status_code == 302
    assert OutgoingDocument.objects.get().subject == "Về việc rà soát thủ tục"
    assert _as(client, world["leader"]).get("/van-ban/du-thao-moi/").status_code == 403  # no draft permission


def test_register_paper_without_a_file_names_the_file(client, world):
    response = _as(client, world["clerk"]).post(
        "/van-ban/den/vao-so-ban-giay/", {"agency": world["justice"].pk, "sender_name": "Bộ Tư pháp", "subject": "X"}
    )
    assert response.status_code == 422
    assert 'id="file-error"' in response.content.decode()
    assert _as(client, world["specialist"]).get("/van-ban/den/vao-so-ban-giay/").status_code == 403


def test_the_incoming_register_and_its_excel(client, world, docs, django_assert_max_num_queries):
    from openpyxl import load_workbook

    _as(client, world["clerk"])
    client.get("/van-ban/so/?loai=incoming")  # session warm
    with django_assert_max_num_queries(13):
        page = client.get("/van-ban/so/?loai=incoming").content.decode()
    assert "120/GM-BTP" in page and "Sổ đăng ký văn bản đến" in page
    response = client.get("/van-ban/so/?loai=incoming&dinh_dang=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("Số đến", "Ngày đến", "Tác giả", "Số, ký hiệu văn bản")
    assert rows[2][0] == "01" and rows[2][2] == "Bộ Tư pháp" and rows[2][3] == "120/GM-BTP"
    assert len(rows) == 3
    assert "120/GM-BTP" not in _as(client, world["fin_clerk"]).get("/van-ban/so/?loai=incoming").content.decode()


def test_home_query_count_does_not_grow_with_documents(client, world, docs, django_assert_max_num_queries):
    _as(client, world["clerk"])
    client.get("/van-ban/")
    with django_assert_max_num_queries(14):
        assert client.get("/van-ban/?ds=to_handle").status_code == 200


def test_search_page(client, world, docs):
    _as(client, world["specialist"])
    page = client.get("/van-ban/tim-kiem/?q=quyet+dinh").content.decode()
    assert docs["decision"].subject in page
    response = client.get("/van-ban/tim-kiem/?q=x&tu=2026-05-02&den=2026-05-01")
    assert response.status_code == 422 and "Ngày kết thúc phải sau ngày bắt đầu." in response.content.decode()
    assert client.get("/van-ban/tim-kiem/?q=x&tu=khong-phai-ngay").status_code == 422
