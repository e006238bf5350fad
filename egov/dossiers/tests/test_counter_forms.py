"""Issue #7, the counter and its forms: an online return needs an electronic result (item 4), the
control slip names who received at each hand-over (13), stopping issues a signed notice (14), an
incomplete dossier leaves with a signed Mẫu 02 and no code (15), forms are numbered per unit and year
and keep their number when issued again (16), and every form's link points at the public address (19)."""

from __future__ import annotations

import pytest

from egov.core import numbering
from egov.core.errors import ValidationFailed
from egov.dossiers import documents, services
from egov.dossiers.models import Dossier, IncompleteSubmission, IssuedForm
from egov.dossiers.statuses import Status
from egov.dossiers.tests.conftest import applicant, components_all, receive, vn
from egov.dossiers.tests.test_documents import PDFTOTEXT, pdf_text
from egov.notifications.models import OutboxMessage

needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")


def _done(world, officers) -> str:
    """A dossier received, taken through every step (the specialist claims the appraisal), paid."""
    code = receive(world, officers["desk"]).code
    services.forward(by=officers["desk"], dossier=code)
    services.claim(by=officers["specialist"], dossier=code)
    for who in ("specialist", "partner", "leader", "desk"):
        services.forward(by=officers[who], dossier=code)
    services.record_payment(by=officers["desk"], dossier=code)
    return code


# --- 4: online return needs the electronic result ---------------------------------------------------


def test_returning_online_without_an_electronic_result_is_refused_with_the_reason(world, officers, clock, client):
    code = _done(world, officers)
    client.force_login(officers["desk"])

    refused = client.post(
        f"/api/v1/dossiers/{code}/actions/return_result", {"method": "online"}, content_type="application/json"
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "method",
            "message": "Chưa có kết quả điện tử đã ký số để trả trực tuyến: hãy đính kèm kết quả, "
            "hoặc chọn trả tại Bộ phận Một cửa hoặc qua bưu chính.",
        }
    ]
    assert Dossier.objects.get(code=code).status == Status.DONE
    counter = client.post(
        f"/api/v1/dossiers/{code}/actions/return_result", {"method": "counter"}, content_type="application/json"
    )
    assert (counter.status_code, counter.json()["status"]) == (200, Status.RETURNED)


def test_returning_online_with_a_signed_result_is_allowed(world, officers, clock):
    from egov.portal.tests.conftest import real_pdf

    code = _done(world, officers)
    services.attach_result(
        by=officers["desk"],
        code=code,
        name="Hợp đồng được chứng thực",
        upload=services.UploadInput("kq.pdf", real_pdf("KQ")),
    )

    returned = services.return_result(by=officers["desk"], dossier=code, method="online")

    assert (returned.status, returned.return_method) == (Status.RETURNED, "online")


# --- 13: the receiver of each hand-over --------------------------------------------------------------


@needs_pdftotext
def test_the_control_slip_prints_who_received_at_each_hand_over(world, officers, clock, client):
    code = _done(world, officers)
    services.return_result(by=officers["desk"], dossier=code, method="counter")
    names = {who: officers[who].get_full_name() for who in officers}
    receivers = [t.received_by_id for t in Dossier.objects.get(code=code).tasks.order_by("started_at", "pk")]
    # Claimed (the specialist) or, unclaimed, received by whoever finished the step.
    assert receivers == [officers[w].pk for w in ("desk", "specialist", "partner", "leader", "desk")]

    client.force_login(officers["desk"])
    handovers = [(h.giver_name, h.receiver_name) for h in documents._handovers(Dossier.objects.get(code=code))]
    text = pdf_text(client.get(f"/can-bo/ho-so/{code}/phieu-kiem-soat.pdf").content)

    # Each hand-over: who gave, and who took it at the next step (the last: who returned the result).
    assert handovers == [
        (names["desk"], names["specialist"]),
        (names["specialist"], names["partner"]),
        (names["partner"], names["leader"]),
        (names["leader"], names["desk"]),
        (names["desk"], names["desk"]),
    ]
    for who in ("specialist", "partner", "leader"):
        assert names[who] in text, who


