"""Liên thông across levels in real Chromium: a commune's one-stop unit receives a Department of
Justice procedure, the department appraises, approves and signs the result, the commune hands it over;
the public lookup shows each level's steps. Screenshots at 1280 and 360 px."""

from __future__ import annotations

import re

import pytest
from weasyprint import HTML

from egov.dossiers.tests.test_browser import act, sign_in
from egov.dossiers.tests.test_cross_level import levels  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dossier_received_at_the_commune_goes_to_the_department_and_comes_back(
    browser,
    live_server,
    world,
    officers,
    levels,  # noqa: F811
    tmp_path,
):
    from egov.dossiers.models import Dossier
    from egov.dossiers.statuses import Status

    commune = sign_in(browser, live_server, "tiepnhan.xa1")
    commune.goto(f"{live_server.url}/can-bo/tiep-nhan/")
    commune.get_by_label("Thủ tục").select_option(
        label=f"{world['procedure'].name} (liên thông: Sở Tư pháp giải quyết)"
    )
    commune.get_by_role("button", name="Chọn").click()
    assert "Hồ sơ liên thông: UBND xã Thử Nghiệm tiếp nhận, Sở Tư pháp giải quyết" in commune.content()
    commune.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    commune.get_by_label("Điện thoại").fill("0912345678")
    for component in world["procedure"].components.filter(required=True):
        commune.get_by_label(f"Đã nộp: {component.name}").check()
    commune.screenshot(path=str(tmp_path / "cross-level-reception-1280.png"), full_page=True)
    commune.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    commune.wait_for_url(re.compile(r".*/can-bo/ho-so/.+/$"))
    code = commune.locator("h1").inner_text().removeprefix("Hồ sơ ").strip()
    assert code.startswith("000.00.61.H98-")  # the commune's series
    act(commune, live_server, code, "Chuyển bước tiếp theo", **{"Ý kiến xử lý": "Chuyển liên thông lên Sở"})

    # The department's one-stop unit finds it in its worklist, then the division and the leader.
    for username in ("tiepnhan", "chuyenvien", "lanhdao"):
        officer = sign_in(browser, live_server, username)
        officer.goto(f"{live_server.url}/can-bo/?ds=unit")
        officer.get_by_role("link", name=code).click()
        if username == "lanhdao":
            result = tmp_path / "ket-qua.pdf"
            result.write_bytes(HTML(string="<h1>Hợp đồng đã được chứng thực</h1>").write_pdf())
            officer.get_by_label("Tên giấy tờ kết quả").fill("Hợp đồng được chứng thực")
            officer.get_by_label("Tệp kết quả (PDF)").set_input_files(str(result))
            officer.get_by_role("button", name="Đính kèm và ký số").click()
            officer.wait_for_load_state()
        act(officer, live_server, code, "Chuyển bước tiếp theo", **{"Ý kiến xử lý": "Đồng ý"})
        officer.context.close()
    desk = sign_in(browser, live_server, "tiepnhan")
    act(desk, live_server, code, "Chuyển bước tiếp theo", **{"Ý kiến xử lý": "Trả kết quả về xã"})
    # The result is handed over by the commune, not by the department.
    assert desk.locator("#action-return_result").count() == 0
    desk.context.close()

    act(commune, live_server, code, "Chuyển bước tiếp theo")
    act(commune, live_server, code, "Ghi nhận đã nộp phí")
    act(commune, live_server, code, "Trả kết quả")
    commune.screenshot(path=str(tmp_path / "cross-level-returned-1280.png"), full_page=True)
    assert "Đã trả kết quả" in commune.locator("dl.facts").first.inner_text()
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.current_unit) == (Status.RETURNED, levels["commune_desk"])
    assert list(dossier.tasks.order_by("order").values_list("agency__code", flat=True)) == [
        "H98.301",
        "H98.101",
        "H98.101",
        "H98.101",
        "H98.101",
        "H98.301",
    ]

    for width in (1280, 360):
        public = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900}).new_page()
        public.goto(f"{live_server.url}/tra-cuu/?ma={code}")
        text = public.locator("main").inner_text()
        public.screenshot(path=str(tmp_path / f"cross-level-lookup-{width}.png"), full_page=True)
        assert "Bộ phận Một cửa xã Thử Nghiệm" in text and "Sở Tư pháp" in text
        assert "Tiếp nhận, chuyển hồ sơ liên thông lên Sở — UBND xã Thử Nghiệm" in text
        assert "Thẩm định hồ sơ — Sở Tư pháp" in text
        assert "Nguyễn Văn An" not in text
        public.context.close()
