"""The demo catalogue: at least 60 realistic procedures in at least 10 fields at province, department
and commune level, loaded through the catalogue's JSON import, once."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from egov.audit.models import AuditRecord
from egov.calendar.engine import Unit
from egov.catalogue import jsondoc, selectors
from egov.catalogue.models import Field, Procedure
from egov.core.errors import ValidationFailed
from egov.demo.catalogue import COMMUNES, catalogue_document, load_demo_catalogue
from egov.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_tree(db):
    """The demo province's organisations as they stand after 1/7/2025, without the rest of
    ``seed_demo`` (which loads this catalogue too)."""
    from egov.demo import data
    from egov.organisations.services import create_organisation

    created: dict[str, Organisation] = {}
    for unit, parent in data.iter_units():
        created[unit.code] = create_organisation(
            by=None,
            parent=created[parent.code] if parent else None,
            name=unit.name,
            kind=unit.kind,
            code=unit.code,
            legacy_code=unit.legacy_code,
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
        )
    return created


def test_the_demo_catalogue_loads_once_with_every_level_and_the_communes_of_today(client, demo_tree):
    communes = set(Organisation.objects.filter(code__startswith="H99.3", kind="commune").values_list("code", flat=True))

    started = time.perf_counter()
    created = load_demo_catalogue()
    elapsed = time.perf_counter() - started

    assert created == 65 == Procedure.objects.count()
    assert created >= 60 and elapsed < 3
    assert Field.objects.count() >= 10
    assert len(set(Procedure.objects.values_list("field", flat=True))) >= 10
    levels = Counter(level for p in Procedure.objects.all() for level in p.levels)
    assert levels["province"] >= 3 and levels["department"] >= 20 and levels["commune"] >= 20
    birth = Procedure.objects.get(code="1.001193.000.00.00.H99")
    assert set(birth.agencies.values_list("code", flat=True)) == communes and len(communes) == 20
    assert [c.name for c in birth.components.all()] == [
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Giấy chứng sinh",
        "Giấy tờ tùy thân của người yêu cầu (xuất trình)",
    ]
    assert selectors.duration_for(birth, 2) == (Decimal("1.00"), Unit.WORKING_DAYS)
    assert list(Procedure.objects.get(code="1.009972.000.00.00.H99").agencies.values_list("code", flat=True)) == [
        "H99.105"
    ]
    assert all(p.mot_phan_reason for p in Procedure.objects.filter(online_level="mot_phan"))
    # The API finds it the way a citizen types it.
    found = client.get("/api/v1/procedures", {"q": "dang ky khai sinh", "agency": "H99.306"}).json()
    assert [item["code"] for item in found["items"]][:1] == ["1.001193.000.00.00.H99"]

    audit_before = AuditRecord.objects.count()
    assert load_demo_catalogue() == 0
    assert AuditRecord.objects.count() == audit_before


def test_the_command_loads_the_demo_catalogue_after_the_demo_province(demo_tree):
    out = StringIO()

    call_command("seed_demo_catalogue", stdout=out)
    call_command("seed_demo_catalogue", stdout=out)

    assert out.getvalue().splitlines() == [
        "Danh mục thủ tục mẫu: thêm 65 thủ tục.",
        "Danh mục thủ tục mẫu: thêm 0 thủ tục.",
    ]


def test_without_the_demo_province_the_loader_names_what_is_missing(tree):
    with pytest.raises(ValidationFailed) as caught:
        load_demo_catalogue()

    [error] = caught.value.errors
    assert error.field == "agencies"
    assert error.message.startswith("Chưa có cơ quan của tỉnh mẫu: H99, H99.102, H99.103,")
    assert error.message.endswith("Hãy nạp dữ liệu mẫu (seed_demo) trước.")
    assert Procedure.objects.count() == 0


def test_the_demo_data_file_is_a_clean_exchange_document():
    document = catalogue_document()
    parsed = jsondoc.read(document)

    assert parsed.errors == []
    assert len(parsed.procedures) == 65 and len(parsed.fields) == 24
    codes = [p.code for p in parsed.procedures]
    assert len(codes) == len(set(codes))
    assert all(code.endswith(".000.00.00.H99") for code in codes)
    assert {p.field for p in parsed.procedures} == {f.code for f in parsed.fields}
    assert sum(COMMUNES in p.agencies for p in parsed.procedures) >= 20
    for p in parsed.procedures:
        assert {d.channel for d in p.durations} <= set(p.channels), p.code
        assert p.components and p.results, p.code
