"""A certified copy in real Chromium: the commune's officer certifies a scanned original (a wrong fee is
refused first), the signed copy is checked with pdfsig and rendered with pdftoppm, the register lists
it, and the citizen finds it in the personal store. Screenshots at 1280 and 360 px."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from egov.certification.tests.conftest import pdf

pytestmark = pytest.mark.browser


def sign_in(browser, live_server, username, width=1280):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill("Mk-thu-nghiem-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    return page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_officer_certifies_a_copy_and_the_citizen_finds_it_in_the_store(browser, live_server, place, tmp_path):
    from egov.certification.models import CertifiedCopy

    original = tmp_path / "giay-khai-sinh.pdf"
    original.write_bytes(pdf(3))
    officer = sign_in(browser, live_server, "tiepnhan.xa")
    officer.goto(f"{live_server.url}/can-bo/")
    officer.get_by_role("link", name="Chứng thực bản sao").click()
    officer.get_by_label("Số định danh cá nhân của người yêu cầu").fill("037190000123")
    officer.get_by_label("Tên giấy tờ, văn bản").fill("Giấy khai sinh")
    officer.get_by_label("Bản chụp bản chính (PDF, JPEG, PNG)").set_input_files(str(original))
    officer.get_by_label("Phí đã thu (đồng)").fill("6000")
    officer.get_by_role("button", name="Ký chứng thực và vào sổ").click()
    officer.wait_for_load_state()
    assert (
        "Phí chứng thực bản sao 3 trang là 5.000 đồng (TT 226/2016/TT-BTC), không phải 6.000 đồng."
        in officer.locator("#fee-error").inner_text()
    )
    assert CertifiedCopy.objects.count() == 0
    officer.get_by_label("Bản chụp bản chính (PDF, JPEG, PNG)").set_input_files(str(original))
    officer.get_by_label("Phí đã thu (đồng)").fill("5000")
    officer.screenshot(path=str(tmp_path / "certify-1280.png"), full_page=True)
    officer.get_by_role("button", name="Ký chứng thực và vào sổ").click()
    officer.wait_for_url(re.compile(r".*/can-bo/chung-thuc/\?so=\d+$"))
    assert "Đã chứng thực: số 1, quyển số 2027-SCT/BS." in officer.get_by_role("status").inner_text()
    officer.screenshot(path=str(tmp_path / "certified-1280.png"), full_page=True)

    # The copy opens inline in the browser's viewer; fetch it with the officer's session to check it.
    href = officer.get_by_role("link", name="Tải bản sao đã ký").get_attribute("href")
    fetched = officer.request.get(f"{live_server.url}{href}")
    assert (fetched.status, fetched.headers["content-type"]) == (200, "application/pdf")
    signed = tmp_path / "ban-sao.pdf"
    signed.write_bytes(fetched.body())
    if shutil.which("pdfsig"):
        report = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True).stdout
        assert "Signer Certificate Common Name: UBND xã Thử Nghiệm" in report
        assert "Signature Validation: Signature is Valid." in report
        assert "Total document signed" in report
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(signed), str(tmp_path / "copy")], check=True
        )

    officer.get_by_role("link", name="Sổ chứng thực bản sao").click()
    row = officer.locator("tbody tr").first.inner_text()
    assert "1/2027-SCT/BS" in row and "Nguyễn Thị Hồng" in row and "Giấy khai sinh" in row
    officer.screenshot(path=str(tmp_path / "register-1280.png"), full_page=True)
    officer.context.close()

    for width in (1280, 360):
        citizen = sign_in(browser, live_server, "037190000123", width=width)
        citizen.goto(f"{live_server.url}/ca-nhan/kho-du-lieu/")
        text = citizen.locator("main").inner_text()
        assert "Giấy khai sinh (bản sao chứng thực số 1/2027-SCT/BS)" in text
        assert "Bản sao chứng thực điện tử" in text
        citizen.screenshot(path=str(tmp_path / f"store-{width}.png"), full_page=True)
        citizen.context.close()
    small = sign_in(browser, live_server, "tiepnhan.xa", width=360)
    small.goto(f"{live_server.url}/can-bo/chung-thuc/so/?nam=2027")
    small.screenshot(path=str(tmp_path / "register-360.png"), full_page=True)
    small.goto(f"{live_server.url}/can-bo/chung-thuc/")
    small.screenshot(path=str(tmp_path / "certify-360.png"), full_page=True)
    small.context.close()
