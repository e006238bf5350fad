"""Full-text search: diacritics ignored, the PDF text searched, secret documents found only by the
people named on them, the filters, keyset pages, and the reindex command (both databases)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.core.errors import ValidationFailed
from egov.documents import services
from egov.documents.models import OutgoingStatus, SearchEntry
from egov.documents.search import INCOMING, OUTGOING, SearchFilters, fold, search
from egov.documents.tests.conftest import draft, small_pdf

pytestmark = pytest.mark.django_db


def _found(user, q="", **filters):
    return [(e.kind, e.document_id) for e in search(user=user, q=q, filters=SearchFilters(**filters)).rows]


@pytest.fixture
def docs(world, django_capture_on_commit_callbacks):
    """A template Quyết định, a công văn from an uploaded PDF, a secret Tờ trình, a paper arrival."""
    with django_capture_on_commit_callbacks(execute=True):
        decision = draft(world)
        letter = draft(
            world,
            type_code="cong-van",
            subject="Về việc rà soát thủ tục",
            body="",
            file_name="cong-van.pdf",
            file_content=small_pdf("Đề nghị kiểm tra công trình thủy lợi Bạch Đằng trước mùa mưa"),
            signer=world["leader"],
        )
        secret = draft(
            world, type_code="to-trinh", subject="Tờ trình về nhân sự lãnh đạo", body="Đề xuất nhân sự.", secrecy="mat"
        )
        paper = services.register_paper_incoming(
            by=world["clerk"],
            agency=world["justice"],
            file_name="giay-moi.pdf",
            file_content=small_pdf("Giấy mời dự hội nghị tổng kết"),
            sender_name="Bộ Tư pháp",
            subject="Mời dự hội nghị tổng kết công tác văn thư",
            symbol="120/GM-BTP",
            document_date=date(2026, 11, 20),
            signer_name="Nguyễn Văn Thắng",
        )
    return {"decision": decision, "letter": letter, "secret": secret, "paper": paper}


def test_fold_removes_diacritics_and_d_bar():
    assert fold("Quyết định ĐẦU TƯ Đà Nẵng") == "quyet dinh dau tu da nang"


def test_quyet_dinh_without_diacritics_finds_the_quyet_dinh(world, docs):
    assert _found(world["specialist"], "quyet dinh") == [(OUTGOING, docs["decision"].pk)]
    assert _found(world["specialist"], "QUYẾT ĐỊNH quy che") == [(OUTGOING, docs["decision"].pk)]


def test_a_word_only_in_the_pdf_text_is_found(world, docs):
    assert "Bạch Đằng" not in docs["letter"].subject
    assert _found(world["specialist"], "bach dang") == [(OUTGOING, docs["letter"].pk)]
    assert _found(world["specialist"], "thuy loi bach") == [(OUTGOING, docs["letter"].pk)]  # last word: a prefix


def test_a_secret_document_is_found_only_by_the_people_named_on_it(world, docs, make_officer):
    colleague = make_officer("specialist", world["justice_div"], username="cv2.tp")

    assert _found(world["specialist"], "nhan su lanh dao") == [(OUTGOING, docs["secret"].pk)]  # the drafter
    assert _found(colleague, "nhan su lanh dao") == []
    assert _found(colleague, "quyet dinh") == [(OUTGOING, docs["decision"].pk)]  # the unit's ordinary drafts
    assert _found(world["fin_specialist"], "quyet dinh") == []  # another agency's drafts


def test_incoming_documents_are_found_by_their_metadata_and_text(world, docs):
    assert _found(world["clerk"], "120/GM-BTP") == [(INCOMING, docs["paper"].pk)]
    assert _found(world["clerk"], "hoi nghi tong ket") == [(INCOMING, docs["paper"].pk)]
    assert _found(world["fin_clerk"], "hoi nghi") == []


def test_the_filters(world, docs):
    user = world["clerk"]
    everything = _found(user)
    assert set(everything) == {
        (OUTGOING, docs["decision"].pk),
        (OUTGOING, docs["letter"].pk),
        (OUTGOING, docs["secret"].pk),  # the agency's clerk is named on secret documents (they register them)
        (INCOMING, docs["paper"].pk),
    }
    assert _found(user, kind="incoming") == [(INCOMING, docs["paper"].pk)]
    assert len(_found(user, kind="outgoing")) == 3
    assert _found(user, type="cong-van") == [(OUTGOING, docs["letter"].pk)]
    assert _found(user, issuer="bo tu phap") == [(INCOMING, docs["paper"].pk)]
    assert _found(user, signer="thang") == [(INCOMING, docs["paper"].pk)]
    assert _found(user, status=OutgoingStatus.DRAFT, type="quyet-dinh") == [(OUTGOING, docs["decision"].pk)]
    assert _found(user, status=OutgoingStatus.ISSUED) == []
    today = timezone.localdate()
    assert len(_found(user, date_from=today, date_to=today)) == 4
    assert _found(user, date_to=today - timedelta(days=1)) == []
    assert _found(user, date_from=today + timedelta(days=1)) == []


def test_bad_filters_name_their_field(world):
    with pytest.raises(ValidationFailed) as exc:
        search(user=world["clerk"], q="", filters=SearchFilters(date_from=date(2026, 5, 2), date_to=date(2026, 5, 1)))
    assert exc.value.errors[0].field == "date_to"
    with pytest.raises(ValidationFailed) as exc:
        search(user=world["clerk"], q="", filters=SearchFilters(), cursor="!!!")
    assert exc.value.errors[0].field == "cursor"


def test_fts_operators_in_the_query_are_plain_words(world, docs):
    assert _found(world["specialist"], 'quyet" OR "NEAR(') == []
    assert _found(world["specialist"], "***") != []  # no words: every visible document


def test_pages_follow_the_keyset(world, docs):
    first = search(user=world["clerk"], q="", filters=SearchFilters(), limit=3)
    second = search(user=world["clerk"], q="", filters=SearchFilters(), cursor=first.next_cursor, limit=3)
    assert len(first.rows) == 3 and len(second.rows) == 1 and second.next_cursor is None
    assert {e.pk for e in first.rows}.isdisjoint({e.pk for e in second.rows})


def test_a_status_change_is_reindexed_after_commit(world, docs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(by=world["specialist"], document=docs["decision"])
    assert _found(world["specialist"], "quyet dinh", status=OutgoingStatus.UNDER_REVIEW) == [
        (OUTGOING, docs["decision"].pk)
    ]


def test_nothing_is_indexed_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        draft(world, subject="")
    assert SearchEntry.objects.count() == 0


def test_the_reindex_command_rebuilds_the_index(world, docs):
    SearchEntry.objects.all().delete()
    assert _found(world["specialist"], "quyet dinh") == []

    call_command("reindex_documents", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _found(world["specialist"], "quyet dinh") == [(OUTGOING, docs["decision"].pk)]
    assert SearchEntry.objects.count() == 4


def test_query_count_is_fixed(world, docs, django_assert_max_num_queries):
    user = world["specialist"]
    search(user=user, q="quyet", filters=SearchFilters())  # grants read once per user object
    with django_assert_max_num_queries(1):
        page = search(user=user, q="quyet dinh", filters=SearchFilters(type="quyet-dinh", issuer="so tu phap"))
        assert [e.document_id for e in page.rows] == [docs["decision"].pk]