def test_each_task_records_its_receiver_claimed_or_forwarded(world, officers, clock):
    code = receive(world, officers["desk"]).code
    services.forward(by=officers["desk"], dossier=code)  # step 1, never claimed: the desk received it
    services.claim(by=officers["specialist"], dossier=code)  # step 2: claimed

    tasks = list(Dossier.objects.get(code=code).tasks.order_by("started_at", "pk"))
    assert [(t.order, t.received_by_id) for t in tasks] == [
        (tasks[0].order, officers["desk"].pk),
        (tasks[1].order, officers["specialist"].pk),
    ]
    handovers = list(documents._handovers(Dossier.objects.get(code=code)))
    assert [(h.giver_name, h.receiver_name) for h in handovers] == [
        (officers["desk"].get_full_name(), officers["specialist"].get_full_name())
    ]


# --- 14: stop issues the signed notice and tells the applicant --------------------------------------


def test_stopping_issues_the_agencys_signed_stop_notice_and_notifies_the_applicant(world, officers, clock):
    from egov.signing.services import validate_pdf

    code = receive(world, officers["desk"]).code
    services.stop(by=officers["leader"], dossier=code, reason="Người yêu cầu không đến ký hợp đồng")

    notice = IssuedForm.objects.get(dossier__code=code, code="05")  # 2025 set: Mẫu 05
    pdf = notice.pdf.read()
    [report] = validate_pdf(pdf)
    assert (report.ok, report.signer_identifier, report.signer_common_name) == (True, "H98.101", "Sở Tư pháp")
    assert (notice.name, notice.number) == ("Thông báo về việc dừng giải quyết hồ sơ", "1")
    if PDFTOTEXT:
        text = pdf_text(pdf)
        assert code in text and "Người yêu cầu không đến ký hợp đồng" in text and "Số: 1" in text
    assert sorted(
        OutboxMessage.objects.filter(kind="dossier.stopped", reference=code).values_list("channel", flat=True)
    ) == ["email", "sms"]


def test_under_tt01_2018_stopping_issues_the_unnumbered_tb_notice(world, officers, clock):
    from egov.dossiers.models import RuleSet

    RuleSet.objects.update(form_set="tt01_2018")
    code = receive(world, officers["desk"]).code

    services.stop(by=officers["leader"], dossier=code, reason="Hồ sơ giả mạo")

    assert list(IssuedForm.objects.filter(dossier__code=code).values_list("code", flat=True)) == ["01", "TB"]


# --- 15: incomplete at the counter -----------------------------------------------------------------


def test_an_incomplete_dossier_leaves_with_a_signed_mau_02_and_no_code_is_spent(world, officers, clock):
    from egov.signing.services import validate_pdf

    given = components_all(world["procedure"], provided=False)
    notice = services.turn_away_incomplete(
        by=officers["desk"],
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(),
        components=given,
        items=["Giấy ủy quyền của người nộp thay"],
    )

    assert notice.items == [
        "Dự thảo hợp đồng, giao dịch",
        "Bản sao giấy tờ tùy thân",
        "Giấy ủy quyền của người nộp thay",
    ]
    assert (notice.number, notice.form_code, notice.reason) == (
        "1",
        "02",
        "Hồ sơ chưa có đủ thành phần theo quy định của thủ tục hành chính.",
    )
    assert not Dossier.objects.exists()
    assert numbering.current(scope=f"dossier:{world['justice'].pk}", period="2027-03-01") == 0
    pdf = notice.pdf.read()
    [report] = validate_pdf(pdf)
    assert (report.ok, report.signer_identifier) == (True, "H98.101.01")
    if PDFTOTEXT:
        text = pdf_text(pdf)
        assert "Dự thảo hợp đồng, giao dịch" in text and "Giấy ủy quyền của người nộp thay" in text
        assert "Mã hồ sơ" not in text and "Số: 1/PBS" in text
        assert "https://dichvucong.sonnam.test/thu-tuc/2.000815.000.00.00.H98/" in text


