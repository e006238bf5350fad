"""The four notifications render to exact Vietnamese texts; SMS versions fit one message."""

from __future__ import annotations

import pytest

from egov.notifications.rendering import KINDS, render
from egov.notifications.sms import is_gsm7, sms_parts, to_sms_text
from egov.notifications.tests.conftest import CONTEXTS

SIGNATURE = """Trân trọng,
Bộ phận Một cửa Sở Tư pháp

--
Thư được gửi tự động từ Hệ thống thông tin giải quyết TTHC tỉnh Sơn Nam. Vui lòng không trả lời thư này."""


@pytest.fixture(autouse=True)
def _platform_name(settings):
    settings.EGOV_PLATFORM_NAME = "Hệ thống thông tin giải quyết TTHC tỉnh Sơn Nam"


def test_received():
    rendered = render("dossier.received", CONTEXTS["dossier.received"])

    assert rendered.subject == "Hồ sơ 000.00.01.H98-260320-0007 đã được tiếp nhận"
    assert rendered.body == (
        "Kính gửi Ông/Bà Nguyễn Văn An,\n"
        "\n"
        "Bộ phận Một cửa Sở Tư pháp đã tiếp nhận hồ sơ của Ông/Bà.\n"
        "\n"
        "Mã hồ sơ: 000.00.01.H98-260320-0007\n"
        "Thủ tục: Cấp Phiếu lý lịch tư pháp\n"
        "Thời gian tiếp nhận: 08:15 ngày 20/03/2026\n"
        "Thời gian hẹn trả kết quả: 16:00 ngày 30/03/2026\n"
        "\n"
        "Ông/Bà tra cứu tình trạng giải quyết hồ sơ tại https://dichvucong.sonnam.gov.vn/tra-cuu bằng mã hồ sơ trên.\n"
        "\n" + SIGNATURE
    )
    assert rendered.sms == (
        "Hồ sơ 000.00.01.H98-260320-0007 đã được tiếp nhận. Hẹn trả kết quả: 16:00 ngày 30/03/2026. "
        "Tra cứu: https://dichvucong.sonnam.gov.vn/tra-cuu"
    )


def test_supplement_requested_lists_every_item_the_reason_the_deadline_and_the_officer():
    rendered = render("dossier.supplement_requested", CONTEXTS["dossier.supplement_requested"])

    assert rendered.subject == "Hồ sơ 000.00.01.H98-260320-0007 cần bổ sung, hoàn thiện"
    assert rendered.body == (
        "Kính gửi Ông/Bà Nguyễn Văn An,\n"
        "\n"
        "Hồ sơ 000.00.01.H98-260320-0007 (Cấp Phiếu lý lịch tư pháp) của Ông/Bà chưa đầy đủ. "
        "Bộ phận Một cửa Sở Tư pháp đề nghị Ông/Bà bổ sung, hoàn thiện các nội dung sau:\n"
        "\n"
        "  1. Bản sao Căn cước công dân\n"
        "  2. Tờ khai có chữ ký của người yêu cầu\n"
        "\n"
        "Lý do: Tờ khai chưa có chữ ký.\n"
        "\n"
        "Hạn nộp bổ sung: 27/03/2026.\n"
        "\n"
        "Ông/Bà nộp bổ sung trực tuyến hoặc tại Bộ phận Một cửa Sở Tư pháp. "
        "Chi tiết hồ sơ: https://dichvucong.sonnam.gov.vn/tra-cuu\n"
        "Cán bộ hướng dẫn: Trần Thị Bình, điện thoại 0236 3822 111.\n"
        "\n" + SIGNATURE
    )
    assert rendered.sms == (
        "Hồ sơ 000.00.01.H98-260320-0007 cần bổ sung 2 nội dung trước 27/03/2026. "
        "Chi tiết: https://dichvucong.sonnam.gov.vn/tra-cuu"
    )


def test_supplement_requested_without_the_optional_reason_and_officer_leaves_no_gap():
    context = {k: v for k, v in CONTEXTS["dossier.supplement_requested"].items() if k not in ("reason", "officer_name")}

    body = render("dossier.supplement_requested", context).body

    assert "Lý do" not in body and "Cán bộ hướng dẫn" not in body
    assert (
        "  2. Tờ khai có chữ ký của người yêu cầu\n\nHạn nộp bổ sung: 27/03/2026.\n\nÔng/Bà nộp bổ sung trực tuyến"
        " hoặc tại Bộ phận Một cửa Sở Tư pháp. Chi tiết hồ sơ: https://dichvucong.sonnam.gov.vn/tra-cuu\n\nTrân trọng,"
    ) in body


def test_supplement_requested_can_carry_a_note_under_the_deadline():
    context = {
        **CONTEXTS["dossier.supplement_requested"],
        "note": "Thời hạn giải quyết được tính lại từ đầu khi cơ quan nhận đủ hồ sơ bổ sung.",
    }

    body = render("dossier.supplement_requested", context).body

    assert (
        "Hạn nộp bổ sung: 27/03/2026.\n"
        "Thời hạn giải quyết được tính lại từ đầu khi cơ quan nhận đủ hồ sơ bổ sung.\n"
        "\n"
        "Ông/Bà nộp bổ sung trực tuyến"
    ) in body


