"""Online forms of the demo province: a few procedures get a form of their own (the others use the
default "Nội dung yêu cầu giải quyết" form)."""

from __future__ import annotations

from egov.catalogue.models import Procedure
from egov.portal import services
from egov.portal.models import SubmissionForm

CCCD = {"type": "string", "pattern": "^[0-9]{12}$", "x-error": "Số định danh cá nhân gồm đúng 12 chữ số."}

DEMO_FORMS: dict[str, tuple[str, dict]] = {
    # Cấp Giấy xác nhận tình trạng hôn nhân (commune level)
    "1.004873.000.00.00.H99": (
        "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
        {
            "type": "object",
            "properties": {
                "full_name": {
                    "title": "Họ, chữ đệm, tên người được xác nhận",
                    "type": "string",
                    "minLength": 2,
                    "maxLength": 100,
                },
                "date_of_birth": {"title": "Ngày sinh", "type": "string", "format": "date"},
                "identity_number": {"title": "Số định danh cá nhân", **CCCD},
                "residence": {"title": "Nơi cư trú", "type": "string", "minLength": 5, "maxLength": 300},
                "marital_status": {
                    "title": "Tình trạng hôn nhân",
                    "type": "string",
                    "enum": ["Chưa đăng ký kết hôn với ai", "Đã ly hôn", "Vợ/chồng đã chết"],
                },
                "purpose": {
                    "title": "Mục đích sử dụng Giấy xác nhận",
                    "type": "string",
                    "minLength": 5,
                    "maxLength": 300,
                    "description": "Ví dụ: để đăng ký kết hôn; để bổ sung hồ sơ vay vốn.",
                },
                "copies": {"title": "Số bản đề nghị cấp", "type": "integer", "minimum": 1, "maximum": 10},
                "matter": {"title": "Nội dung yêu cầu", "type": "string", "maxLength": 500},
                "commitment": {
                    "title": "Tôi cam đoan nội dung khai trên đây là đúng sự thật",
                    "type": "boolean",
                    "const": True,
                },
            },
            "required": [
                "full_name",
                "date_of_birth",
                "identity_number",
                "residence",
                "marital_status",
                "purpose",
                "copies",
                "commitment",
            ],
            "additionalProperties": False,
        },
    ),
    # Đăng ký khai sinh (commune level)
    "1.001193.000.00.00.H99": (
        "Tờ khai đăng ký khai sinh",
        {
            "type": "object",
            "properties": {
                "child_name": {"title": "Họ, chữ đệm, tên của trẻ", "type": "string", "minLength": 2, "maxLength": 100},
                "child_sex": {"title": "Giới tính", "type": "string", "enum": ["Nam", "Nữ"]},
                "child_birth_date": {"title": "Ngày sinh của trẻ", "type": "string", "format": "date"},
                "birth_place": {"title": "Nơi sinh", "type": "string", "minLength": 5, "maxLength": 300},
                "mother_name": {"title": "Họ, chữ đệm, tên người mẹ", "type": "string", "maxLength": 100},
                "mother_identity": {"title": "Số định danh cá nhân của người mẹ", **CCCD},
                "father_name": {"title": "Họ, chữ đệm, tên người cha", "type": "string", "maxLength": 100},
                "father_identity": {"title": "Số định danh cá nhân của người cha", **CCCD},
                "commitment": {
                    "title": "Tôi cam đoan nội dung khai trên đây là đúng sự thật",
                    "type": "boolean",
                    "const": True,
                },
            },
            "required": ["child_name", "child_sex", "child_birth_date", "birth_place", "mother_name", "commitment"],
            "additionalProperties": False,
        },
    ),
}


def load_demo_forms() -> int:
    """Create the demo forms that do not exist yet; idempotent."""
    created = 0
    for code, (title, schema) in DEMO_FORMS.items():
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None or SubmissionForm.objects.filter(procedure=procedure).exists():
            continue
        services.create_form_version(by=None, procedure=procedure, title=title, schema=schema, activate=True)
        created += 1
    return created
