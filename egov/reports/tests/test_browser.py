"""The score page and the dashboard in real Chromium, at 1280 and 360 px: a province officer drills
from the on-time figure of the Department of Justice down to a late dossier; the dashboard draws its
charts (vendored Chart.js, no CDN) next to their tables. Screenshots go to ``tmp_path`` (and to
``$EGOV_SCREENSHOTS`` when set, to look at them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def shot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / name), full_page=True)
    target = os.environ.get("EGOV_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / name), full_page=True)


def sign_in(browser, live_server, username, width):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill("Mk-thu-nghiem-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/$"))
    return page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1280, 360])
def test_scores_drill_down_and_dashboard(dataset, make_officer, world, tmp_path, live_server, browser, width):
    # ``dataset`` first: it signs forms (asyncio) before Playwright starts its own event loop.
    make_officer("administrator", world["province"], username="qt.tinh")
    page = sign_in(browser, live_server, "qt.tinh", width)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/bao-cao/diem/?ky=2027-03&cap=so-nganh")
    assert page.locator("h1").inner_text() == "Bảng điểm chỉ số phục vụ người dân, doanh nghiệp"
    shot(page, tmp_path, f"scores-{width}.png")
    justice = page.locator("table.scores tbody tr", has_text="Sở Tư pháp")
    on_time = justice.locator('td[data-label^="2.1 "]')
    on_time.get_by_role("link", name="xem hồ sơ không đạt").click()
    page.wait_for_url(re.compile(r".*/bao-cao/diem/ho-so/.*phan=con-lai.*"))
    shot(page, tmp_path, f"drilldown-{width}.png")
    page.get_by_role("link", name=dataset["d3"].code).click()
    page.wait_for_url(re.compile(rf".*/can-bo/ho-so/{re.escape(dataset['d3'].code)}/$"))

    page.clock.install()  # the refresh timer runs on a clock the test moves
    page.goto(f"{live_server.url}/bao-cao/dieu-hanh/")
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length === 2")
    assert page.locator("#table-agency tbody tr").count() == 2
    shot(page, tmp_path, f"dashboard-{width}.png")
    # A minute later the page fetches the figures again by itself and says when they are from.
    with page.expect_response(re.compile(r".*/bao-cao/dieu-hanh/du-lieu\.json$")):
        page.clock.run_for(61_000)
    page.wait_for_function("() => document.getElementById('dashboard-updated').textContent.startsWith('Số liệu lúc')")
    assert page.locator("#dashboard-totals a[data-kind='qua-han']").inner_text() == "1"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    assert errors == []
    page.context.close()
