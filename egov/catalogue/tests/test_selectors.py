"""Search (diacritics, case, ranking, filters) and the legal time per channel."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egov.calendar.engine import Unit
from egov.catalogue import selectors, services
from egov.catalogue.models import Procedure
from egov.catalogue.specs import DurationSpec
from egov.catalogue.tests import factories
from egov.core.errors import NotFound

BIRTH, MARRIAGE, BUSINESS, RECORD = (
    factories.BIRTH,
    factories.MARRIAGE,
    factories.HOUSEHOLD_BUSINESS,
    factories.CRIMINAL_RECORD,
)


def codes(qs) -> list[str]:
    return [p.code for p in qs]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dang ky khai sinh", [BIRTH]),
        ("Đăng ký khai sinh", [BIRTH]),
        ("ĐĂNG KÝ KHAI SINH", [BIRTH]),
        ("  đăng   ký  ", [MARRIAGE, BIRTH, BUSINESS]),  # name prefix, by code
        ("khai sinh dang ky", [BIRTH]),  # every word, any order
        ("ket hon", [MARRIAGE]),
        ("kết hôn", [MARRIAGE]),
        ("ly lich tu phap", [RECORD]),
        ("lý lịch", [RECORD]),
        ("d", [MARRIAGE, BIRTH, BUSINESS, RECORD]),  # "d" finds "đ": names starting "Đăng" first
        ("đ", [MARRIAGE, BIRTH, BUSINESS, RECORD]),
        ("1.001193", [BIRTH]),  # the national number
        ("1.001193.000.00.00.H98", [BIRTH]),
        ("1.001193.000.00.00.h98", [BIRTH]),
        ("thu tuc khong co", []),
        ("100%", []),  # LIKE wildcards are literal
        ("", [MARRIAGE, BIRTH, RECORD, BUSINESS]),  # no query: by code
        (None, [MARRIAGE, BIRTH, RECORD, BUSINESS]),
    ],
)
def test_search_ignores_case_and_diacritics(procedures, q, expected):
    assert codes(selectors.search(q)) == expected


def test_search_ranks_the_code_first_then_a_name_prefix_then_the_phrase_then_scattered_words(procedures, fields):
    for code, name in [
        ("2.000635.000.00.00.H98", "Cấp bản sao trích lục khai sinh"),
        ("2.000986.000.00.00.H98", "Khai sinh cho trẻ em bị bỏ rơi"),
        ("1.000001.000.00.00.H98", "Khai báo tạm trú để đăng ký sinh hoạt"),
    ]:
        services.create_procedure(by=None, spec=factories.birth(code=code, name=name))

    ranked = [(p.code, p.rank) for p in selectors.search("khai sinh")]

    # Better matches first whatever their codes; equal matches by code.
    assert ranked == [
        ("2.000986.000.00.00.H98", selectors.RANK_PREFIX),
        (BIRTH, selectors.RANK_PHRASE),
        ("2.000635.000.00.00.H98", selectors.RANK_PHRASE),
        ("1.000001.000.00.00.H98", selectors.RANK_WORDS),
    ]
    assert [(p.code, p.rank) for p in selectors.search(BIRTH)] == [(BIRTH, selectors.RANK_CODE)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"field": "G09-HT01"}, [MARRIAGE, BIRTH]),
        ({"field": "G13-DK01"}, [BUSINESS]),
        ({"level": "commune"}, [MARRIAGE, BIRTH, BUSINESS]),
        ({"level": "department"}, [RECORD]),
        ({"level": "province"}, []),
        ({"online_level": "mot_phan"}, [BUSINESS]),
        ({"agency": "H98.101"}, [RECORD]),
        ({"agency": "000.00.01.H98"}, [RECORD]),  # the legacy code form
        ({"agency": "H98.301", "field": "G09-HT01"}, [MARRIAGE, BIRTH]),
    ],
)
def test_search_filters_by_field_agency_level_and_online_level(procedures, filters, expected):
    assert codes(selectors.search(None, **filters)) == expected


def test_search_takes_field_and_agency_instances_too(procedures, fields, tree):
    assert codes(selectors.search("dang ky", field=fields["G09-HT01"], agency=tree["commune"])) == [MARRIAGE, BIRTH]


def test_stopped_procedures_are_not_found_unless_asked_for(procedures):
    services.set_procedure_active(by=None, procedure=procedures[MARRIAGE], is_active=False)

    assert codes(selectors.search("ket hon")) == []
    assert codes(selectors.search("ket hon", active_only=False)) == [MARRIAGE]


def test_search_is_one_query(procedures, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(selectors.search("dang ky", field="G09-HT01", agency="H98.301", level="commune"))
    assert [r.field.code for r in rows] == ["G09-HT01", "G09-HT01"]  # the field comes with the row


# --- duration_for ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (1, (Decimal("10.00"), Unit.WORKING_DAYS)),
        (2, (Decimal("0.50"), Unit.WORKING_DAYS)),
        (3, (Decimal("15.00"), Unit.CALENDAR_DAYS)),
    ],
)
def test_duration_for_gives_the_time_of_the_channel(procedures, channel, expected):
    assert selectors.duration_for(procedures[RECORD], channel) == expected


def test_duration_for_a_channel_without_its_own_time_falls_back_to_the_in_person_time(procedures):
    # Đăng ký kết hôn publishes only the in-person time.
    assert selectors.duration_for(procedures[MARRIAGE], 2) == (Decimal("3.00"), Unit.WORKING_DAYS)


def test_duration_for_a_procedure_without_any_time_raises_not_found(procedures):
    procedure = services.update_procedure(
        by=None,
        procedure=procedures[BUSINESS],
        spec=factories.household_business(
            durations=(DurationSpec(channel=2, amount=Decimal("8"), unit="working_hours"),)
        ),
    )

    assert selectors.duration_for(procedure, 2) == (Decimal("8.00"), Unit.WORKING_HOURS)
    with pytest.raises(NotFound) as caught:
        selectors.duration_for(procedure, 3)
    assert caught.value.message == (
        "Thủ tục 2.000720.000.00.00.H98 chưa có thời hạn giải quyết cho kênh bưu chính công ích."
    )


def test_duration_for_uses_prefetched_durations_without_a_query(procedures, django_assert_num_queries):
    procedure = Procedure.objects.prefetch_related("durations").get(code=RECORD)

    with django_assert_num_queries(0):
        assert selectors.duration_for(procedure, 2) == (Decimal("0.50"), Unit.WORKING_DAYS)
