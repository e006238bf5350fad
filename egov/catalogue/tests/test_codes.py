"""Procedure codes (national number + agency) and field codes (TT 01/2018 Đ20), and text folding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.catalogue import codes
from egov.catalogue.text import clean_text, fold


@pytest.mark.parametrize("code", ["1.001193.000.00.00.H99", "2.000488.000.00.00.H38", "1.011442.000.00.04.G14"])
def test_given_a_national_number_and_an_agency_code_then_the_procedure_code_is_valid(code):
    assert codes.validate_procedure_code(code) == code


@pytest.mark.parametrize(
    "code",
    [
        "1.001193",  # no agency part
        "1.001193.H99",  # agency in the QĐ 20/2020 form
        "1.00119.000.00.00.H99",  # five digits
        "1.001193.000.00.00.h99",  # lower case
        " 1.001193.000.00.00.H99",
        "1.001193.000.00.00.H99.",
        "١.001193.000.00.00.H99",  # an Arabic-Indic digit
        "",
    ],
)
def test_given_a_malformed_procedure_code_then_the_error_shows_the_expected_form(code):
    with pytest.raises(codes.InvalidCode) as caught:
        codes.validate_procedure_code(code)
    assert str(caught.value) == (
        f"Mã thủ tục '{code}' không đúng dạng: số thủ tục quốc gia và mã cơ quan công bố, ví dụ 1.001193.000.00.00.H99."
    )


@given(
    first=st.integers(0, 9),
    number=st.integers(0, 999_999),
    groups=st.tuples(st.integers(0, 999), st.integers(0, 99), st.integers(0, 99)),
    letter=st.sampled_from("GHZ"),
    tail=st.integers(0, 99),
)
def test_every_code_of_the_documented_shape_is_valid_and_splits_back(first, number, groups, letter, tail):
    national = f"{first}.{number:06d}"
    agency = f"{groups[0]:03d}.{groups[1]:02d}.{groups[2]:02d}.{letter}{tail:02d}"
    code = f"{national}.{agency}"

    assert codes.validate_procedure_code(code) == code
    assert (codes.national_number(code), codes.agency_part(code)) == (national, agency)


@pytest.mark.parametrize("code", ["G09-TP01", "G09-HT01", "H99-LV1", "G13-DOANHNGHIEP"])
def test_given_a_field_code_of_the_form_mx1x2_lv_then_it_is_valid(code):
    assert codes.validate_field_code(code) == code


@pytest.mark.parametrize("code", ["G9-TP01", "g09-tp01", "G09TP01", "G09-T", "G09-TP-01", "Hộ tịch"])
def test_given_a_malformed_field_code_then_the_error_names_the_form(code):
    with pytest.raises(codes.InvalidCode) as caught:
        codes.validate_field_code(code)
    assert str(caught.value) == (
        f"Mã lĩnh vực '{code}' không đúng dạng MX1X2-LV (TT 01/2018/TT-VPCP): "
        "mã cơ quan quản lý và mã lĩnh vực, ví dụ G09-TP01."
    )


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ  KẾT   HÔN", "dang ky ket hon"),
        ("Cấp Giấy chứng nhận quyền sử dụng đất", "cap giay chung nhan quyen su dung dat"),
        ("Hộ tịch", "ho tich"),
        ("Chứng thực bản sao", "chung thuc ban sao"),
        ("1.001193.000.00.00.H99", "1.001193.000.00.00.h99"),
        ("", ""),
        (None, ""),
    ],
)
def test_folding_drops_case_diacritics_and_extra_spaces(text, folded):
    assert fold(text) == folded


def test_folding_gives_the_same_text_for_composed_and_decomposed_input():
    import unicodedata

    composed = "Đăng ký thay đổi, cải chính hộ tịch"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed) == "dang ky thay doi, cai chinh ho tich"


def test_clean_text_stores_nfc_trimmed_text_with_unix_newlines():
    import unicodedata

    assert clean_text(unicodedata.normalize("NFD", "  Hộ   tịch ")) == "Hộ tịch"
    assert clean_text("Bước 1\r\nBước 2\r", multiline=True) == "Bước 1\nBước 2"
    assert unicodedata.is_normalized("NFC", clean_text(unicodedata.normalize("NFD", "Hộ tịch")))
