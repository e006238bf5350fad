"""Vietnamese dates, times and money (NĐ 30/2020 Phụ lục I: leading zero for days < 10 and months 1–2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from egov.forms.rendering import compile_body
from egov.forms.templatetags.vn import (
    vn_date,
    vn_datetime,
    vn_money,
    vn_number,
    vn_short_date,
    vn_short_datetime,
    vn_time,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 3, 15), "ngày 15 tháng 3 năm 2026"),
        (date(2026, 3, 5), "ngày 05 tháng 3 năm 2026"),
        (date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
        (date(2026, 2, 1), "ngày 01 tháng 02 năm 2026"),
        (date(2026, 10, 9), "ngày 09 tháng 10 năm 2026"),
        (date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
        (None, ""),
        ("", ""),
    ],
)
def test_vn_date_writes_the_administrative_date(value, expected):
    assert vn_date(value) == expected


def test_given_an_aware_utc_datetime_then_the_date_and_time_are_those_of_ho_chi_minh_city():
    late_utc = datetime(2026, 3, 14, 17, 30, tzinfo=UTC)  # 00:30 on the 15th in Việt Nam

    assert vn_date(late_utc) == "ngày 15 tháng 3 năm 2026"
    assert vn_time(late_utc) == "00 giờ 30 phút"
    assert vn_datetime(late_utc) == "00 giờ 30 phút, ngày 15 tháng 3 năm 2026"


def test_given_a_naive_datetime_then_it_is_read_as_local_time():
    assert vn_datetime(datetime(2026, 3, 15, 8, 30)) == "08 giờ 30 phút, ngày 15 tháng 3 năm 2026"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 3, 15, 8, 30, tzinfo=HCM), "08 giờ 30 phút"),
        (datetime(2026, 3, 15, 16, 5, tzinfo=HCM), "16 giờ 05 phút"),
        (time(7, 0), "07 giờ 00 phút"),
        (None, ""),
    ],
)
def test_vn_time(value, expected):
    assert vn_time(value) == expected


def test_vn_datetime_of_a_date_alone_is_the_date():
    assert vn_datetime(date(2026, 4, 6)) == "ngày 06 tháng 4 năm 2026"
    assert vn_datetime(None) == ""


def test_short_forms_for_table_cells():
    moment = datetime(2026, 1, 5, 7, 45, tzinfo=HCM)
    assert vn_short_date(moment) == "05/01/2026"
    assert vn_short_datetime(moment) == "07:45 05/01/2026"
    assert vn_short_datetime(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1500000, "1.500.000 đồng"),
        (Decimal("1234.5"), "1.235 đồng"),  # whole đồng, half up
        (0, "0 đồng"),
        (999, "999 đồng"),
        (-25000, "-25.000 đồng"),
        ("300000", "300.000 đồng"),
        (None, ""),
    ],
)
def test_vn_money(value, expected):
    assert vn_money(value) == expected


def test_vn_money_without_unit_and_vn_number_with_decimals():
    assert vn_money(2000000, "") == "2.000.000"
    assert vn_number(Decimal("1234567.50")) == "1.234.567,5"
    assert vn_number(12) == "12"


def test_the_filters_are_built_into_the_form_template_engine():
    from django.template import Context

    body = '{{ d|vn_date }} | {{ t|vn_datetime }} | {{ m|vn_money }} | {{ m|vn_money:"" }}'
    out = compile_body(body).render(
        Context({"d": date(2026, 3, 15), "t": datetime(2026, 3, 16, 8, 30, tzinfo=HCM), "m": 1500000})
    )

    assert out == "ngày 15 tháng 3 năm 2026 | 08 giờ 30 phút, ngày 16 tháng 3 năm 2026 | 1.500.000 đồng | 1.500.000"
