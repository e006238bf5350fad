"""API: the public procedure catalogue (search, detail) and its fields."""

from __future__ import annotations

from django.db.models import Count, Q
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from egov.catalogue import selectors
from egov.catalogue.models import (
    ApplicantType,
    Channel,
    DurationUnit,
    FeeKind,
    Field,
    Level,
    OnlineLevel,
)
from egov.core.errors import NotFound, ValidationFailed
from egov.organisations import selectors as organisation_selectors

router = Router(tags=["Thủ tục hành chính"])


class FieldRef(Schema):
    code: str
    name: str


class ProcedureSummary(Schema):
    code: str
    name: str
    field: FieldRef
    levels: list[Level]
    online_level: OnlineLevel
    applicant_types: list[ApplicantType]
    channels: list[Channel] = SchemaField(..., description="1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích")
    is_active: bool


class ProcedurePage(Schema):
    items: list[ProcedureSummary]
    next_cursor: str | None


class AgencyOut(Schema):
    code: str | None
    legacy_code: str | None
    name: str


class ProcedureComponentOut(Schema):
    id: int = SchemaField(..., description="Dùng làm component_id khi nộp hồ sơ")
    order: int
    name: str
    originals: int
    certified_copies: int
    photocopies: int
    required: bool
    template_url: str | None = SchemaField(..., description="Địa chỉ tải mẫu đơn, tờ khai (nếu có)")
    note: str


class DurationOut(Schema):
    channel: Channel
    amount: str = SchemaField(..., description='Số thập phân dạng chuỗi, ví dụ "0.5" hoặc "20"')
    unit: DurationUnit
    note: str


class FeeOut(Schema):
    kind: FeeKind
    name: str
    amount: int = SchemaField(..., description="Đồng")
    note: str


class ProcedureResultOut(Schema):
    name: str


class ProcedureDetail(ProcedureSummary):
    mot_phan_reason: str
    steps: str
    requirements: str
    legal_basis: str
    result_description: str
    agencies: list[AgencyOut]
    components: list[ProcedureComponentOut]
    durations: list[DurationOut]
    fees: list[FeeOut]
    results: list[ProcedureResultOut]


class ProcedureListQuery(Schema):
    q: str | None = SchemaField(
        None, max_length=200, description="Mã hoặc tên thủ tục; không phân biệt hoa thường, dấu"
    )
    field: str | None = SchemaField(None, description="Mã lĩnh vực, ví dụ G09-HT01")
    agency: str | None = SchemaField(None, description="Mã định danh cơ quan thực hiện (QĐ 20/2020 hoặc QCVN 102:2016)")
    level: Level | None = None
    online_level: OnlineLevel | None = None
    after: str | None = SchemaField(None, description="Con trỏ trang sau (next_cursor của trang trước)")
    limit: int = SchemaField(50, ge=1, le=200)


class FieldOut(Schema):
    code: str
    name: str
    managing_sector: str
    procedure_count: int = SchemaField(..., description="Số thủ tục đang áp dụng")


class FieldPage(Schema):
    items: list[FieldOut]
    next_cursor: str | None


class FieldQuery(Schema):
    after: str | None = SchemaField(None, description="Con trỏ trang sau (next_cursor của trang trước)")
    limit: int = SchemaField(200, ge=1, le=500)


@router.get("", response=ProcedurePage, auth=None, summary="Tìm thủ tục hành chính (phân trang theo con trỏ)")
def list_procedures(request, query: Query[ProcedureListQuery]):
    agency = None
    if query.agency:
        agency = organisation_selectors.by_code(query.agency)
        if agency is None:
            raise ValidationFailed.field("agency", f"Không tìm thấy cơ quan có mã định danh '{query.agency}'.")
    field = None
    if query.field:
        field = Field.objects.filter(code=query.field).first()
        if field is None:
            raise ValidationFailed.field("field", f"Không tìm thấy lĩnh vực có mã '{query.field}'.")
    qs = selectors.search(query.q, field=field, agency=agency, level=query.level, online_level=query.online_level)
    rows, next_cursor = selectors.search_page(qs, after=query.after, limit=query.limit)
    return {"items": [selectors.procedure_summary(p) for p in rows], "next_cursor": next_cursor}


@router.get("/fields", response=FieldPage, auth=None, summary="Danh sách lĩnh vực thủ tục hành chính")
def list_fields(request, query: Query[FieldQuery]):
    qs = Field.objects.annotate(procedure_count=Count("procedures", filter=Q(procedures__is_active=True)))
    if query.after:
        qs = qs.filter(code__gt=query.after)
    rows = list(qs.order_by("code")[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = [
        {"code": f.code, "name": f.name, "managing_sector": f.managing_sector, "procedure_count": f.procedure_count}
        for f in rows
    ]
    return {"items": items, "next_cursor": rows[-1].code if more and rows else None}


@router.get("/{code}", response=ProcedureDetail, auth=None, summary="Chi tiết một thủ tục hành chính")
def get_procedure(request, code: str):
    detail = selectors.procedure_detail(code)
    if detail is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã '{code}'.")
    return detail
