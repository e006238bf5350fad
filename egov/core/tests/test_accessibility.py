"""Every public page (and the officers' pages) checked by axe-core in real Chromium, at 1280 and 360 px.

axe-core 4.14.1 (``vendor/axe.min.js``, MPL 2.0, from the npm registry) runs with the WCAG 2.0 / 2.1
level A and AA rules; a test fails listing every violation: page, width, rule, impact and the CSS
selectors of the elements. At 360 px a page must not scroll sideways either.

**Adding a page**: append a ``Page`` to ``PUBLIC_PAGES`` (or ``OFFICER_PAGES``). Its ``path`` may name
data of the ``pages_data`` fixture (``{dossier}``, ``{feedback}`` ...): add what a new page needs there.
``then`` is an optional step in the browser after the page loads (fill and submit a form) whose result
is checked too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from egov.dossiers.tests.conftest import _pki_and_media, officers, world  # noqa: F401  (shared fixtures)
from egov.signing.tests.conftest import flip_signed_byte

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": (1280, 900), "mobile": (360, 740)}
PASSWORD = "Mk-thu-nghiem-2026"
# Where the screenshots go when EGOV_SCREENSHOTS names a folder (to look at the pages as a person would).
SCREENSHOTS = os.environ.get("EGOV_SCREENSHOTS", "")

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # formatted with the pages_data fixture's dict
    then: Callable | None = None  # then(page, data): a step in the browser whose result is checked


def _submit_login(username: str, password: str) -> Callable:
    def step(page, data):
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu", exact=True).fill(password)
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.wait_for_load_state()

    return step


def _submit_empty(button: str) -> Callable:
    def step(page, data):
        page.locator("main").get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()

    return step


def _submit_bypassing_the_browser(button: str) -> Callable:
    """Submit without the browser's own checks (``novalidate``), to see the server's error messages."""

    def step(page, data):
        page.evaluate("document.querySelectorAll('main form').forEach(f => f.noValidate = true)")
        _submit_empty(button)(page, data)

    return step


def _check_signed_pdf(page, data):
    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(data["signed_pdf"])
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    page.wait_for_selector("#result-title")


def _check_tampered_pdf(page, data):
    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(data["tampered_pdf"])
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    page.wait_for_selector("#result-title")


def _choose_procedure(page, data):
    page.get_by_label("Thủ tục").select_option(index=1)
    page.get_by_role("button", name="Chọn", exact=True).click()
    page.wait_for_load_state()


PUBLIC_PAGES: list[Page] = [
    Page("home", "/"),
    Page("procedure search", "/thu-tuc/"),
    Page("procedure search with results", "/thu-tuc/?q=chung+thuc"),
    Page("procedure search with filters", "/thu-tuc/?q=hop+dong&linh_vuc=G09-TP01&cap=department&muc_do=mot_phan"),
    Page("procedure search without results", "/thu-tuc/?q=khong+co+thu+tuc+nay"),
    Page("procedure", "/thu-tuc/{procedure}/"),
    Page("lookup", "/tra-cuu/"),
    Page("lookup found", "/tra-cuu/{dossier}/"),
    Page("lookup not found", "/tra-cuu/?ma=000.00.01.H98-270301-9999"),
    Page("signature check", "/kiem-tra-chu-ky/"),
    Page("signature check result", "/kiem-tra-chu-ky/", then=_check_signed_pdf),
    Page("signature check on a modified file", "/kiem-tra-chu-ky/", then=_check_tampered_pdf),
    Page("signature check without a file", "/kiem-tra-chu-ky/", then=_submit_empty("Kiểm tra")),
    Page("statistics", "/thong-ke/"),
    Page("statistics by field", "/thong-ke/?tu={month_ago}&den={today}&theo=linh-vuc"),
    Page("statistics with an invalid period", "/thong-ke/?tu=2020-01-01&den=2030-12-31"),
    Page("feedback form", "/phan-anh/"),
    Page("feedback form with errors", "/phan-anh/", then=_submit_empty("Gửi phản ánh")),
    Page("feedback tracking", "/phan-anh/tra-cuu/?ma={feedback}"),
    Page("published answers", "/phan-anh/cong-khai/"),
    Page("rating", "/danh-gia/{returned}/"),
    Page("rating with errors", "/danh-gia/{returned}/", then=_submit_empty("Gửi đánh giá")),
    Page("payment gateway (sandbox)", "{payment_url}"),
    Page("payment return without a valid signature", "/thanh-toan/ket-qua/"),
    Page("login", "/dang-nhap/"),
    Page("login with missing fields", "/dang-nhap/", then=_submit_empty("Đăng nhập")),
    Page("login with a wrong password", "/dang-nhap/", then=_submit_login("khongco", "sai-mat-khau")),
    Page("not found", "/khong-co-trang-nay/"),
    Page("registration", "/dang-ky/"),
    Page("registration with errors", "/dang-ky/", then=_submit_bypassing_the_browser("Đăng ký")),
    Page("verification", "/dang-ky/xac-minh/"),
]

# Signed in as a citizen (the portal's own pages).
CITIZEN_PAGES: list[Page] = [
    Page("online form", "/nop-ho-so/{procedure}/"),
    Page("online form with errors", "/nop-ho-so/{procedure}/", then=_submit_bypassing_the_browser("Nộp hồ sơ")),
    Page("my dossiers", "/ca-nhan/ho-so/"),
    Page("my dossiers filtered", "/ca-nhan/ho-so/?tinh_trang=can-bo-sung"),
    Page("my dossier waiting for a supplement", "/ca-nhan/ho-so/{online}/"),
    Page("personal store", "/ca-nhan/kho-du-lieu/"),
    Page("personal store with errors", "/ca-nhan/kho-du-lieu/", then=_submit_bypassing_the_browser("Lưu vào kho")),
    Page("account of a citizen", "/tai-khoan/"),
]

OFFICER_PAGES: list[Page] = [
    Page("worklist", "/can-bo/?ds=unit"),
    Page("worklist searched and filtered", "/can-bo/?ds=overdue&q=Nguy&kenh=1"),
    Page("reception", "/can-bo/tiep-nhan/"),
    Page("reception form", "/can-bo/tiep-nhan/", then=_choose_procedure),
    Page(
        "reception with errors",
        "/can-bo/tiep-nhan/",
        then=lambda page, data: (_choose_procedure(page, data), _submit_empty("Tiếp nhận và in giấy hẹn")(page, data)),
    ),
    Page("dossier", "/can-bo/ho-so/{dossier}/"),
    Page("tracking register", "/can-bo/so-theo-doi/"),
    Page("feedback list", "/can-bo/phan-anh/"),
    Page("feedback answer", "/can-bo/phan-anh/{feedback}/"),
    Page("payment reconciliation", "/can-bo/doi-soat-thanh-toan/"),
    Page("account", "/tai-khoan/"),
]

# Signed in as the Department of Justice's leader (report.view): scores, drill-down, dashboard.
LEADER_PAGES: list[Page] = [
    Page("scores", "/bao-cao/diem/"),
    Page("scores with an invalid period", "/bao-cao/diem/?ky=2027-13"),
    Page("scores at a level outside the scope", "/bao-cao/diem/?cap=tinh"),
    Page("scores drill-down", "/bao-cao/diem/ho-so/?do=online&don-vi=H98.101&phan=mau-so"),
    Page("operations dashboard", "/bao-cao/dieu-hanh/"),
    Page("operations dashboard list", "/bao-cao/dieu-hanh/ho-so/?loai=nhan-thang-nay"),
]


@pytest.fixture
def pages_data(world, officers, settings, tmp_path):  # noqa: F811  (the fixtures imported above)
    """What the pages' paths name: a received dossier, a returned one, a feedback, a payment, a signed PDF."""
    from weasyprint import HTML

    from egov.dossiers.models import Dossier
    from egov.dossiers.statuses import Status
    from egov.dossiers.tests.conftest import receive
    from egov.feedback.services import submit_feedback
    from egov.payments import services as payments
    from egov.signing.services import sign_pdf

    settings.EGOV_PAYMENT_SECRET = "bi-mat-thu-nghiem"
    settings.EGOV_PAYMENT_TMN_CODE = "TESTTMN1"
    settings.EGOV_PAYMENT_GATEWAY_URL = ""
    dossier = receive(world, officers["desk"])
    returned = receive(world, officers["desk"], phone="0912345678")
    Dossier.objects.filter(pk=returned.pk).update(status=Status.RETURNED, returned_at=returned.received_at)
    feedback = submit_feedback(
        by=None,
        sender_name="Trần Thị Bình",
        phone="0987654321",
        email="",
        address="",
        title="Thời gian chờ tại Bộ phận Một cửa",
        content="Tôi phải chờ hơn hai giờ để được tiếp nhận hồ sơ.",
    )
    _order, payment_url = payments.create_order(by=officers["desk"], dossier=dossier)
    from egov.dossiers import services
    from egov.people.services import register_citizen
    from egov.portal.tests.conftest import submit as submit_online

    citizen = register_citizen(
        username="037090001234",
        full_name="Nguyễn Văn An",
        password=PASSWORD,
        identity_number="037090001234",
        email="an@example.vn",
    )
    online, _created = submit_online(world, citizen)
    services.request_supplement(
        by=officers["desk"], dossier=online.code, items=["Bản sao giấy tờ tùy thân rõ nét"], reason="Ảnh chụp bị mờ"
    )
    pdf = HTML(string='<html lang="vi"><p>Giấy tiếp nhận hồ sơ và hẹn trả kết quả</p></html>').write_pdf()
    signed = tmp_path / "da-ky.pdf"
    signed.write_bytes(sign_pdf(pdf=pdf, unit=world["justice_desk"]))
    tampered = tmp_path / "da-sua.pdf"
    tampered.write_bytes(flip_signed_byte(signed.read_bytes()))
    return {
        "procedure": world["procedure"].code,
        "dossier": dossier.code,
        "returned": returned.code,
        "online": online.code,
        "citizen": citizen.username,
        "feedback": feedback.code,
        "payment_url": "{0.path}?{0.query}".format(urlsplit(payment_url)),
        "signed_pdf": str(signed),
        "tampered_pdf": str(tampered),
        "today": date.today().isoformat(),
        "month_ago": (date.today() - timedelta(days=30)).isoformat(),
    }


