"""The main officer journey in real Chromium (Debian's, through Playwright): reception at the
counter → three steps across two agencies → result → return, then the public lookup."""

from __future__ import annotations

import hashlib
import re

import pytest

from egov.dossiers.tests.conftest import valid_pdf

pytestmark = pytest.mark.browser


def sign_in(browser, live_server, username):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill("Mk-thu-nghiem-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/$"))
    return page


def act(page, live_server, code, action_label, **fields):
    page.goto(f"{live_server.url}/can-bo/ho-so/{code}/")
    form = page.locator("form.action-form", has=page.get_by_role("group", name=action_label))
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name=action_label).click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_officers_take_a_dossier_from_the_counter_to_the_result(browser, live_server, world, officers, tmp_path):
    from egov.dossiers.models import Dossier
    from egov.dossiers.statuses import Status

    # Reception at the counter
    desk = sign_in(browser, live_server, "tiepnhan")
    desk.goto(f"{live_server.url}/can-bo/tiep-nhan/")
    desk.get_by_label("Thủ tục").select_option(label=world["procedure"].name)
    desk.get_by_role("button", name="Chọn").click()
    desk.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    desk.get_by_label("Điện thoại").fill("0912345678")
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(valid_pdf("to-khai"))
    for component in world["procedure"].components.filter(required=True):
        desk.get_by_label(f"Đã nộp: {component.name}").check()
    desk.get_by_label(f"Tệp quét: {world['procedure'].components.first().name}").set_input_files(str(scan))
    desk.screenshot(path=str(tmp_path / "reception.png"), full_page=True)
    desk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    desk.wait_for_url(re.compile(r".*/can-bo/ho-so/.+/$"))
    code = desk.locator("h1").inner_text().removeprefix("Hồ sơ ").strip()
    assert desk.get_by_text("Mẫu 01").count() == 1
    act(desk, live_server, code, "Chuyển bước tiếp theo", **{"Ý kiến xử lý": "Hồ sơ đầy đủ"})

    # Appraisal, the other agency's opinion (liên thông), approval
    for username in ("chuyenvien", "chuyenvien.stc", "lanhdao"):
        officer = sign_in(browser, live_server, username)
        officer.goto(f"{live_server.url}/can-bo/?ds=unit")
        officer.get_by_role("link", name=code).click()
        act(officer, live_server, code, "Nhận xử lý")
        act(officer, live_server, code, "Chuyển bước tiếp theo", **{"Ý kiến xử lý": "Đồng ý"})
        officer.context.close()

    # Back at the desk: close the return step, take the fee, hand over the result
    act(desk, live_server, code, "Chuyển bước tiếp theo")
    act(desk, live_server, code, "Ghi nhận đã nộp phí")
    act(desk, live_server, code, "Trả kết quả")
    desk.screenshot(path=str(tmp_path / "returned.png"), full_page=True)
    assert "Đã trả kết quả" in desk.locator("dl.facts").first.inner_text()

    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RETURNED
    assert dossier.tasks.filter(agency=world["finance"]).count() == 1

    # Anyone can look it up, without personal data
    public = browser.new_context().new_page()
    public.goto(f"{live_server.url}/tra-cuu/?ma={code}")
    text = public.locator("main").inner_text()
    assert "Đã trả kết quả" in text and "Nguyễn Văn An" not in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_incomplete_dossier_at_the_counter_leaves_with_a_signed_mau_02_and_no_code(
    browser, live_server, world, officers, tmp_path
):
    """Issue #7 item 15: the officer ticks what was handed in, is told what is missing, and issues the
    signed Mẫu 02 from the same page; no dossier is created and no code is spent."""
    from egov.core import numbering
    from egov.dossiers.models import Dossier, IncompleteSubmission

    desk = sign_in(browser, live_server, "tiepnhan")
    desk.goto(f"{live_server.url}/can-bo/tiep-nhan/")
    desk.get_by_label("Thủ tục").select_option(label=world["procedure"].name)
    desk.get_by_role("button", name="Chọn").click()
    desk.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    desk.get_by_label("Điện thoại").fill("0912345678")
    first = world["procedure"].components.order_by("order", "pk").first()
    desk.get_by_label(f"Đã nộp: {first.name}").check()  # the identity copy is missing
    desk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    desk.wait_for_load_state()

    offer = desk.locator("#ho-so-chua-day-du")
    assert "Thiếu thành phần hồ sơ: Bản sao giấy tờ tùy thân." in desk.locator("main").inner_text()
    assert desk.get_by_label(f"Đã nộp: {first.name}").is_checked()  # what was ticked stays ticked
    offer.get_by_label("Nội dung cần bổ sung khác (mỗi dòng một nội dung)").fill("Giấy ủy quyền của người nộp thay")
    desk.screenshot(path=str(tmp_path / "incomplete-offer.png"), full_page=True)
    offer.get_by_role("button", name="Phát hành Phiếu yêu cầu bổ sung (Mẫu số 02)").click()
    desk.wait_for_load_state()

    assert "Đã phát hành Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" in desk.locator("h1").inner_text()
    assert "Mẫu số 02 số 1" in desk.locator("main").inner_text()
    with desk.expect_download() as download:
        desk.evaluate("(url) => { const a = document.createElement('a'); a.href = url; a.download = ''; "
                      "document.body.appendChild(a); a.click(); }",
                      desk.get_by_role("link", name="In Mẫu số 02 (PDF đã ký số)").get_attribute("href"))  # fmt: skip
    pdf = open(download.value.path(), "rb").read()
    notice = IncompleteSubmission.objects.get()
    # The file handed over is the signed one stored (its signature is checked in test_counter_forms).
    assert hashlib.sha256(pdf).hexdigest() == notice.sha256
    assert pdf.count(b"/Type /Sig") + pdf.count(b"/Type/Sig") == 1
    assert notice.items == ["Bản sao giấy tờ tùy thân", "Giấy ủy quyền của người nộp thay"]
    assert not Dossier.objects.exists()
    assert (
        numbering.current(scope=f"dossier:{world['justice'].pk}", period=numbering.daily(notice.issued_at.date())) == 0
    )
    desk.context.close()