def test_a_complete_dossier_is_not_turned_away(world, officers, clock):
    with pytest.raises(ValidationFailed) as refused:
        services.turn_away_incomplete(
            by=officers["desk"],
            procedure=world["procedure"],
            agency=world["justice"],
            applicant=applicant(),
            components=components_all(world["procedure"]),
        )

    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("items", "Hồ sơ đã có đủ thành phần bắt buộc: hãy tiếp nhận, hoặc ghi rõ nội dung cần bổ sung.")
    ]
    assert not IncompleteSubmission.objects.exists()


def _reception_post(world, **extra):
    body = {
        "agency": world["justice"].pk,
        "procedure": world["procedure"].code,
        "applicant_name": "Nguyễn Văn An",
        "phone": "0912345678",
        "channel": "1",
        "sets_count": "1",
    }
    return body | extra


def test_the_reception_page_offers_mau_02_when_components_are_missing_and_issues_it(world, officers, clock, client):
    client.force_login(officers["desk"])
    refused = client.post("/can-bo/tiep-nhan/", _reception_post(world))

    assert refused.status_code == 422
    page = refused.content.decode()
    assert "Phát hành Phiếu yêu cầu bổ sung (Mẫu số 02)" in page
    assert 'name="turn_away"' in page

    issued = client.post(
        "/can-bo/tiep-nhan/", _reception_post(world, turn_away="1", items="Giấy ủy quyền\n\n", reason="Thiếu giấy tờ")
    )

    assert issued.status_code == 201
    notice = IncompleteSubmission.objects.get()
    assert (notice.items[-1], notice.reason, notice.issued_by_id) == (
        "Giấy ủy quyền",
        "Thiếu giấy tờ",
        officers["desk"].pk,
    )
    assert f"/can-bo/phieu-bo-sung/{notice.pk}.pdf" in issued.content.decode()
    pdf = client.get(f"/can-bo/phieu-bo-sung/{notice.pk}.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    client.force_login(officers["other_desk"])
    assert client.get(f"/can-bo/phieu-bo-sung/{notice.pk}.pdf").status_code == 404
    assert not Dossier.objects.exists()


# --- 16: numbers per unit and year, kept on re-issue ------------------------------------------------


def test_forms_are_numbered_per_issuing_unit_and_year_and_a_reissue_keeps_the_number(world, officers, clock):
    first = receive(world, officers["desk"]).code
    second = receive(world, officers["desk"]).code
    for code in (first, second):
        services.request_supplement(by=officers["desk"], dossier=code, items=["Bản sao CCCD"], reason="Mờ")
    services.apologize(by=officers["leader"], dossier=first, reason="Chờ ý kiến", new_due_at=vn(2027, 3, 5, 16))
    clock.now = vn(2028, 1, 3, 9)
    third = receive(world, officers["desk"]).code

    numbers = {(f.dossier.code, f.code): f.number for f in IssuedForm.objects.select_related("dossier").order_by("pk")}
    assert numbers == {
        (first, "01"): "1",
        (second, "01"): "2",
        (first, "02"): "1",
        (second, "02"): "2",
        (first, "04"): "1",
        (third, "01"): "1",  # a new year, a new series
    }
    apology = IssuedForm.objects.get(dossier__code=first, code="04")
    again = documents.reissue(apology, by=officers["leader"])
    assert (again.number, again.code, again.pk != apology.pk) == ("1", "04", True)
    assert IssuedForm.objects.filter(dossier__code=first, code="04").count() == 2
    if PDFTOTEXT:
        receipt = pdf_text(IssuedForm.objects.get(dossier__code=second, code="01").pdf.read())
        assert "Quyển số: 2027, Số thứ tự: 2" in receipt
        reissued = pdf_text(again.pdf.read())
        # The same number, and the re-issued apology still names the due date it replaced.
        assert "Số: 1" in reissued and "ngày 03 tháng 3 năm 2027" in reissued


# --- 19: the public address on every form ----------------------------------------------------------


def _online(world) -> str:
    return services.submit_online(
        by=None,
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(),
        components=components_all(world["procedure"]),
    ).code


@needs_pdftotext
def test_in_the_demo_a_form_points_at_the_address_the_request_came_to(world, officers, clock, client, settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["10.0.0.5", "testserver"]
    code = _online(world)
    client.force_login(officers["desk"])

    response = client.post(f"/can-bo/ho-so/{code}/accept/", HTTP_HOST="10.0.0.5:8105")

    assert response.status_code == 302
    text = pdf_text(IssuedForm.objects.get(dossier__code=code, code="01").pdf.read())
    assert f"http://10.0.0.5:8105/tra-cuu/{code}/" in text
    assert "127.0.0.1" not in text


@needs_pdftotext
def test_in_production_a_form_points_at_public_url_whatever_host_served_it(world, officers, clock, client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["10.0.0.5", "testserver"]
    code = _online(world)
    client.force_login(officers["desk"])

    client.post(f"/can-bo/ho-so/{code}/accept/", HTTP_HOST="10.0.0.5:8105")

    text = pdf_text(IssuedForm.objects.get(dossier__code=code, code="01").pdf.read())
    assert f"https://dichvucong.sonnam.test/tra-cuu/{code}/" in text


# --- 9: one PDF check everywhere ---------------------------------------------------------------------

NO_XREF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
DAMAGED = (
    "Tệp 'ban-quet.pdf' là PDF bị hỏng (không đọc được bảng tham chiếu chéo của tệp); "
    "hãy lưu hoặc xuất lại tệp PDF rồi tải lên lại."
)


def test_a_pdf_without_xref_table_is_refused_alike_from_a_citizen_and_as_a_result(world, officers, clock):
    from egov.dossiers.tests.conftest import valid_pdf

    first = world["procedure"].components.order_by("order", "pk").first()
    given = [
        services.ComponentInput(c.procedure_component_id, True, (services.UploadInput("ban-quet.pdf", NO_XREF),))
        if c.procedure_component_id == first.pk
        else c
        for c in components_all(world["procedure"])
    ]
    with pytest.raises(ValidationFailed) as online:
        services.submit_online(
            by=None, procedure=world["procedure"], agency=world["justice"], applicant=applicant(), components=given
        )
    code = _done(world, officers)
    with pytest.raises(ValidationFailed) as result:
        services.attach_result(
            by=officers["desk"], code=code, name="Kết quả", upload=services.UploadInput("ban-quet.pdf", NO_XREF)
        )

    assert [(e.field, e.message) for e in online.value.errors] == [("components.0.files", DAMAGED)]
    assert [(e.field, e.message) for e in result.value.errors] == [("file", DAMAGED)]
    assert not Dossier.objects.filter(channel=2).exists()
    # The same file exported properly is accepted.
    fixed = services.attach_result(
        by=officers["desk"], code=code, name="Kết quả", upload=services.UploadInput("ban-quet.pdf", valid_pdf())
    )
    assert fixed.name == "Kết quả"


def test_a_password_protected_pdf_is_refused_with_its_own_reason():
    from io import BytesIO

    from pyhanko.pdf_utils.writer import PdfFileWriter

    from egov.core.uploads import check_upload

    writer = PdfFileWriter()
    writer.encrypt("chu-so-huu", "mat-khau")
    out = BytesIO()
    writer.write(out)

    refused = check_upload(field="file", name="don.pdf", content=out.getvalue())

    assert (refused.field, refused.message) == (
        "file",
        "Tệp 'don.pdf' là PDF có mật khẩu; hãy tải lên bản không đặt mật khẩu.",
    )


# --- 17: the register as a signed PDF ----------------------------------------------------------------


@needs_pdftotext
def test_the_register_is_also_a_signed_pdf_in_the_set_in_force(world, officers, clock, client):
    from egov.signing.services import validate_pdf

    codes = [receive(world, officers["desk"], name=f"Chủ hồ sơ {n}").code for n in (1, 2)]
    client.force_login(officers["desk"])

    response = client.get("/can-bo/so-theo-doi/", {"tu": "2027-03-01", "den": "2027-03-31", "dinh_dang": "pdf"})

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    [report] = validate_pdf(response.content)
    assert (report.ok, report.signer_identifier) == (True, "H98.101.01")
    text = pdf_text(response.content)
    assert "Mẫu số 07" in text and "SỔ THEO DÕI HỒ SƠ" in text
    assert all(code in text for code in codes) and "Chủ hồ sơ 2" in text
    assert "Từ ngày 01/03/2027 đến ngày 31/03/2027" in text


def test_a_register_pdf_too_long_for_one_document_points_to_excel(world, officers, clock, client, monkeypatch):
    monkeypatch.setattr(documents, "REGISTER_PDF_MAX_ROWS", 1)
    for _ in range(2):
        receive(world, officers["desk"])
    client.force_login(officers["desk"])

    response = client.get("/can-bo/so-theo-doi/", {"tu": "2027-03-01", "den": "2027-03-31", "dinh_dang": "pdf"})

    assert response.status_code == 422
    assert "Sổ theo dõi dạng PDF tối đa 1 hồ sơ; hãy chọn khoảng thời gian ngắn hơn hoặc tải tệp Excel." in (
        response.content.decode()
    )


# --- 18: on-screen labels come from the form set ----------------------------------------------------


@pytest.mark.parametrize(("form_set", "slip", "register"), [("tt03_2025", "06", "07"), ("tt01_2018", "05", "06")])
def test_the_pages_name_the_forms_as_the_set_in_force_numbers_them(
    form_set, slip, register, world, officers, clock, client
):
    from egov.dossiers.models import RuleSet

    RuleSet.objects.update(form_set=form_set)
    code = receive(world, officers["desk"]).code
    client.force_login(officers["desk"])

    page = client.get(f"/can-bo/ho-so/{code}/").content.decode()
    register_page = client.get("/can-bo/so-theo-doi/").content.decode()

    assert f"Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu số {slip}, PDF)" in page
    assert f"Sổ theo dõi hồ sơ (Mẫu số {register})" in register_page


def test_an_online_submission_refused_as_incomplete_gets_mau_02_listing_what_to_add(world, officers, clock, client):
    code = _online(world)
    client.force_login(officers["desk"])

    response = client.post(
        f"/can-bo/ho-so/{code}/refuse/",
        {
            "reason": "Hồ sơ chưa đủ thành phần",
            "items": "Bản sao giấy tờ tùy thân rõ nét\n\nGiấy ủy quyền",
            "confirm": "yes",
        },
    )

    assert response.status_code == 302
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.closed_reason) == (Status.REFUSED, "Hồ sơ chưa đủ thành phần")
    [form] = IssuedForm.objects.filter(dossier=dossier)
    assert (form.code, form.number, form.signed) == ("02", "1", True)  # Mẫu 02, not a refusal (03)
    if PDFTOTEXT:
        text = pdf_text(form.pdf.read())
        assert "Bản sao giấy tờ tùy thân rõ nét" in text and "Giấy ủy quyền" in text and code in text
    [email] = OutboxMessage.objects.filter(kind="dossier.refused_incomplete", channel="email")
    assert "  1. Bản sao giấy tờ tùy thân rõ nét\n  2. Giấy ủy quyền\n" in email.body


def test_an_ending_action_posted_without_the_confirmation_changes_nothing(world, officers, clock, client):
    code = _online(world)
    client.force_login(officers["desk"])

    response = client.post(f"/can-bo/ho-so/{code}/refuse/", {"reason": "Hồ sơ chưa đủ thành phần"})

    assert response.status_code == 422
    assert "Hãy đánh dấu ô xác nhận: thao tác này kết thúc hồ sơ và không hoàn tác được." in response.content.decode()
    assert Dossier.objects.get(code=code).status == Status.NEW
    assert not IssuedForm.objects.filter(dossier__code=code).exists()
