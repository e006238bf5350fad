"""Recipients: Vietnamese mobile numbers become +84…, e-mail addresses are checked; bad input is named."""

from __future__ import annotations

import pytest

from egov.notifications.recipients import InvalidRecipient, normalise_email, normalise_phone


@pytest.mark.parametrize(
    "raw",
    ["0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "+84912345678", "+84 912 345 678",
     "(+84) 912345678", "84912345678", "0084912345678", "+84 0912 345 678", " 0912345678 "],
)  # fmt: skip
def test_given_a_mobile_number_in_any_usual_spelling_then_it_becomes_plus_84(raw):
    assert normalise_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["0321234567", "0561234567", "0701234567", "0861234567", "0991234567"])
def test_given_each_mobile_prefix_then_the_number_is_accepted(raw):
    assert normalise_phone(raw) == "+84" + raw[1:]


@pytest.mark.parametrize(
    "raw",
    [
        "02363822111",  # a landline: cannot receive SMS
        "091234567",  # one digit short
        "09123456789",  # one digit too many
        "0112345678",  # no such prefix
        "+85512345678",  # Cambodia
        "912345678",  # no leading 0 or country code
        "09123abc78",
    ],
)
def test_given_something_that_is_not_a_vietnamese_mobile_then_it_is_refused_in_vietnamese(raw):
    with pytest.raises(InvalidRecipient) as exc:
        normalise_phone(raw)

    assert str(exc.value) == (
        f"Số điện thoại '{raw}' không phải số di động Việt Nam hợp lệ (ví dụ: 0912 345 678 hoặc +84 912 345 678)."
    )


def test_given_an_empty_number_then_it_is_refused():
    with pytest.raises(InvalidRecipient, match="^Số điện thoại không được để trống.$"):
        normalise_phone("  ")


def test_given_an_email_address_then_it_is_trimmed_and_its_domain_lowercased():
    assert normalise_email("  Nguyen.An@Example.VN ") == "Nguyen.An@example.vn"


@pytest.mark.parametrize("raw", ["nguyenan", "an@", "@example.vn", "an nguyen@example.vn", "an@example..vn"])
def test_given_a_malformed_email_address_then_it_is_refused_in_vietnamese(raw):
    with pytest.raises(InvalidRecipient) as exc:
        normalise_email(raw)

    assert str(exc.value) == f"Địa chỉ thư điện tử '{raw}' không hợp lệ."


def test_given_an_empty_email_address_then_it_is_refused():
    with pytest.raises(InvalidRecipient, match="^Địa chỉ thư điện tử không được để trống.$"):
        normalise_email("")
