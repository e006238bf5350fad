"""The context dataclasses refuse incomplete data, naming every field, before anything is rendered."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from egov.forms.contexts import (
    CONTEXT_CLASSES,
    ApologyContext,
    ComponentLine,
    ControlSlipContext,
    HandoverLine,
    ReceiptContext,
    RegisterRow,
    Timeliness,
)
from egov.forms.errors import IncompleteContext
from egov.forms.qr import qr_svg
from egov.forms.samples import SAMPLE_LOOKUP_URL, sample_context

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def receipt_fields(**overrides) -> dict:
    data = {f.name: getattr(sample_context("receipt"), f.name) for f in dataclasses.fields(ReceiptContext)}
    data.update(overrides)
    return data


def fields_of(exc: IncompleteContext) -> list[str]:
    return [e.field for e in exc.errors]


def test_every_kind_has_a_sample_that_validates():
    for kind, cls in CONTEXT_CLASSES.items():
        assert isinstance(sample_context(kind), cls)
        assert cls.kind == kind


def test_given_blank_required_fields_then_every_one_is_named_at_once():
    with pytest.raises(IncompleteContext) as caught:
        ReceiptContext(**receipt_fields(applicant_name="  ", dossier_code="", components=[], lookup_url=""))

    assert fields_of(caught.value) == ["dossier_code", "applicant_name", "components", "lookup_url"]
    assert caught.value.code == "form_context_incomplete"
    assert caught.value.status == 422
    assert caught.value.errors[0].message == "Bắt buộc, không được để trống."


def test_given_wrong_types_then_they_are_named():
    with pytest.raises(IncompleteContext) as caught:
        ReceiptContext(**receipt_fields(received_at="2026-03-16 08:30", sets_count="1", phone=912345678))

    assert {e.field: e.message for e in caught.value.errors} == {
        "phone": "Phải là chuỗi ký tự.",
        "received_at": "Phải là ngày giờ (datetime).",
        "sets_count": "Phải là số nguyên.",
    }


def test_given_a_due_date_before_reception_then_it_is_refused():
    received = datetime(2026, 3, 16, 8, 30, tzinfo=HCM)
    with pytest.raises(IncompleteContext) as caught:
        ReceiptContext(**receipt_fields(received_at=received, due_at=received))

    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("due_at", "Hẹn trả kết quả phải sau thời điểm tiếp nhận.")
    ]


def test_lists_become_tuples_and_dict_lines_become_dataclasses():
    ctx = ReceiptContext(
        **receipt_fields(
            components=[{"name": "Đơn đề nghị", "originals": 1}, ComponentLine(name="Bản vẽ", photocopies=2)]
        )
    )

    assert ctx.components == (
        ComponentLine(name="Đơn đề nghị", originals=1),
        ComponentLine(name="Bản vẽ", photocopies=2),
    )
    assert ctx.components[1].total == 2


def test_given_a_bad_nested_line_then_its_path_is_named():
    with pytest.raises(IncompleteContext) as caught:
        ReceiptContext(**receipt_fields(components=[{"name": "Đơn"}, {"name": "", "originals": -1}]))

    assert fields_of(caught.value) == ["components[1].name", "components[1].originals"]


def test_from_mapping_refuses_unknown_keys_and_names_missing_ones():
    data = receipt_fields()
    del data["officer_name"]
    del data["due_at"]
    data["applicant_nmae"] = "typo"

    with pytest.raises(IncompleteContext) as caught:
        ReceiptContext.from_mapping(data)

    assert fields_of(caught.value) == ["applicant_nmae", "due_at", "officer_name"]


def test_contexts_are_frozen():
    ctx = sample_context("receipt")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.applicant_name = "khác"


def test_handover_result_accepts_the_codes_and_refuses_others():
    at = datetime(2026, 3, 16, 14, 0, tzinfo=HCM)
    line = HandoverLine(from_agency="A", to_agency="B", handed_at=at, result="qua_han")
    assert line.result is Timeliness.LATE
    assert line.result_label == "Quá hạn"
    assert HandoverLine(from_agency="A", to_agency="B", handed_at=at).result_label == ""

    with pytest.raises(IncompleteContext) as caught:
        HandoverLine(from_agency="A", to_agency="B", handed_at=at, result="tre_han")
    assert caught.value.errors[0].message == "Giá trị không hợp lệ (chọn một trong: truoc_han, dung_han, qua_han)."


def test_the_new_date_of_an_apology_must_be_later_than_the_original():
    sample = sample_context("apology")
    data = {f.name: getattr(sample, f.name) for f in dataclasses.fields(ApologyContext)}
    data["new_due_at"] = data["original_due_at"]

    with pytest.raises(IncompleteContext) as caught:
        ApologyContext(**data)

    assert fields_of(caught.value) == ["new_due_at"]


def test_register_rows_check_the_essentials_cheaply():
    with pytest.raises(IncompleteContext) as caught:
        RegisterRow(dossier_code="", applicant_name="An", received_at=date(2026, 1, 5))
    assert fields_of(caught.value) == ["dossier_code", "received_at"]


def test_the_template_context_has_every_field_the_filled_date_the_kind_and_the_qr_code():
    ctx = sample_context("receipt")
    data = ctx.as_template_context()

    assert set(data) == {f.name for f in dataclasses.fields(ReceiptContext)} | {"form_kind", "qr"}
    assert data["issued_on"] == date(2026, 3, 16)  # a receipt is dated the day it is received
    assert data["form_kind"] == "receipt"
    assert data["qr"] == qr_svg(SAMPLE_LOOKUP_URL)


def test_the_control_slip_numbers_its_blank_rows_after_the_recorded_ones():
    ctx = sample_context("control_slip")
    assert isinstance(ctx, ControlSlipContext)

    assert list(ctx.as_template_context()["blank_row_numbers"]) == [4, 5]
