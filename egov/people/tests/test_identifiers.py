"""Personal identification numbers (CCCD 12 digits, CMND 9 digits) and tax codes (10 or 13 digits)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.people.identifiers import InvalidIdentifier, normalise_identity_number, normalise_tax_code

ID_LENGTH_MESSAGE = "Số định danh cá nhân phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ)."
ID_PROVINCE_MESSAGE = "Số định danh cá nhân không hợp lệ: 3 chữ số đầu phải là mã tỉnh từ 001 đến 096."
TAX_MESSAGE = "Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số (dạng 0101234567-001)."

ASCII_DIGITS = "0123456789"
WHITESPACE = ["", " ", "  ", "\t", "\n", "\u00a0"]


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=ASCII_DIGITS, min_size=n, max_size=n)


def sprinkled(value: str) -> st.SearchStrategy[str]:
    """``value`` with whitespace before, between and after its characters."""
    return st.lists(st.sampled_from(WHITESPACE), min_size=len(value) + 1, max_size=len(value) + 1).map(
        lambda gaps: "".join(gap + char for gap, char in zip(gaps, value, strict=False)) + gaps[-1]
    )


# --- identity numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("001099012345", "001099012345"),  # CCCD, Hà Nội (001)
        ("096099012345", "096099012345"),  # CCCD, Cà Mau (096), the last province code
        ("079 099 012 345", "079099012345"),  # spaces as printed on the card
        ("  001099012345\n", "001099012345"),
        ("123456789", "123456789"),  # old CMND: 9 digits, no province prefix rule
        ("012 345 678", "012345678"),
        ("000000000", "000000000"),
    ],
)
def test_identity_number_is_normalised(raw, expected):
    # given a number as typed; when normalised; then only its digits remain
    assert normalise_identity_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", ID_LENGTH_MESSAGE),
        (None, ID_LENGTH_MESSAGE),
        ("00109901234", ID_LENGTH_MESSAGE),  # 11 digits
        ("0010990123456", ID_LENGTH_MESSAGE),  # 13 digits
        ("12345678", ID_LENGTH_MESSAGE),  # 8 digits
        ("00109901234A", ID_LENGTH_MESSAGE),
        ("001-099-012345", ID_LENGTH_MESSAGE),  # dashes are not spaces
        ("١٢٣٤٥٦٧٨٩", ID_LENGTH_MESSAGE),  # Arabic-Indic digits
        ("００１０９９０１２３４５", ID_LENGTH_MESSAGE),  # full-width digits
        ("000099012345", ID_PROVINCE_MESSAGE),
        ("097099012345", ID_PROVINCE_MESSAGE),
        ("999099012345", ID_PROVINCE_MESSAGE),
    ],
)
def test_identity_number_is_refused_with_a_vietnamese_message(raw, message):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_identity_number(raw)
    assert str(excinfo.value) == message


@given(province=st.integers(min_value=1, max_value=96), rest=digits(9), data=st.data())
def test_any_cccd_with_a_province_prefix_is_accepted_whatever_the_spacing(province, rest, data):
    number = f"{province:03d}{rest}"
    typed = data.draw(sprinkled(number))
    assert normalise_identity_number(typed) == number


@given(number=digits(9), data=st.data())
def test_any_nine_digit_cmnd_is_accepted_whatever_the_spacing(number, data):
    assert normalise_identity_number(data.draw(sprinkled(number))) == number


@given(province=st.sampled_from([0, *range(97, 1000)]), rest=digits(9))
def test_a_cccd_outside_provinces_001_to_096_is_refused(province, rest):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_identity_number(f"{province:03d}{rest}")
    assert str(excinfo.value) == ID_PROVINCE_MESSAGE


@given(number=st.text(alphabet=ASCII_DIGITS, max_size=20).filter(lambda s: len(s) not in (9, 12)))
def test_digit_strings_of_other_lengths_are_refused(number):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_identity_number(number)
    assert str(excinfo.value) == ID_LENGTH_MESSAGE


@given(value=st.text(max_size=20))
def test_identity_number_output_is_always_9_or_12_ascii_digits(value):
    try:
        result = normalise_identity_number(value)
    except InvalidIdentifier:
        return
    assert re.fullmatch(r"[0-9]{9}|[0-9]{12}", result)
    assert result == re.sub(r"\s", "", value)


# --- tax codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0101234567", "0101234567"),
        ("0101234567-001", "0101234567-001"),
        ("0101234567001", "0101234567-001"),  # 13 digits without the dash
        (" 0101 234 567 - 001 ", "0101234567-001"),
        ("0101-234-567", "0101234567"),
    ],
)
def test_tax_code_is_normalised(raw, expected):
    assert normalise_tax_code(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "010123456",  # 9 digits
        "01012345678",  # 11 digits
        "0101234567-01",  # 12 digits
        "0101234567-0011",  # 14 digits
        "010123456X",
        "０１０１２３４５６７",  # full-width digits
    ],
)
def test_tax_code_is_refused_with_a_vietnamese_message(raw):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalise_tax_code(raw)
    assert str(excinfo.value) == TAX_MESSAGE


@given(number=digits(10), data=st.data())
def test_ten_digit_tax_code_keeps_its_digits(number, data):
    assert normalise_tax_code(data.draw(sprinkled(number))) == number


@given(number=digits(13), dash=st.booleans())
def test_thirteen_digit_tax_code_is_written_with_a_dash_after_ten_digits(number, dash):
    typed = f"{number[:10]}-{number[10:]}" if dash else number
    assert normalise_tax_code(typed) == f"{number[:10]}-{number[10:]}"


@given(value=st.text(alphabet=ASCII_DIGITS + " -", max_size=20))
def test_tax_code_normalisation_is_idempotent_and_well_formed(value):
    try:
        result = normalise_tax_code(value)
    except InvalidIdentifier:
        return
    assert re.fullmatch(r"[0-9]{10}(-[0-9]{3})?", result)
    assert normalise_tax_code(result) == result
    assert result.replace("-", "") == re.sub(r"[\s-]", "", value)


@given(value=st.text(max_size=20))
def test_tax_code_output_is_only_ascii_digits_and_a_dash(value):
    try:
        result = normalise_tax_code(value)
    except InvalidIdentifier:
        return
    assert re.fullmatch(r"[0-9]{10}(-[0-9]{3})?", result)
