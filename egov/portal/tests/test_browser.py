"""The citizen's whole journey in real Chromium (issue #4, item 10): find a procedure typed without
diacritics, submit online with files, pay in the sandbox gateway, officers accept and process it,
the citizen sees the result, downloads the signed PDF and rates the service."""

from __future__ import annotations

import re

import pytest

from egov.dossiers.tests.test_browser import sign_in
from egov.portal.tests.conftest import PASSWORD, pdf, real_pdf

pytestmark = pytest.mark.browser


def act(page, live_server, code, action_label, **fields):
    """Perform an action from the officer's dossier page (its form is the fieldset with that legend)."""
    page.goto(f"{live_server.url}/can-bo/ho-so/{code}/")
    form = page.locator("form", has=page.get_by_role("group", name=action_label, exact=True))
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name=action_label, exact=True).click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_citizen_submits_pays_follows_downloads_the_signed_result_and_rates(
    browser,
    live_server,
    world,
    officers,
    citizen,
    tmp_path,  # noqa: F811 (fixtures)
):
    from egov.dossiers.models import Dossier
    from egov.dossiers.statuses import Status
    from egov.feedback.models import Rating

    # Find the procedure, typed without diacritics
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(citizen.username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/thu-tuc/")
    page.get_by_label("Tên hoặc mã thủ tục (có thể gõ không dấu)").fill("chung thuc hop dong tai san")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name=world["procedure"].name).click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()

    # Fill in the online form with files; the browser refuses an empty required field first
    page.get_by_role("button", name="Nộp hồ sơ").click()
    assert page.url.endswith(f"/nop-ho-so/{world['procedure'].code}/")  # blocked in the browser
    assert not Dossier.objects.exists()
    page.get_by_label("Nội dung yêu cầu giải quyết").fill("Chứng thực hợp đồng mua bán xe máy")
    for index, component in enumerate(world["procedure"].components.filter(required=True).order_by("order", "pk")):
        scan = tmp_path / f"tp-{index}.pdf"
        scan.write_bytes(pdf(f"browser {index}"))
        page.get_by_label(re.compile(rf"^{index + 1}\. {re.escape(component.name)}")).set_input_files(str(scan))
    page.screenshot(path=str(tmp_path / "apply.png"), full_page=True)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ca-nhan/ho-so/.+/$"))
    code = page.locator("h1").inner_text().removeprefix("Hồ sơ ").strip()
    assert "Mới đăng ký" in page.locator("#trang-thai").inner_text()
    dossier = Dossier.objects.get(code=code)
    assert dossier.components.filter(files__isnull=False).distinct().count() == 2

    # The one-stop officer accepts it (status 1 → 2): the due date and Mẫu 01 appear for the citizen
    desk = sign_in(browser, live_server, "tiepnhan")
    act(desk, live_server, code, "Tiếp nhận")
    page.reload()
    assert "Được tiếp nhận" in page.locator("#trang-thai").inner_text()
    assert page.get_by_role("link", name=re.compile("Mẫu 01")).count() == 1

    # Pay in the sandbox gateway
    page.get_by_role("button", name=re.compile("Thanh toán trực tuyến")).click()
    page.get_by_role("button", name="Thanh toán").click()
    page.wait_for_load_state()
    assert Dossier.objects.get(code=code).fee_paid_at is not None

    # The officers process it across the two agencies; the leader attaches the result
    act(desk, live_server, code, "Chuyển bước tiếp theo", **{"Ý kiến xử lý": "Hồ sơ đầy đủ"})
    for username in ("chuyenvien", "chuyenvien.stc", "lanhdao"):
        officer = sign_in(browser, live_server, username)
        act(officer, live_server, code, "Nhận xử lý")
        if username == "lanhdao":
            result = tmp_path / "ket-qua.pdf"
            result.write_bytes(real_pdf("Hợp đồng đã được chứng thực"))
            officer.goto(f"{live_server.url}/can-bo/ho-so/{code}/")
            officer.get_by_label("Tên giấy tờ kết quả").fill("Hợp đồng đã chứng thực")
            officer.get_by_label("Tệp kết quả (PDF)").set_input_files(str(result))
            officer.get_by_role("button", name="Đính kèm và ký số").click()
            officer.wait_for_load_state()
        act(officer, live_server, code, "Chuyển bước tiếp theo", **{"Ý kiến xử lý": "Đồng ý"})
        officer.context.close()
    act(desk, live_server, code, "Chuyển bước tiếp theo")
    act(desk, live_server, code, "Trả kết quả")

    # The citizen sees the result, downloads the signed PDF, and rates the service
    page.goto(f"{live_server.url}/ca-nhan/ho-so/")
    assert code in page.locator("main").inner_text()
    page.get_by_role("link", name=code).click()
    assert "Đã trả kết quả" in page.locator("#trang-thai").inner_text()
    href = page.get_by_role("link", name="Hợp đồng đã chứng thực").get_attribute("href")
    response = context.request.get(f"{live_server.url}{href}")  # the citizen's session, as a click would
    assert response.ok and response.headers["content-type"] == "application/pdf"
    # The public signature check (run by the server: pyHanko's asyncio does not mix with Playwright's loop)
    check = context.request.post(
        f"{live_server.url}/api/v1/signatures/verify",
        multipart={"file": {"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": response.body()}},
    )
    assert check.ok, check.text()
    (signature,) = check.json()["signatures"]
    assert (signature["intact"], signature["valid"], signature["trusted"]) == (True, True, True)
    assert signature["signer_organisation"] == world["justice"].name
    page.screenshot(path=str(tmp_path / "dossier.png"), full_page=True)
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    page.locator("label", has_text="Rất hài lòng").click()  # USWDS draws the radio on its label
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_load_state()
    assert Rating.objects.get(dossier__code=code).value == "very_satisfied"
    assert Dossier.objects.get(code=code).status == Status.RETURNED
