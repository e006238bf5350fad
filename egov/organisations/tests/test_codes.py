"""Agency identifier codes: QCVN 102:2016 (legacy, level 1 on the right) and QĐ 20/2020/QĐ-TTg
(new, level 1 on the left), by example and by property."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from egov.organisations import codes
from egov.organisations.codes import CodeForm, InvalidAgencyCode
from egov.organisations.tests.helpers import legacy_message, new_message

ALPHABET = string.digits + string.ascii_uppercase + "."


# --- examples -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "form"),
    [
        ("000.00.00.H41", CodeForm.LEGACY),  # a province, QCVN 102:2016
        ("000.00.04.G14", CodeForm.LEGACY),  # a central body
        ("H55.242", CodeForm.NEW),  # QĐ 20/2020, level 1 on the left
        ("Z01.ABC.12", CodeForm.NEW),  # another organisation, letters in a lower level
        ("H55", CodeForm.NEW),  # level 1 alone
        ("H55." + "1" * 31, CodeForm.NEW),  # exactly 35 characters
        ("A00.00.00.H41", CodeForm.NEW),  # 13 characters, but level 1 (A00) is on the left
    ],
)
def test_given_a_valid_code_when_classified_then_its_form_is_named(code, form):
    assert codes.classify(code) is form
    assert codes.validate_code(code) == code


@pytest.mark.parametrize("code", ["000.00.00.H41", "000.00.04.G14", "999.99.99.Z99"])
def test_given_a_legacy_code_then_only_the_legacy_validator_accepts_it(code):
    assert codes.validate_legacy_code(code) == code
    with pytest.raises(InvalidAgencyCode) as caught:
        codes.validate_new_code(code)
    assert str(caught.value) == new_message(code)


@pytest.mark.parametrize("code", ["H55.242", "Z01.ABC.12", "G14"])
def test_given_a_new_code_then_only_the_new_validator_accepts_it(code):
    assert codes.validate_new_code(code) == code
    with pytest.raises(InvalidAgencyCode) as caught:
        codes.validate_legacy_code(code)
    assert str(caught.value) == legacy_message(code)


@pytest.mark.parametrize(
    "code",
    [
        "h55.242",  # lowercase
        "000.00.00.h41",  # lowercase legacy
        "H55." + "1" * 32,  # 36 characters
        "H55..242",  # double dot
        "H55.242.",  # trailing dot
        ".H55.242",  # leading dot
        "H5.242",  # level 1 too short
        "H555.242",  # level 1 too long
        "55H.242",  # level 1 letter in the wrong place
        "00A.00.00.H41",  # legacy with a letter in a digit group
        "000.00.00.41H",  # legacy with the letter at the end
        "000.0A.00.H41",
        "0000.00.00.H41",  # legacy, 14 characters
        "000.00.00.H4",  # legacy, 12 characters
        "000-00-00-H41",  # wrong separators
        "H55 242",  # space
        "H55.242\n",  # trailing newline
        "Đ55.242",  # a Vietnamese letter
        "٠٠٠.٠٠.٠٠.H٤١",  # Arabic-Indic digits in the legacy form
        "H٥٥.242",  # Arabic-Indic digits in level 1
        "H55.２４２",  # full-width digits
        "",
    ],
)
def test_given_an_invalid_code_when_classified_then_it_is_refused_with_a_vietnamese_message(code):
    with pytest.raises(InvalidAgencyCode) as caught:
        codes.classify(code)
    assert str(caught.value) == new_message(code)
    with pytest.raises(InvalidAgencyCode):
        codes.validate_code(code)
    with pytest.raises(InvalidAgencyCode):
        codes.validate_legacy_code(code)


@pytest.mark.parametrize("value", [None, 41, b"000.00.00.H41"])
def test_given_a_value_that_is_not_text_then_every_validator_refuses_it(value):
    for validate in (codes.classify, codes.validate_code, codes.validate_legacy_code, codes.validate_new_code):
        with pytest.raises(InvalidAgencyCode):
            validate(value)


# --- properties ---------------------------------------------------------------------------------

DIGIT = st.sampled_from(string.digits)
UPPER = st.sampled_from(string.ascii_uppercase)


def _digits(n: int):
    return st.text(alphabet=string.digits, min_size=n, max_size=n)


legacy_codes = st.builds(
    lambda a, b, c, letter, d: f"{a}.{b}.{c}.{letter}{d}", _digits(3), _digits(2), _digits(2), UPPER, _digits(2)
)

# Level 1 (a letter and two digits), then up to 8 groups of 1-3 characters: at most 3 + 8 * 4 = 35.
new_codes = st.builds(
    lambda letter, digits, groups: ".".join([f"{letter}{digits}", *groups]),
    UPPER,
    _digits(2),
    st.lists(st.text(alphabet=string.digits + string.ascii_uppercase, min_size=1, max_size=3), max_size=8),
)

# Characters outside [0-9A-Z.]: other digits (Unicode Nd), lowercase, Vietnamese letters, anything.
outside_alphabet = st.one_of(
    st.characters(categories=["Nd"]).filter(lambda c: c not in string.digits),
    st.sampled_from(string.ascii_lowercase + "ĐđƯưƠơÂâĂăÊêÔô -_/,"),
    st.characters().filter(lambda c: c not in ALPHABET),
)


@given(legacy_codes)
@example("000.00.00.H41")
def test_property_every_generated_legacy_code_validates_as_legacy(code):
    assert len(code) == 13
    assert codes.classify(code) is CodeForm.LEGACY
    assert codes.validate_legacy_code(code) == code
    assert codes.validate_code(code) == code


@given(new_codes)
@example("H55.242")
def test_property_every_generated_new_code_validates_as_new(code):
    assert len(code) <= 35
    assert codes.classify(code) is CodeForm.NEW
    assert codes.validate_new_code(code) == code
    with pytest.raises(InvalidAgencyCode):
        codes.validate_legacy_code(code)


@given(st.one_of(legacy_codes, new_codes), st.integers(min_value=0), outside_alphabet)
@example("000.00.00.H41", 12, "١")
@example("H55.242", 1, "٥")
def test_property_a_valid_code_with_one_character_outside_the_alphabet_is_refused(code, position, char):
    position %= len(code)
    spoiled = code[:position] + char + code[position + 1 :]
    with pytest.raises(InvalidAgencyCode):
        codes.classify(spoiled)


@given(st.text(min_size=1).filter(lambda s: any(c not in ALPHABET for c in s)))
def test_property_random_text_with_any_character_outside_the_alphabet_is_refused(text):
    with pytest.raises(InvalidAgencyCode):
        codes.classify(text)


@given(new_codes, st.text(alphabet=string.digits + string.ascii_uppercase, min_size=1, max_size=40))
def test_property_a_new_code_longer_than_35_characters_is_refused(code, tail):
    longer = f"{code}.{tail}"
    if len(longer) <= 35:
        longer = longer + "." + "9" * max(1, 35 - len(longer))  # over 35 characters, still well-formed
    assert len(longer) > 35
    with pytest.raises(InvalidAgencyCode):
        codes.validate_new_code(longer)