# The outermost elements whose right edge passes the window's, to say what makes a page scroll sideways.
OVERFLOWING = """() => {
    const out = [];
    for (const el of document.body.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && !(el.parentElement && out.includes(el.parentElement))) out.push(el);
    }
    return out.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/ +/).join(".") : "")
        + " (" + Math.round(el.getBoundingClientRect().right) + "px)").join("; ");
}"""


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol, not as an inline <script>: the pages' CSP
    # (script-src 'self') blocks inline scripts, and the check must see the page as served.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" "))
            }));
        }""",
        AXE_TAGS,
    )


def check_pages(browser, live_server, data, pages, width, height, *, sign_in_as=None) -> list[str]:
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    # Anything the Content-Security-Policy blocks (an inline script, a style, a font) is a problem.
    blocked = []
    page.on(
        "console",
        lambda m: blocked.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None,
    )
    if sign_in_as:
        page.goto(f"{live_server.url}/dang-nhap/")
        _submit_login(sign_in_as, PASSWORD)(page, data)
    problems = []
    for check in pages:
        page.goto(live_server.url + check.path.format(**data))
        if check.then:
            check.then(page, data)
        page.wait_for_load_state("load")
        where = f"{check.name} ({page.url.removeprefix(live_server.url)}) at {width}px"
        for v in axe_violations(page):
            problems.append(f"{where}: {v['id']} [{v['impact']}] {v['help']} — {'; '.join(v['targets'][:8])}")
        if width <= 360:
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                culprits = page.evaluate(OVERFLOWING)
                problems.append(f"{where}: scrolls sideways ({scroll}px wide in a {inner}px window): {culprits}")
        if SCREENSHOTS:
            slug = re.sub(r"[^a-z0-9]+", "-", check.name.lower()).strip("-")
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{slug}-{width}.png"), full_page=True)
    context.close()
    return problems + [f"blocked by the Content-Security-Policy: {b}" for b in blocked]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", WIDTHS.keys())
def test_public_pages_have_no_wcag21_aa_violation(pages_data, browser, live_server, size):
    problems = check_pages(browser, live_server, pages_data, PUBLIC_PAGES, *WIDTHS[size])
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", WIDTHS.keys())
def test_officer_pages_have_no_wcag21_aa_violation(pages_data, browser, live_server, size):
    problems = check_pages(browser, live_server, pages_data, OFFICER_PAGES, *WIDTHS[size], sign_in_as="tiepnhan")
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", WIDTHS.keys())
def test_leader_pages_have_no_wcag21_aa_violation(pages_data, browser, live_server, size):
    problems = check_pages(browser, live_server, pages_data, LEADER_PAGES, *WIDTHS[size], sign_in_as="lanhdao")
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", WIDTHS.keys())
def test_citizen_pages_have_no_wcag21_aa_violation(pages_data, browser, live_server, size):
    problems = check_pages(
        browser, live_server, pages_data, CITIZEN_PAGES, *WIDTHS[size], sign_in_as=pages_data["citizen"]
    )
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


def test_the_check_fails_on_a_page_with_violations(browser):
    """The test can fail: a page with an unlabelled field and grey-on-white text has violations."""
    page = browser.new_page()
    page.set_content('<html><body><input id="x"><p style="color:#bbb">mờ</p></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast", "html-has-lang"} <= found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_navigation_works_at_360_px_with_and_without_javascript(browser, live_server, javascript):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    link = nav.get_by_role("link", name="Tra cứu hồ sơ")
    if javascript:
        # the links wait behind the menu button
        assert not link.is_visible()
        page.get_by_role("button", name="Danh mục").click()
    else:
        # no button that could do nothing: the links are a plain list under the header
        assert not page.get_by_role("button", name="Danh mục").is_visible()
    if SCREENSHOTS:
        page.wait_for_timeout(500)  # the menu slides in
        page.screenshot(path=str(Path(SCREENSHOTS) / f"navigation-{'js' if javascript else 'no-js'}-360.png"))
    link.click()
    page.wait_for_url(f"{live_server.url}/tra-cuu/")
    assert page.locator("h1").inner_text() == "Tra cứu tình trạng hồ sơ"
    context.close()
