"""A day at the counter in real Chromium: the desk officer signs in and lands on the worklist (counts on
the tabs, online dossiers waiting for reception first), finds a dossier by the applicant's identity
number, opens it (the applicant's details, the main action first, the ones ending the dossier behind a
confirmation), receives an online dossier and one at the counter and forwards it; the specialist takes
it (no "Nhận xử lý" any more) and forwards it, and the page names who did what. Screenshots at 1280
and 360 px are kept under the test's temporary directory."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "Mk-thu-nghiem-2026"


def sign_in(browser, live_server, username, *, width=1280):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    assert page.locator("#id_otp_token").count() == 0  # the second factor is asked only when needed
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/can-bo/$"))  # officers land on their worklist
    return page


def tab_count(page, kind: str) -> int:
    return int(page.locator(f"#tab-{kind} .count").inner_text())


def action_names(page) -> list[str]:
    return [
        form.get_attribute("id").removeprefix("action-")
        for form in page.locator("form.action-form").all()
        if form.is_visible()
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_day_at_the_counter(browser, live_server, world, officers, tmp_path):
    from egov.dossiers import services
    from egov.dossiers.models import Dossier
    from egov.dossiers.statuses import Status
    from egov.dossiers.tests.conftest import applicant, components_all

    online = services.submit_online(
        by=None,
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(name="Trần Thị Bình", identity="037190004321", address="Số 5 Lê Lợi, xã Thử Nghiệm"),
        components=components_all(world["procedure"]),
    )

    # Morning: the worklist, with the online dossier first and counted.
    desk = sign_in(browser, live_server, "tiepnhan")
    assert tab_count(desk, "unit") == 1 and tab_count(desk, "mine") == 0
    assert desk.locator("table.worklist tbody tr").first.inner_text().startswith(online.code)
    assert "Trực tuyến" in desk.locator("table.worklist tbody tr").first.inner_text()
    desk.screenshot(path=str(tmp_path / "worklist-1280.png"), full_page=True)

    # Search by the identity number, open the dossier: the applicant's details are there.
    desk.get_by_label("Tìm theo mã hồ sơ, chủ hồ sơ, số định danh hoặc thủ tục").fill("037190004321")
    desk.get_by_role("button", name="Lọc").click()
    desk.get_by_role("link", name=online.code).click()
    desk.wait_for_url(re.compile(rf".*/can-bo/ho-so/{re.escape(online.code)}/$"))
    assert desk.locator("#so-dinh-danh").inner_text() == "037190004321"
    assert desk.locator("#dia-chi").inner_text() == "Số 5 Lê Lợi, xã Thử Nghiệm"
    assert desk.locator("#kenh-nop").inner_text() == "Trực tuyến"
    # The main action first; refusing and withdrawing wait behind a closed <details>.
    assert action_names(desk) == ["accept", "request_supplement"]
    assert desk.locator("form.action-form").first.get_attribute("class") == "action-form action-form--primary"
    desk.get_by_text("Từ chối, rút hoặc dừng xử lý hồ sơ").click()
    assert action_names(desk) == ["accept", "request_supplement", "refuse", "withdraw"]
    # Refusing without ticking the confirmation does not leave the page (the browser's own check).
    refuse = desk.locator("#action-refuse")
    refuse.get_by_label("Lý do").fill("Nhầm thủ tục")
    refuse.get_by_role("button", name="Từ chối tiếp nhận").click()
    assert Dossier.objects.get(pk=online.pk).status == Status.NEW
    desk.screenshot(path=str(tmp_path / "dossier-new-1280.png"), full_page=True)
    desk.locator("#action-accept").get_by_role("button", name="Tiếp nhận").click()
    desk.wait_for_load_state()
    assert Dossier.objects.get(pk=online.pk).status == Status.RECEIVED

    # A second applicant at the counter.
    desk.goto(f"{live_server.url}/can-bo/tiep-nhan/")
    desk.get_by_label("Thủ tục").select_option(label=world["procedure"].name)
    desk.get_by_role("button", name="Chọn").click()
    desk.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    desk.get_by_label("Điện thoại").fill("0912345678")
    for component in world["procedure"].components.filter(required=True):
        desk.get_by_label(f"Đã nộp: {component.name}").check()
    desk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    desk.wait_for_url(re.compile(r".*/can-bo/ho-so/.+/$"))
    counter_code = desk.locator("h1").inner_text().removeprefix("Hồ sơ ").strip()
    assert desk.locator("#kenh-nop").inner_text() == "Trực tiếp"
    # The desk forwards without taking the step; forwarding is the main action.
    assert action_names(desk)[0] == "forward"
    desk.locator("#action-forward").get_by_label("Ý kiến xử lý").fill("Hồ sơ đầy đủ")
    desk.locator("#action-forward").get_by_role("button", name="Chuyển bước tiếp theo").click()
    desk.wait_for_load_state()

    # The specialist: counts, the dossier, take it, forward it.
    specialist = sign_in(browser, live_server, "chuyenvien")
    assert tab_count(specialist, "unit") == 1 and tab_count(specialist, "mine") == 0
    specialist.get_by_role("link", name=counter_code).click()
    assert action_names(specialist)[:2] == ["forward", "claim"]
    specialist.locator("#action-claim").get_by_role("button", name="Nhận xử lý").click()
    specialist.wait_for_load_state()
    assert "claim" not in action_names(specialist)
    assert specialist.locator("#dang-o").inner_text() == "Phòng Hành chính tư pháp — Cán bộ 2"
    rows = specialist.locator("#lich-su ~ table tbody tr")
    assert "Cán bộ 1 (chuyển bước)" in rows.nth(0).inner_text()  # the desk forwarded without taking it
    specialist.goto(f"{live_server.url}/can-bo/?ds=mine")
    assert tab_count(specialist, "mine") == 1
    specialist.get_by_role("link", name=counter_code).click()
    specialist.locator("#action-forward").get_by_role("button", name="Chuyển bước tiếp theo").click()
    specialist.wait_for_load_state()
    assert Dossier.objects.get(code=counter_code).current_unit == world["finance_div"]

    # The same pages on a phone.
    phone = sign_in(browser, live_server, "tiepnhan", width=360)
    phone.screenshot(path=str(tmp_path / "worklist-360.png"), full_page=True)
    phone.goto(f"{live_server.url}/can-bo/ho-so/{online.code}/")
    phone.screenshot(path=str(tmp_path / "dossier-360.png"), full_page=True)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
