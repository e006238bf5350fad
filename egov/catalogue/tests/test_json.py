"""JSON import and export: the exchange document, exact round trips, errors by JSON path."""

from __future__ import annotations

import copy
import json

import pytest

from egov.catalogue import services
from egov.catalogue.exchange import ImportFailed
from egov.catalogue.models import Field, Procedure
from egov.catalogue.specs import spec_from_procedure, spec_to_dict
from egov.catalogue.tests import factories


def specs():
    return [
        spec_from_procedure(p)
        for p in Procedure.objects.order_by("code").prefetch_related(
            "agencies", "components", "durations", "fees", "results"
        )
    ]


def errors_of(caught) -> list[tuple[str, str]]:
    return [(e.location, e.message) for e in caught.value.row_errors]


def test_the_export_is_the_documented_document(procedures):
    document = services.export_json(Procedure.objects.filter(code=factories.CRIMINAL_RECORD))

    assert document == {
        "format": "egov-catalogue",
        "version": 1,
        "fields": [{"code": "G09-LL01", "name": "Lý lịch tư pháp", "managing_sector": "Bộ Tư pháp"}],
        "procedures": [spec_to_dict(factories.criminal_record())],
    }
    assert document["procedures"][0]["durations"] == [
        {"channel": 1, "amount": "10", "unit": "working_days", "note": ""},
        {"channel": 2, "amount": "0.5", "unit": "working_days", "note": "Thử nghiệm"},
        {"channel": 3, "amount": "15", "unit": "calendar_days", "note": ""},
    ]
    json.dumps(document)  # plain JSON types only


def test_given_the_export_when_importing_it_into_an_empty_catalogue_then_the_same_procedures_come_back(procedures):
    original = specs()
    text = json.dumps(services.export_json(Procedure.objects.all()), ensure_ascii=False)
    Procedure.objects.all().delete()
    Field.objects.all().delete()

    summary = services.import_json(by=None, data=text.encode())

    assert (summary.created, summary.fields_created) == (4, 3)
    assert specs() == original
    assert services.import_json(by=None, data=json.loads(text)).unchanged == 4


def test_given_bad_values_when_importing_json_then_each_is_reported_by_path_and_nothing_is_written(procedures, state):
    document = services.export_json(Procedure.objects.all())
    bad = copy.deepcopy(document)
    birth = next(p for p in bad["procedures"] if p["code"] == factories.BIRTH)
    birth["levels"] = ["tinh"]
    birth["components"].insert(0, "not an object")  # position 0 cannot be read at all
    birth["components"][2]["originals"] = -1  # the second real component
    birth["durations"][1]["amount"] = "nhanh"
    birth["agencies"] = ["H98.301", "H98.999"]
    bad["procedures"].append({"code": "1.000002.000.00.00.H98", "name": "Mới", "field": "G09-HT01"})
    bad["procedures"].append(42)
    before = state()

    with pytest.raises(ImportFailed) as caught:
        services.import_json(by=None, data=bad)

    assert errors_of(caught) == [
        (
            "procedures[1].levels",
            "procedures[1].levels: Cấp thực hiện 'tinh' không hợp lệ; dùng một trong: province (Cấp tỉnh), "
            "department (Cấp sở, ban, ngành), district (Cấp huyện), commune (Cấp xã).",
        ),
        ("procedures[1].components[0]", "procedures[1].components[0]: Phải là một đối tượng JSON."),
        ("procedures[1].components[2].originals", "procedures[1].components[2].originals: Không được là số âm."),
        (
            "procedures[1].durations[1].amount",
            "procedures[1].durations[1].amount: Phải là số (ví dụ 0,5 hoặc 20), không phải 'nhanh'.",
        ),
        ("procedures[1].agencies[1]", "procedures[1].agencies[1]: Không tìm thấy cơ quan có mã định danh 'H98.999'."),
        (
            "procedures[4].online_level",
            "procedures[4].online_level: Thiếu mức độ dịch vụ công trực tuyến.",
        ),
        ("procedures[4].levels", "procedures[4].levels: Cần ít nhất một cấp thực hiện."),
        ("procedures[4].agencies", "procedures[4].agencies: Cần ít nhất một cơ quan thực hiện."),
        ("procedures[4].applicant_types", "procedures[4].applicant_types: Cần ít nhất một đối tượng thực hiện."),
        ("procedures[4].channels", "procedures[4].channels: Cần ít nhất một cách thức nộp hồ sơ."),
        ("procedures[5]", "procedures[5]: Phải là một đối tượng JSON."),
    ]
    assert state() == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"{not json",
            "Nội dung JSON không hợp lệ: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        ([], "Tài liệu JSON phải là một đối tượng có danh sách 'procedures'."),
        ({"format": "other", "procedures": []}, "Trường 'format' phải là 'egov-catalogue'."),
        ({"version": 2, "procedures": []}, "Phiên bản 2 chưa được hỗ trợ (chỉ có phiên bản 1)."),
        ({"fields": []}, "Thiếu danh sách 'procedures'."),
    ],
)
def test_given_a_document_of_the_wrong_shape_then_the_file_is_refused(db, data, expected):
    with pytest.raises(ImportFailed) as caught:
        services.import_json(by=None, data=data)

    assert errors_of(caught) == [("file", expected)]


def test_given_a_file_object_then_it_is_read(procedures, tmp_path):
    path = tmp_path / "danh-muc.json"
    path.write_text(json.dumps(services.export_json(Procedure.objects.all()), ensure_ascii=False), encoding="utf-8")

    with path.open("rb") as file:
        summary = services.import_json(by=None, data=file)

    assert summary.unchanged == 4
