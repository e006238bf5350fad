"""The catalogue services: validation with Vietnamese field errors, writes, audit, permissions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.audit.models import AuditRecord
from egov.audit.services import verify_chain
from egov.catalogue import services
from egov.catalogue.models import Field, Procedure, ProcedureComponent
from egov.catalogue.specs import ComponentSpec, DurationSpec, FeeSpec, ResultSpec, spec_from_procedure, spec_to_dict
from egov.catalogue.tests import factories
from egov.core.errors import FieldError, PermissionDenied, ValidationFailed

DENIED = "Bạn không có quyền: quản lý danh mục thủ tục hành chính."


def _load(code: str) -> Procedure:
    return (
        Procedure.objects.select_related("field")
        .prefetch_related("agencies", "components", "durations", "fees", "results")
        .get(code=code)
    )


# --- create ----------------------------------------------------------------------------------------


def test_given_a_valid_spec_when_creating_then_every_part_is_stored_and_audited(tree, fields, state):
    before = state()

    procedure = services.create_procedure(by=None, spec=factories.birth())

    stored = _load(factories.BIRTH)
    assert procedure.pk == stored.pk
    assert spec_from_procedure(stored) == factories.birth()
    assert (stored.field.code, stored.levels, stored.applicant_types, stored.channels) == (
        "G09-HT01",
        ["commune"],
        ["citizen"],
        [1, 2, 3],
    )
    assert (stored.level_commune, stored.level_province, stored.for_citizens, stored.channel_post) == (
        True,
        False,
        True,
        True,
    )
    assert stored.search_text == "dang ky khai sinh 1.001193.000.00.00.h98"
    assert [(c.order, c.name, c.originals) for c in stored.components.all()] == [
        (1, "Tờ khai đăng ký khai sinh theo mẫu", 1),
        (2, "Giấy chứng sinh", 1),
    ]
    assert [(d.channel, d.amount, d.unit) for d in stored.durations.all()] == [
        (1, Decimal("1.00"), "working_days"),
        (2, Decimal("1.00"), "working_days"),
    ]
    assert [org.code for org in stored.agencies.all()] == ["H98.301"]
    assert state()["audit"] == before["audit"] + 1
    record = AuditRecord.objects.order_by("-seq").first()
    assert (record.action, record.actor_id, record.target_id, record.after) == (
        "catalogue.procedure.create",
        None,
        str(stored.pk),
        spec_to_dict(factories.birth()),
    )
    assert verify_chain().ok


def test_given_untidy_text_and_a_legacy_agency_code_when_creating_then_it_is_stored_tidy_and_by_identifier(
    fields,
):
    spec = factories.birth(
        name="  Đăng ký   khai sinh ",
        agencies=("000.00.61.H98",),
        levels=("commune",),
        channels=(3, 1, 2),
        steps="Bước 1\r\nBước 2",
    )

    services.create_procedure(by=None, spec=spec)

    stored = spec_from_procedure(_load(factories.BIRTH))
    assert (stored.name, stored.agencies, stored.channels, stored.steps) == (
        "Đăng ký khai sinh",
        ("H98.301",),
        (1, 2, 3),
        "Bước 1\nBước 2",
    )


def test_given_many_problems_when_creating_then_every_one_is_reported_by_field_and_nothing_is_written(
    tree, fields, state
):
    spec = factories.birth(
        code="1.001193",
        name="",
        field="G99-XX01",
        levels=(),
        agencies=("H98.999", "H98.101.02"),
        online_level="muc_5",
        applicant_types=(),
        channels=(4,),
        components=(ComponentSpec(name="", originals=100),),
        durations=(
            DurationSpec(channel=1, amount=Decimal("0"), unit="working_days"),
            DurationSpec(channel=1, amount=Decimal("1"), unit="working_days"),
        ),
        fees=(FeeSpec(kind="tax", name="Thuế", amount=-1),),
        results=(ResultSpec(name=""),),
    )
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_procedure(by=None, spec=spec)

    assert caught.value.message == "Dữ liệu không hợp lệ."
    assert caught.value.errors == [
        FieldError(
            "code",
            "Mã thủ tục '1.001193' không đúng dạng: số thủ tục quốc gia và mã cơ quan công bố, "
            "ví dụ 1.001193.000.00.00.H99.",
        ),
        FieldError("name", "Tên thủ tục không được để trống."),
        FieldError("field", "Không tìm thấy lĩnh vực có mã 'G99-XX01'."),
        FieldError("levels", "Cần ít nhất một cấp thực hiện."),
        FieldError("agencies[0]", "Không tìm thấy cơ quan có mã định danh 'H98.999'."),
        FieldError(
            "agencies[1]",
            "Phòng Hành chính tư pháp (H98.101.02) là phòng, bộ phận, không phải cơ quan thực hiện thủ tục.",
        ),
        FieldError("online_level", "Mức độ dịch vụ công trực tuyến 'muc_5' không hợp lệ."),
        FieldError("applicant_types", "Cần ít nhất một đối tượng thực hiện."),
        FieldError("channels", "Cách thức nộp '4' không hợp lệ."),
        FieldError("components[0].name", "Tên thành phần hồ sơ không được để trống."),
        FieldError("components[0].originals", "Số bản phải là số nguyên từ 0 đến 99."),
        FieldError("durations[0].amount", "Thời hạn phải lớn hơn 0 và không quá 99.999,99."),
        FieldError("durations[1].channel", "Thời hạn cho kênh trực tiếp bị lặp lại."),
        FieldError("fees[0].kind", "Loại 'tax' không hợp lệ (fee: phí, charge: lệ phí)."),
        FieldError("fees[0].amount", "Mức thu phải là số đồng, số nguyên không âm."),
        FieldError("results[0].name", "Tên giấy tờ kết quả không được để trống."),
    ]
    assert state() == before


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"durations": (DurationSpec(channel=1, amount=Decimal("1.5"), unit="calendar_days"),)},
            FieldError("durations[0].amount", "Thời hạn tính theo ngày (lịch) phải là số nguyên."),
        ),
        (
            {"durations": (DurationSpec(channel=1, amount=Decimal("0.125"), unit="working_days"),)},
            FieldError("durations[0].amount", "Thời hạn có tối đa 2 chữ số thập phân."),
        ),
        (
            {"durations": (DurationSpec(channel=2, amount=Decimal("2"), unit="weeks"),)},
            FieldError(
                "durations[0].unit", "Đơn vị tính 'weeks' không hợp lệ (working_days, working_hours, calendar_days)."
            ),
        ),
        (
            {"agencies": ()},
            FieldError("agencies", "Cần ít nhất một cơ quan thực hiện."),
        ),
        (
            {"agencies": ("H98.301", "000.00.61.H98")},
            FieldError("agencies[1]", "Cơ quan UBND xã Thử Nghiệm (000.00.61.H98) bị lặp lại."),
        ),
        (
            {"components": (ComponentSpec(name="Giấy chứng sinh", originals=1),) * 2},
            FieldError("components[1].name", "Thành phần hồ sơ 'Giấy chứng sinh' bị lặp lại."),
        ),
        (
            {"components": (ComponentSpec(name="Tờ khai", template="../settings.py"),)},
            FieldError(
                "components[0].template",
                "Tệp mẫu phải nằm trong thư mục catalogue/templates/, không phải '../settings.py'.",
            ),
        ),
        (
            {"name": "Đăng ký\x00khai sinh"},
            FieldError("name", "Tên thủ tục có ký tự điều khiển không hợp lệ."),
        ),
        (
            {"legal_basis": "x" * 32_001},
            FieldError("legal_basis", "Căn cứ pháp lý quá dài (tối đa 32.000 ký tự)."),
        ),
        (
            {"mot_phan_reason": "Phải có mặt"},
            FieldError("mot_phan_reason", "Chỉ ghi lý do khi dịch vụ công trực tuyến là một phần."),
        ),
    ],
)
def test_given_one_problem_when_creating_then_its_field_is_named(fields, state, changes, error):
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_procedure(by=None, spec=factories.birth(**changes))

    assert (caught.value.errors, caught.value.message) == ([error], error.message)
    assert state() == before


@pytest.mark.parametrize(
    ("today", "required"), [(date(2026, 6, 30), False), (date(2026, 7, 1), True), (date(2027, 1, 1), True)]
)
def test_a_mot_phan_service_must_state_why_from_1_july_2026(fields, monkeypatch, today, required):
    monkeypatch.setattr(services, "_today", lambda: today)
    spec = factories.household_business(mot_phan_reason="")

    if required:
        with pytest.raises(ValidationFailed) as caught:
            services.create_procedure(by=None, spec=spec)
        assert caught.value.errors == [
            FieldError(
                "mot_phan_reason",
                "Dịch vụ công trực tuyến một phần phải nêu lý do (bắt buộc từ ngày 01/07/2026).",
            )
        ]
    else:
        services.create_procedure(by=None, spec=spec)
        assert Procedure.objects.get(code=factories.HOUSEHOLD_BUSINESS).mot_phan_reason == ""


def test_given_a_taken_code_when_creating_then_the_code_is_named(procedures, state):
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_procedure(by=None, spec=factories.birth(name="Khai sinh (bản trùng)"))

    assert caught.value.errors == [FieldError("code", "Mã thủ tục 1.001193.000.00.00.H98 đã có trong danh mục.")]
    assert state() == before


# --- update ----------------------------------------------------------------------------------------


def test_given_components_renamed_and_reordered_when_updating_then_kept_names_keep_their_ids(procedures):
    procedure = procedures[factories.BIRTH]
    ids = dict(ProcedureComponent.objects.filter(procedure=procedure).values_list("name", "pk"))
    spec = factories.birth(
        components=(
            ComponentSpec(name="Giấy chứng sinh", originals=1),
            ComponentSpec(name="Văn bản ủy quyền (nếu có)", certified_copies=1, required=False),
            ComponentSpec(name="Tờ khai đăng ký khai sinh theo mẫu", originals=2),
        ),
        fees=(),
    )

    services.update_procedure(by=None, procedure=procedure, spec=spec)

    rows = list(ProcedureComponent.objects.filter(procedure=procedure).order_by("order"))
    assert [(r.order, r.name, r.originals, r.certified_copies, r.required) for r in rows] == [
        (1, "Giấy chứng sinh", 1, 0, True),
        (2, "Văn bản ủy quyền (nếu có)", 0, 1, False),
        (3, "Tờ khai đăng ký khai sinh theo mẫu", 2, 0, True),
    ]
    assert rows[0].pk == ids["Giấy chứng sinh"]
    assert rows[2].pk == ids["Tờ khai đăng ký khai sinh theo mẫu"]
    assert rows[1].pk not in ids.values()
    assert spec_from_procedure(_load(factories.BIRTH)) == spec
    record = AuditRecord.objects.order_by("-seq").first()
    assert (record.action, record.before, record.after) == (
        "catalogue.procedure.update",
        spec_to_dict(factories.birth()),
        spec_to_dict(spec),
    )


def test_given_the_same_content_when_updating_then_nothing_is_written(procedures, state):
    before = state()

    services.update_procedure(by=None, procedure=procedures[factories.BIRTH], spec=factories.birth())

    assert state() == before


def test_given_another_code_when_updating_then_the_code_is_refused(procedures, state):
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.update_procedure(
            by=None, procedure=procedures[factories.BIRTH], spec=factories.birth(code="1.001194.000.00.00.H98")
        )

    assert caught.value.errors == [
        FieldError("code", "Không sửa được mã thủ tục: hãy thêm thủ tục mới và ngừng áp dụng thủ tục cũ.")
    ]
    assert state() == before


def test_stopping_a_procedure_keeps_it_and_is_audited_once(procedures):
    procedure = procedures[factories.MARRIAGE]

    services.set_procedure_active(by=None, procedure=procedure, is_active=False)
    services.set_procedure_active(by=None, procedure=procedure, is_active=False)

    assert Procedure.objects.get(pk=procedure.pk).is_active is False
    records = list(
        AuditRecord.objects.filter(target_id=str(procedure.pk)).order_by("seq").values_list("action", "after")
    )
    assert records[-1] == ("catalogue.procedure.update", {"is_active": False})
    assert [action for action, _ in records].count("catalogue.procedure.update") == 1


# --- templates -------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_given_an_uploaded_pdf_template_when_creating_then_it_is_stored_under_catalogue_templates(
    fields, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("to-khai-khai-sinh.pdf", PDF, content_type="application/pdf")
    spec = factories.birth(components=(ComponentSpec(name="Tờ khai", originals=1, template=upload),))

    services.create_procedure(by=None, spec=spec)

    component = ProcedureComponent.objects.get(procedure__code=factories.BIRTH)
    assert component.template.name == "catalogue/templates/to-khai-khai-sinh.pdf"
    assert (tmp_path / "catalogue" / "templates" / "to-khai-khai-sinh.pdf").read_bytes() == PDF
    assert spec_from_procedure(_load(factories.BIRTH)).components[0].template == component.template.name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "to-khai.exe",
            PDF,
            "Tệp mẫu 'to-khai.exe' phải có đuôi doc, docx, ods, odt, pdf, rtf, xls, xlsx.",
        ),
        ("to-khai.pdf", b"not a pdf at all", "Nội dung tệp 'to-khai.pdf' không phải văn bản, bảng tính hoặc PDF."),
    ],
)
def test_given_a_bad_template_upload_when_creating_then_it_is_refused(
    fields, settings, tmp_path, state, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    spec = factories.birth(components=(ComponentSpec(name="Tờ khai", template=SimpleUploadedFile(name, content)),))
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_procedure(by=None, spec=spec)

    assert caught.value.errors == [FieldError("components[0].template", message)]
    assert state() == before
    assert not (tmp_path / "catalogue").exists()


# --- fields ----------------------------------------------------------------------------------------


def test_given_a_bad_field_when_creating_then_code_and_name_are_named(tree, state):
    before = state()

    with pytest.raises(ValidationFailed) as caught:
        services.create_field(by=None, code="HT01", name=" ")

    assert caught.value.errors == [
        FieldError(
            "code",
            "Mã lĩnh vực 'HT01' không đúng dạng MX1X2-LV (TT 01/2018/TT-VPCP): "
            "mã cơ quan quản lý và mã lĩnh vực, ví dụ G09-TP01.",
        ),
        FieldError("name", "Tên lĩnh vực không được để trống."),
    ]
    assert state() == before


def test_given_a_field_when_renaming_it_then_the_change_is_audited_and_a_taken_code_is_refused(fields):
    field = services.update_field(by=None, field=fields["G09-HT01"], name="Hộ tịch (trong nước)")

    assert Field.objects.get(pk=field.pk).name == "Hộ tịch (trong nước)"
    record = AuditRecord.objects.order_by("-seq").first()
    assert (record.action, record.before["name"], record.after["name"]) == (
        "catalogue.field.update",
        "Hộ tịch",
        "Hộ tịch (trong nước)",
    )
    with pytest.raises(ValidationFailed) as caught:
        services.create_field(by=None, code="G09-HT01", name="Trùng")
    assert caught.value.errors == [FieldError("code", "Mã lĩnh vực G09-HT01 đã có.")]


# --- permissions -----------------------------------------------------------------------------------


def _operations(procedures, fields):
    birth = procedures[factories.BIRTH]
    return {
        "create_procedure": lambda by: services.create_procedure(
            by=by, spec=factories.birth(code="1.000001.000.00.00.H98")
        ),
        "update_procedure": lambda by: services.update_procedure(
            by=by, procedure=birth, spec=replace(factories.birth(), name="Đăng ký khai sinh (sửa)")
        ),
        "set_procedure_active": lambda by: services.set_procedure_active(by=by, procedure=birth, is_active=False),
        "create_field": lambda by: services.create_field(by=by, code="G09-CT01", name="Chứng thực"),
        "update_field": lambda by: services.update_field(by=by, field=fields["G09-HT01"], name="Hộ tịch mới"),
        "import_json": lambda by: services.import_json(
            by=by, data=services.export_json(Procedure.objects.filter(code=factories.BIRTH))
        ),
    }


OPERATIONS = [
    "create_procedure",
    "update_procedure",
    "set_procedure_active",
    "create_field",
    "update_field",
    "import_json",
]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("who", ["department_administrator", "specialist", "anonymous"])
def test_only_a_whole_tree_catalogue_manager_may_change_the_catalogue(
    request, procedures, fields, state, operation, who
):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    before = state()

    with pytest.raises(PermissionDenied) as caught:
        _operations(procedures, fields)[operation](user)

    assert caught.value.message == DENIED
    assert state() == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_province_administrator_may_change_the_catalogue(procedures, fields, administrator, operation):
    audit_before = AuditRecord.objects.count()

    _operations(procedures, fields)[operation](administrator)

    if operation != "import_json":  # importing what is already there changes nothing
        last = AuditRecord.objects.order_by("-seq").first()
        assert (last.actor_id, AuditRecord.objects.count()) == (administrator.pk, audit_before + 1)
