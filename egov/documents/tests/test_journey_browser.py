"""The issue's journey in Chromium, through the /van-ban/ pages only: a specialist drafts a Quyết định
from the template, the unit head returns it with a note, it is revised and forwarded, the leader signs
with the token PIN, the clerk issues it to two agencies; each accepts it and its leader assigns a lead
and a cooperating unit with a deadline; the lead specialist answers with a công văn in reply and
completes; the first document's page shows the answer. Then poppler's pdfsig finds every signature of
the issued PDF valid. With ``EGOV_SCREENSHOTS=<folder>`` the home and the document page are saved at
1280 and 360 px."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from egov.core.tests.test_accessibility import PASSWORD, SCREENSHOTS, WIDTHS
from egov.documents.tests.conftest import BODY, PIN, needs_token

pytestmark = [pytest.mark.browser, needs_token]

PDFSIG = shutil.which("pdfsig")
CERTUTIL = shutil.which("certutil")


def _division(parent, name, code):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation

    return create_organisation(by=None, parent=parent, name=name, kind=Kind.DIVISION, code=code)


class _Officers:
    """One signed-in browser context per officer, opened on first use."""

    def __init__(self, browser, live_server, width=1280, height=900):
        self.browser, self.base, self.size = browser, live_server.url, (width, height)
        self.pages = {}

    def __call__(self, username: str, path: str):
        if username not in self.pages:
            context = self.browser.new_context(locale="vi-VN", viewport={"width": self.size[0], "height": self.size[1]})
            page = context.new_page()
            page.goto(f"{self.base}/dang-nhap/")
            page.get_by_label("Tên đăng nhập").fill(username)
            page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập", exact=True).click()
            page.wait_for_load_state()
            self.pages[username] = page
        page = self.pages[username]
        page.goto(self.base + path)
        return page

    def close(self):
        for page in self.pages.values():
            page.context.close()


def _press(page, form_id: str):
    with page.expect_navigation():
        page.locator(f"#{form_id} button[type=submit]").click()
    page.wait_for_load_state()


def _status(document):
    document.refresh_from_db()
    return document.status


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_issue_journey_through_the_pages(browser, live_server, world, token, make_officer, tmp_path):
    from egov.documents.models import IncomingDocument, OutgoingDocument

    commune_office = _division(world["commune"], "Văn phòng HĐND và UBND xã", "H98.301.01")
    commune_culture = _division(world["commune"], "Phòng Văn hóa - Xã hội", "H98.301.02")
    treasury = _division(world["finance"], "Phòng Ngân sách", "H98.102.03")
    make_officer("unit_head", commune_office, username="cvp.xa")
    as_ = _Officers(browser, live_server)
    try:
        # The specialist drafts a Quyết định from the template.
        page = as_("cv.tp", "/van-ban/du-thao-moi/")
        page.select_option("#doc_type", "quyet-dinh")
        page.fill("#subject", "Ban hành Quy chế công tác văn thư")
        page.select_option("#drafting_unit", str(world["justice_div"].pk))
        page.select_option("#signer", str(world["leader"].pk))
        page.fill("#signer_title", "Giám đốc")
        page.fill("#place", "Sơn Nam")
        page.select_option("#recipients", [str(world["finance"].pk), str(world["commune"].pk)])
        page.fill("#body", BODY)
        with page.expect_navigation():
            page.get_by_role("button", name="Tạo dự thảo").click()
        match = re.search(r"/van-ban/di/(\d+)/", page.url)
        assert match, page.url
        document = OutgoingDocument.objects.get(pk=int(match.group(1)))
        url = f"/van-ban/di/{document.pk}/"
        assert (document.status, document.subject) == ("draft", "Ban hành Quy chế công tác văn thư")
        _press(page, "action-submit")
        assert _status(document) == "under_review"

        # The unit head returns it with a note.
        page = as_("tp.tp", url)
        page.fill("#return-note", "Bổ sung căn cứ Luật Lưu trữ.")
        _press(page, "action-return")
        assert _status(document) == "returned"

        # Revised and forwarded; the head approves.
        page = as_("cv.tp", url)
        assert "Bổ sung căn cứ Luật Lưu trữ." in page.content()
        page.get_by_text("Cập nhật dự thảo (phiên bản mới)").click()  # a <details> that opens
        page.fill("#version-body", "Căn cứ Luật Lưu trữ 2024;\n\n" + BODY)
        page.fill("#version-note", "Đã bổ sung")
        _press(page, "action-version")
        assert document.versions.count() == 2
        page = as_("cv.tp", url)
        _press(page, "action-submit")
        page = as_("tp.tp", url)
        _press(page, "action-approve")
        document.refresh_from_db()
        assert (document.status, document.awaiting_permission) == ("under_review", "document.sign")

        # The leader signs with the token PIN (a wrong PIN first signs nothing).
        page = as_("gd.tp", url)
        page.fill("#sign-pin", "111111")
        _press(page, "action-sign")
        assert _status(document) == "under_review"
        page = as_("gd.tp", url)
        page.fill("#sign-pin", PIN)
        _press(page, "action-sign")
        assert _status(document) == "signed"

        # The clerk numbers, seals and issues it to the two agencies.
        page = as_("vt.tp", url)
        _press(page, "action-issue")
        document.refresh_from_db()
        assert (document.status, document.symbol) == ("issued", "01/QĐ-STP")

        # Each agency accepts it; its leader assigns a lead and a cooperating unit with a deadline.
        deadline = timezone.localdate() + timedelta(days=7)
        for clerk, leader, agency, lead, cooperating in (
            ("vt.tc", "gd.tc", world["finance"], world["finance_div"], treasury),
            ("vt.xa", "ct.xa", world["commune"], commune_office, commune_culture),
        ):
            copy = IncomingDocument.objects.get(outgoing=document, agency=agency)
            page = as_(clerk, f"/van-ban/den/{copy.pk}/")
            _press(page, "action-accept")
            copy.refresh_from_db()
            assert (copy.status, copy.arrival_number, copy.signatures_ok) == ("accepted", 1, True)
            page = as_(leader, f"/van-ban/den/{copy.pk}/")
            page.select_option("#assign-lead", str(lead.pk))
            page.select_option("#assign-cooperating", [str(cooperating.pk)])
            page.fill("#assign-deadline", deadline.isoformat())
            page.fill("#assign-instruction", "Triển khai.")
            _press(page, "action-assign")
            assert sorted(copy.assignments.values_list("role", "unit_id", "deadline")) == [
                ("cooperate", cooperating.pk, deadline),
                ("lead", lead.pk, deadline),
            ]

        # Finance's head gives the lead part to the specialist, who answers with a công văn in reply.
        finance_copy = IncomingDocument.objects.get(outgoing=document, agency=world["finance"])
        lead_part = finance_copy.assignments.get(role="lead")
        page = as_("tp.tc", f"/van-ban/den/{finance_copy.pk}/")
        page.select_option(f"#specialist-{lead_part.pk}", str(world["fin_specialist"].pk))
        _press(page, f"action-specialist-{lead_part.pk}")
        lead_part.refresh_from_db()
        assert lead_part.assignee_id == world["fin_specialist"].pk

        page = as_("cv.tc", f"/van-ban/du-thao-moi/?tra_loi={finance_copy.pk}")
        page.select_option("#doc_type", "cong-van")
        page.fill("#subject", "V/v triển khai Quy chế công tác văn thư")
        page.select_option("#drafting_unit", str(world["finance_div"].pk))
        page.select_option("#signer", str(world["fin_leader"].pk))
        page.fill("#signer_title", "Giám đốc")
        page.fill("#place", "Sơn Nam")
        page.select_option("#recipients", [str(world["justice"].pk)])
        page.select_option("#in_reply_to", str(finance_copy.pk))
        page.fill("#body", "Sở Tài chính đã triển khai Quy chế.")
        with page.expect_navigation():
            page.get_by_role("button", name="Tạo dự thảo").click()
        answer = OutgoingDocument.objects.get(in_reply_to=finance_copy)
        page = as_("cv.tc", f"/van-ban/den/{finance_copy.pk}/")
        page.select_option("#complete-answer", str(answer.pk))
        _press(page, "action-complete")
        finance_copy.refresh_from_db()
        assert (finance_copy.status, finance_copy.answer_id) == ("completed", answer.pk)

        # The first document's page shows where it went and the answer.
        page = as_("cv.tp", url)
        follow_up = page.locator("table", has_text="Văn bản trả lời").inner_text()
        assert "V/v triển khai Quy chế công tác văn thư" in follow_up, follow_up
        assert "Phòng Đăng ký kinh doanh" in follow_up and "Phòng Ngân sách" in follow_up, follow_up

        if SCREENSHOTS:
            for width, height in WIDTHS.values():
                page.set_viewport_size({"width": width, "height": height})
                for name, path in (("van-ban-home", "/van-ban/"), ("van-ban-document", url)):
                    page.goto(live_server.url + path)
                    page.wait_for_load_state("load")
                    page.screenshot(path=str(Path(SCREENSHOTS) / f"journey-{name}-{width}.png"), full_page=True)
    finally:
        as_.close()

    # pdfsig: every signature of the issued PDF (the leader's and the seal) is valid.
    if PDFSIG is None or CERTUTIL is None:
        pytest.skip("needs poppler's pdfsig and NSS's certutil")
    document.refresh_from_db()
    issued = tmp_path / "issued.pdf"
    with document.pdf.open("rb") as handle:
        issued.write_bytes(handle.read())
    from django.conf import settings

    nss = tmp_path / "nss"
    nss.mkdir()
    run = dict(capture_output=True, text=True, timeout=60, check=True)
    subprocess.run([CERTUTIL, "-N", "-d", f"sql:{nss}", "--empty-password"], **run)
    root = settings.EGOV_TRUST_ROOTS[0]
    subprocess.run([CERTUTIL, "-A", "-n", "demo-root", "-t", ",C,", "-i", root, "-d", f"sql:{nss}"], **run)
    result = subprocess.run([PDFSIG, "-nssdir", f"sql:{nss}", str(issued)], capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    signatures = output.count("Signature Validation:")
    assert signatures == 2, output
    assert output.count("Signature Validation: Signature is Valid.") == signatures, output