def test_result_ready_says_how_to_receive_it():
    rendered = render("dossier.result_ready", CONTEXTS["dossier.result_ready"])

    assert rendered.subject == "Hồ sơ 000.00.01.H98-260320-0007 đã có kết quả"
    assert rendered.body == (
        "Kính gửi Ông/Bà Nguyễn Văn An,\n"
        "\n"
        "Hồ sơ 000.00.01.H98-260320-0007 (Cấp Phiếu lý lịch tư pháp) của Ông/Bà "
        "đã được giải quyết xong và có kết quả.\n"
        "\n"
        "Cách nhận kết quả: Nhận trực tiếp tại Bộ phận Một cửa Sở Tư pháp, số 12 Lê Lợi, trong giờ hành chính.\n"
        "\n"
        "Ông/Bà xem chi tiết hồ sơ tại https://dichvucong.sonnam.gov.vn/tra-cuu.\n"
        "\n" + SIGNATURE
    )
    assert rendered.sms == (
        "Hồ sơ 000.00.01.H98-260320-0007 đã có kết quả. Chi tiết: https://dichvucong.sonnam.gov.vn/tra-cuu"
    )
    short = render(
        "dossier.result_ready", {**CONTEXTS["dossier.result_ready"], "how_to_receive_short": "Nhận qua bưu điện"}
    )
    assert short.sms == (
        "Hồ sơ 000.00.01.H98-260320-0007 đã có kết quả. Nhận qua bưu điện. "
        "Chi tiết: https://dichvucong.sonnam.gov.vn/tra-cuu"
    )


def test_apology_gives_the_reason_and_the_new_date():
    rendered = render("dossier.apology", CONTEXTS["dossier.apology"])

    assert rendered.subject == "Xin lỗi và hẹn lại thời gian trả kết quả hồ sơ 000.00.01.H98-260320-0007"
    assert rendered.body == (
        "Kính gửi Ông/Bà Nguyễn Văn An,\n"
        "\n"
        "Vào 08:15 ngày 20/03/2026, Bộ phận Một cửa Sở Tư pháp đã tiếp nhận hồ sơ 000.00.01.H98-260320-0007 "
        "(Cấp Phiếu lý lịch tư pháp) của Ông/Bà, hẹn trả kết quả vào 16:00 ngày 30/03/2026.\n"
        "\n"
        "Tuy nhiên, đến nay hồ sơ của Ông/Bà chưa được giải quyết đúng hạn.\n"
        "Lý do: Cần xác minh thông tin với Công an tỉnh.\n"
        "\n"
        "Sự chậm trễ này đã gây phiền hà cho Ông/Bà. Bộ phận Một cửa Sở Tư pháp thành thật xin lỗi Ông/Bà "
        "và hẹn trả kết quả vào 16:00 ngày 03/04/2026.\n"
        "\n"
        "Ông/Bà xem chi tiết hồ sơ tại https://dichvucong.sonnam.gov.vn/tra-cuu.\n"
        "\n" + SIGNATURE
    )
    assert rendered.sms == (
        "Xin lỗi Ông/Bà: hồ sơ 000.00.01.H98-260320-0007 trễ hẹn. Hẹn trả kết quả mới: 16:00 ngày 03/04/2026. "
        "Chi tiết: https://dichvucong.sonnam.gov.vn/tra-cuu"
    )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_sms_fits_one_gsm_message_once_diacritics_are_stripped(kind):
    text = to_sms_text(render(kind, CONTEXTS[kind]).sms)

    assert is_gsm7(text)
    assert len(text) <= 160
    assert sms_parts(text) == 1


def test_datetimes_are_shown_in_vietnam_time_whatever_zone_they_come_in():
    from datetime import UTC, datetime

    context = {**CONTEXTS["dossier.received"], "due_at": datetime(2026, 3, 30, 9, 0, tzinfo=UTC)}

    assert "Thời gian hẹn trả kết quả: 16:00 ngày 30/03/2026" in render("dossier.received", context).body


def test_values_are_not_html_escaped_in_plain_text():
    context = {**CONTEXTS["dossier.result_ready"], "how_to_receive": "Nhận tại Sở Tư pháp & Bưu điện <tỉnh>"}

    assert "Cách nhận kết quả: Nhận tại Sở Tư pháp & Bưu điện <tỉnh>" in render("dossier.result_ready", context).body


def test_a_missing_required_key_is_a_programming_error():
    context = {k: v for k, v in CONTEXTS["dossier.apology"].items() if k not in ("reason", "new_due_at")}

    with pytest.raises(ValueError, match="needs context keys: new_due_at, reason$"):
        render("dossier.apology", context)


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown notification kind 'dossier.lost'"):
        render("dossier.lost", CONTEXTS["dossier.received"])


def test_supplement_requested_without_a_deadline_says_nothing_about_one():
    from egov.notifications.rendering import render
    from egov.notifications.tests.conftest import CONTEXTS

    context = {k: v for k, v in CONTEXTS["dossier.supplement_requested"].items() if k != "deadline"}
    rendered = render("dossier.supplement_requested", context)
    assert "Hạn nộp bổ sung" not in rendered.body
    assert " trước " not in rendered.sms


def test_the_verification_code_is_in_every_text_of_its_message():
    rendered = render("account.verification_code", CONTEXTS["account.verification_code"])

    assert rendered.subject.startswith("048213 là mã xác minh tài khoản ")
    assert "Mã xác minh tài khoản của Ông/Bà là: 048213" in rendered.body
    assert "Mã có hiệu lực trong 15 phút." in rendered.body
    assert rendered.sms == (
        "Mã xác minh tài khoản dịch vụ công: 048213 (hiệu lực 15 phút). Không cung cấp mã này cho bất kỳ ai."
    )
