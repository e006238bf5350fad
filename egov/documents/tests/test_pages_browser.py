"""The documents pages in Chromium: axe-core (WCAG 2.1 AA) clean and no sideways scrolling at 360 px,
for the home, an outgoing and an incoming document page, a register and the search (with
``EGOV_SCREENSHOTS=<folder>`` the pages are also saved as images to look at)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from egov.core.tests.test_accessibility import WIDTHS, Page, check_pages
from egov.documents.tests.conftest import draft, small_pdf

pytestmark = pytest.mark.browser

PAGES = [
    Page("documents home", "/van-ban/"),
    Page("outgoing document", "/van-ban/di/{outgoing}/"),
    Page("incoming document", "/van-ban/den/{incoming}/"),
    Page("incoming register", "/van-ban/so/?loai=incoming"),
    Page("documents search", "/van-ban/tim-kiem/?q=van+thu"),
    Page("new draft", "/van-ban/du-thao-moi/"),
]


@pytest.fixture
def pages_data(world, django_capture_on_commit_callbacks):
    from egov.documents import services

    with django_capture_on_commit_callbacks(execute=True):
        outgoing = draft(world, by=world["head"])
        services.submit(by=world["head"], document=outgoing)
        incoming = services.register_paper_incoming(
            by=world["clerk"],
            agency=world["justice"],
            file_name="giay-moi.pdf",
            file_content=small_pdf("Giấy mời dự hội nghị tổng kết công tác văn thư"),
            sender_name="Bộ Tư pháp",
            subject="Mời dự hội nghị tổng kết công tác văn thư năm 2026",
            symbol="120/GM-BTP",
            document_date=date(2026, 11, 20),
        )
        # Directed to the unit head's division, so the head sees it (and it is due soon).
        services.assign(
            by=world["leader"], incoming=incoming, lead=world["justice_div"], deadline=date.today() + timedelta(days=2)
        )
    return {"outgoing": outgoing.pk, "incoming": incoming.pk}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", WIDTHS.keys())
def test_documents_pages_have_no_wcag21_aa_violation(pages_data, browser, live_server, size):
    # The unit head: sees the draft waiting for review, drafts, and the unit's registers.
    problems = check_pages(browser, live_server, pages_data, PAGES, *WIDTHS[size], sign_in_as="tp.tp")
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)
