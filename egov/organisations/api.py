"""API: the organisation tree (public read) and code validation."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from egov.core.errors import NotFound, ValidationFailed
from egov.organisations import codes, selectors
from egov.organisations.models import Kind, Organisation

router = Router(tags=["Cơ quan, đơn vị"])


class OrganisationOut(Schema):
    code: str | None
    legacy_code: str | None
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None


class ListQuery(Schema):
    kind: Kind | None = None
    on: date | None = Field(None, description="Chỉ các đơn vị còn hiệu lực vào ngày này (mặc định hôm nay)")
    parent: str | None = Field(None, description="Mã định danh đơn vị cấp trên: chỉ lấy các đơn vị trực thuộc")
    after: str | None = Field(None, description="Con trỏ trang sau (next_cursor của trang trước)")
    limit: int = Field(100, ge=1, le=500)


class OrganisationPage(Schema):
    items: list[OrganisationOut]
    next_cursor: str | None


def _out(org: Organisation, parent_code: str | None) -> OrganisationOut:
    return OrganisationOut(
        code=org.code,
        legacy_code=org.legacy_code,
        name=org.name,
        short_name=org.short_name,
        kind=org.kind,
        parent_code=parent_code,
        valid_from=org.valid_from,
        valid_to=org.valid_to,
    )


@router.get("", response=OrganisationPage, auth=None, summary="Danh sách cơ quan, đơn vị (phân trang theo con trỏ)")
def list_organisations(request, query: Query[ListQuery]):
    qs = Organisation.objects.active_on(query.on or timezone.localdate())
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.parent:
        parent = selectors.by_code(query.parent)
        if parent is None:
            raise ValidationFailed.field("parent", f"Không tìm thấy đơn vị có mã '{query.parent}'.")
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if query.after:
        qs = qs.filter(path__gt=query.after)
    rows = list(qs.order_by("path")[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    parent_paths = {r.path[: -r.steplen] for r in rows if r.depth > 1}
    parents = {
        path: code or legacy
        for path, code, legacy in Organisation.objects.filter(path__in=parent_paths).values_list(
            "path", "code", "legacy_code"
        )
    }
    items = [_out(r, parents.get(r.path[: -r.steplen]) if r.depth > 1 else None) for r in rows]
    return OrganisationPage(items=items, next_cursor=rows[-1].path if more and rows else None)


@router.get("/{code}", response=OrganisationOut, auth=None, summary="Chi tiết một cơ quan, đơn vị")
def get_organisation(request, code: str):
    org = selectors.by_code(code)
    if org is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã '{code}'.")
    parent = Organisation.objects.get_parent(org) if org.depth > 1 else None
    return _out(org, parent.identifier if parent else None)


class CodeCheckOut(Schema):
    code: str
    form: str
    valid: bool


@router.get("/codes/validate", response=CodeCheckOut, auth=None, summary="Kiểm tra mã định danh cơ quan")
def validate_code(request, code: str):
    try:
        form = codes.classify(code)
    except codes.InvalidAgencyCode as exc:
        raise ValidationFailed.field("code", str(exc)) from exc
    return CodeCheckOut(code=code, form=form.value, valid=True)
