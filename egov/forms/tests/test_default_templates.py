"""The default templates of both sets, as loaded by migration 0002, render to proper PDFs."""

from __future__ import annotations

import pytest

from egov.forms import defaults
from egov.forms.models import FormTemplate
from egov.forms.rendering import render_pdf
from egov.forms.samples import SAMPLE_DOSSIER_CODE, sample_context
from egov.forms.tests.conftest import A4_LANDSCAPE, A5_PORTRAIT, needs_pdftotext, pdf_flat_text, pdf_fonts, pdf_pages

pytestmark = pytest.mark.django_db

TT01 = [
    ("01", "receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    ("02", "supplement", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    ("03", "refusal", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    ("04", "apology", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    ("05", "control_slip", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    ("06", "register", "Sổ theo dõi hồ sơ"),
    # Not a form of TT 01/2018 (it has none for stopping): the notice issued on "stop" under that set.
    ("TB", "stop_notice", "Thông báo về việc dừng giải quyết hồ sơ"),
]
TT03 = [
    ("01", "receipt"),
    ("02", "supplement"),
    ("03", "refusal"),
    ("04", "apology"),
    ("05", "stop_notice"),
    ("06", "control_slip"),
    ("07", "register"),
]
ALL = [("tt01_2018", code, kind) for code, kind, _ in TT01] + [("tt03_2025", code, kind) for code, kind in TT03]

# Values each kind of form must print (from samples.py), as pdftotext reads them back.
KEY_TEXT = {
    "receipt": [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {SAMPLE_DOSSIER_CODE}",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung",
        "Người nộp hồ sơ: Trần Văn Khải",
        "036190012345",
        "Nội dung yêu cầu giải quyết: Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Giấy chứng nhận quyền sử dụng đất",
        "Căn cước công dân của chủ hộ",
        "Số lượng hồ sơ: 1 bộ",
        "15 ngày làm việc",
        "Thời gian nhận hồ sơ: 08 giờ 30 phút, ngày 16 tháng 3 năm 2026",
        "16 giờ 30 phút, ngày 06 tháng 4 năm 2026",
        "Sơn Nam, ngày 16 tháng 3 năm 2026",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "Số thứ tự: 0007",
        "Lê Thu Trang",
    ],
    "supplement": [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        SAMPLE_DOSSIER_CODE,
        "Bản vẽ mặt bằng móng có chữ ký của người chủ trì thiết kế",
        "Lý do: Bản vẽ thiết kế nộp kèm thiếu mặt bằng móng",
        "Lê Thu Trang, số điện thoại 0225 3 812 345",
        "Cổng Dịch vụ công tỉnh Sơn Nam",
        "ngày 18 tháng 3 năm 2026",
    ],
    "refusal": [
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Thửa đất đề nghị xây dựng nằm trong phạm vi hành lang bảo vệ đê điều",
        "Nguyễn Thị Hồng Nhung",
        "Lê Thu Trang",
    ],
    "apology": [
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Kính gửi: Bà Nguyễn Thị Hồng Nhung",
        SAMPLE_DOSSIER_CODE,
        "08 giờ 30 phút, ngày 16 tháng 3 năm 2026",
        "16 giờ 30 phút, ngày 06 tháng 4 năm 2026",
        "16 giờ 30 phút, ngày 13 tháng 4 năm 2026",
        "Ban Quản lý dự án đê điều tỉnh",
        "GIÁM ĐỐC",
        "Phạm Quốc Hưng",
        "Số: 215/PXL-SXD",
    ],
    "stop_notice": [
        "THÔNG BÁO VỀ VIỆC DỪNG GIẢI QUYẾT HỒ SƠ",
        "Kính gửi: Bà Nguyễn Thị Hồng Nhung",
        SAMPLE_DOSSIER_CODE,
        "Quá thời hạn bổ sung, hoàn thiện hồ sơ",
        "kể từ ngày 27 tháng 3 năm 2026",
        "Phạm Quốc Hưng",
    ],
    "control_slip": [
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        SAMPLE_DOSSIER_CODE,
        "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Xây dựng (Phòng Quản",  # the QR caption sits beside it
        "lý hoạt động xây dựng)",
        "Ban Quản lý dự án đê điều tỉnh",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Đỗ Minh Châu",
        "Vũ Đức Thịnh",
        "16/03/2026",
        "01/04/2026",
    ],
    "register": [
        "SỔ THEO DÕI HỒ SƠ",
        "Tháng 01 năm 2026",
        "000.00.20.H99-260105-0001",
        "Nguyễn Văn An",
        "Cán bộ tiếp nhận",
        "07:45 05/01/2026",
    ],
}


def test_the_migration_loaded_both_default_sets_as_version_1_exactly_as_the_files_say():
    # (0002 reads the files as they are; 0003 adds only what an existing database lacks.)
    rows = FormTemplate.objects.filter(form_set__in=["tt01_2018", "tt03_2025"]).order_by("form_set", "code")

    assert [(t.form_set, t.code, t.kind, t.version, t.is_active) for t in rows] == [
        (form_set, code, kind, 1, True) for form_set, code, kind in ALL
    ]
    for form in defaults.default_forms("tt01_2018") + defaults.default_forms("tt03_2025"):
        row = rows.get(form_set=form.form_set, code=form.code)
        assert (row.name, row.paper, row.orientation, row.body, row.css) == (
            form.name,
            form.paper,
            form.orientation,
            form.body,
            form.css,
        )
    assert [name for _, _, name in TT01] == list(rows.filter(form_set="tt01_2018").values_list("name", flat=True))


def test_paper_follows_domain_a5_for_the_slips_a4_landscape_for_the_register():
    papers = {(t.form_set, t.code): t.page_size for t in FormTemplate.objects.all()}

    for form_set, code, kind in ALL:
        assert papers[(form_set, code)] == ("A4 landscape" if kind == "register" else "A5 portrait")


@needs_pdftotext
@pytest.mark.parametrize(("form_set", "code", "kind"), ALL)
def test_each_default_form_renders_a_one_page_pdf_with_its_key_values(form_set, code, kind):
    pdf = render_pdf(form_set=form_set, code=code, context=sample_context(kind))

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert pdf_pages(pdf) == [A4_LANDSCAPE if kind == "register" else A5_PORTRAIT]
    text = pdf_flat_text(pdf)
    if code.isdigit():
        assert f"Mẫu số {code}" in text
    else:  # a notice the set does not number (TT 01/2018 "TB") does not claim a form number
        assert "Mẫu số" not in text
    for value in KEY_TEXT[kind]:
        assert value in text, value
    assert pdf_fonts(pdf) <= {"Form-Serif", "Form-Serif-Bold", "Form-Serif-Italic", "Form-Serif-Bold-Italic"}


@needs_pdftotext
def test_vietnamese_diacritics_survive_in_the_receipt():
    pdf = render_pdf(form_set="tt01_2018", code="01", context=sample_context("receipt"))
    text = pdf_flat_text(pdf)

    assert "giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text.casefold()
    assert "Giấy chứng nhận quyền sử dụng đất" in text  # lower case with every tone mark
    assert "Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công tỉnh Sơn Nam" in text
    assert "\ufffd" not in text  # no replacement characters
    assert pdf_fonts(pdf) == {"Form-Serif", "Form-Serif-Bold", "Form-Serif-Italic"}  # Noto Serif, embedded
