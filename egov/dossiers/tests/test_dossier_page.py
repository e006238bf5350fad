"""The officer's dossier page: the applicant's details for reception, the actions offered (the main
one first, none already done, the ones ending the dossier behind a confirmation) and people by name."""

from __future__ import annotations

import re

import pytest

from egov.dossiers import services
from egov.dossiers.statuses import Channel
from egov.dossiers.tests.conftest import applicant, components_all, receive

pytestmark = pytest.mark.django_db


def page(client, user, code: str) -> str:
    client.force_login(user)
    response = client.get(f"/can-bo/ho-so/{code}/")
    assert response.status_code == 200
    return response.content.decode()


ACTION_FORM = r'<form method="post" action="[^"]+" class="action-form([^"]*)" id="action-(\w+)"'


def offered(html: str) -> list[str]:
    """The actions offered, in page order, and whether each is the main one."""
    return [
        f"{name}{'*' if 'primary' in classes else ''}"
        for classes, name in re.findall(
            r'<form method="post" action="[^"]+" class="action-form([^"]*)" id="action-(\w+)"', html
        )
    ]


def ending_block(html: str) -> str:
    match = re.search(r'<details class="ending-actions">(.*?)</details>', html, re.S)
    return match.group(1) if match else ""


def test_the_page_shows_the_applicant_the_channel_and_the_submission_time(world, officers, clock, client):
    dossier = services.submit_online(
        by=None,
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(address="Số 5 đường Lê Lợi, xã Thử Nghiệm"),
        components=components_all(world["procedure"]),
    )

    html = page(client, officers["desk"], dossier.code)

    assert '<dd id="so-dinh-danh">037090001234</dd>' in html
    assert '<dd id="dien-thoai"><a href="tel:0912345678">0912345678</a></dd>' in html
    assert '<dd id="dia-chi">Số 5 đường Lê Lợi, xã Thử Nghiệm</dd>' in html
    assert '<dd id="thu-dien-tu"><a href="mailto:an@example.vn">an@example.vn</a></dd>' in html
    assert f'<dd id="kenh-nop">{Channel.ONLINE.label}</dd>' in html
    assert '<dd id="nop-luc">09:00 01/03/2027</dd>' in html


def test_a_new_online_dossier_offers_reception_first_and_refusal_behind_a_confirmation(world, officers, clock, client):
    dossier = services.submit_online(
        by=None,
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(),
        components=components_all(world["procedure"]),
    )

    html = page(client, officers["desk"], dossier.code)

    assert offered(html) == ["accept*", "request_supplement", "refuse", "withdraw"]
    block = ending_block(html)
    assert 'id="action-refuse"' in block and 'id="action-withdraw"' in block
    assert 'id="confirm-refuse" type="checkbox" name="confirm" value="yes" required' in block
    assert 'id="action-accept"' not in block


def test_forwarding_comes_first_and_taking_is_not_offered_once_taken(world, officers, clock, client):
    code = receive(world, officers["desk"]).code
    services.forward(by=officers["desk"], dossier=code)  # to the division, nobody took it

    before = offered(page(client, officers["specialist"], code))
    services.claim(by=officers["specialist"], dossier=code)
    after_html = page(client, officers["specialist"], code)

    assert before == ["forward*", "claim", "request_supplement", "request_payment"]
    assert offered(after_html) == ["forward*", "request_supplement", "request_payment"]
    # "Đang ở" names the person; the first step, forwarded without being taken, names who forwarded it.
    assert '<dd id="dang-o">Phòng Hành chính tư pháp — Cán bộ 2</dd>' in after_html
    assert '<td data-label="Người xử lý">Cán bộ 1 <small>(chuyển bước)</small></td>' in after_html
    assert '<td data-label="Người xử lý">Cán bộ 2</td>' in after_html


def test_a_recorded_fee_is_not_offered_again_and_the_return_comes_first(world, officers, clock, client):
    code = receive(world, officers["desk"]).code
    for who in ("desk", "specialist", "partner", "leader"):
        services.forward(by=officers[who], dossier=code)
    html_owed = page(client, officers["desk"], code)

    services.record_payment(by=officers["desk"], dossier=code)
    html_paid = page(client, officers["desk"], code)

    # Step 5 (return) at the desk: forward finishes it; the fee is owed, so the return waits for it.
    assert offered(html_owed) == ["forward*", "record_payment", "claim", "request_supplement", "withdraw"]
    assert offered(html_paid) == ["forward*", "claim", "request_supplement", "withdraw"]
    services.forward(by=officers["desk"], dossier=code)
    assert offered(page(client, officers["desk"], code)) == ["return_result*"]
