"""API: the organisation tree and its history (public reads), code validation, and the administrators'
changes (create, edit, merge, dissolve), each through one service of egov.organisations.services."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, field_validator

from egov.access.authentication import officer_auth
from egov.core.errors import FieldError, NotFound, ValidationFailed
from egov.core.openapi import errors
from egov.core.schema_types import IsoDate
from egov.organisations import codes, selectors, services
from egov.organisations.models import Kind, Organisation, Succession

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


class OrganisationListQuery(Schema):
    kind: Kind | None = None
    on: IsoDate | None = Field(None, description="Chỉ các đơn vị còn hiệu lực vào ngày này (mặc định hôm nay)")
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


def _detail(org: Organisation) -> OrganisationOut:
    parent = Organisation.objects.get_parent(org) if org.depth > 1 else None
    return _out(org, parent.identifier if parent else None)


def _fresh_detail(org: Organisation) -> OrganisationOut:
    org.refresh_from_db()  # a service may have moved it: paths are positions (ADR 0002)
    return _detail(org)


def _by_code_or_404(code: str) -> Organisation:
    org = selectors.by_code(code)
    if org is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã '{code}'.")
    return org


def _resolve(field: str, wanted: list[str]) -> tuple[list[Organisation], list[FieldError]]:
    """Units named in a request body, by either code form, in one query; an unknown code is an error
    on ``field``."""
    found = Organisation.objects.filter(Q(code__in=wanted) | Q(legacy_code__in=wanted))
    by_code = {key: org for org in found for key in (org.code, org.legacy_code) if key}
    units, errors = [], []
    for code in wanted:
        if code in by_code:
            units.append(by_code[code])
        else:
            errors.append(FieldError(field, f"Không tìm thấy đơn vị có mã '{code}'."))
    return units, errors


def _resolve_one(field: str, code: str | None) -> tuple[Organisation | None, list[FieldError]]:
    if code is None:
        return None, []
    units, errors = _resolve(field, [code])
    return (units[0] if units else None), errors


def _legal_basis(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("Cần nêu căn cứ pháp lý (số, ký hiệu văn bản quyết định).")
    return value


# Routes are tried in the order they are declared: "/merge" must come before "/{code}".


# --- the tree -------------------------------------------------------------------------------------


@router.get("", response=OrganisationPage, auth=None, summary="Danh sách cơ quan, đơn vị (phân trang theo con trỏ)")
def list_organisations(request, query: Query[OrganisationListQuery]):
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


class OrganisationIn(Schema):
    parent: str | None = Field(
        None,
        description="Mã định danh (một trong hai dạng) của đơn vị cấp trên; chỉ quản trị cấp cao nhất được bỏ trống",
    )
    name: str = Field(..., max_length=255)
    kind: Kind
    code: str | None = Field(None, description="Mã định danh QĐ 20/2020, ví dụ H55.242")
    legacy_code: str | None = Field(None, description="Mã định danh QCVN 102:2016, ví dụ 000.00.00.H55")
    short_name: str = Field("", max_length=100)
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)


@router.post("", response={201: OrganisationOut, **errors(409)}, auth=officer_auth, summary="Thêm đơn vị (quản trị)")
def create_organisation(request, payload: OrganisationIn):
    parent, errors = _resolve_one("parent", payload.parent)
    if errors:
        raise ValidationFailed(errors)
    org = services.create_organisation(by=request.user, parent=parent, **payload.model_dump(exclude={"parent"}))
    return Status(201, _fresh_detail(org))


# --- merge ------------------------------------------------------------------------------------------


class MergeIn(Schema):
    sources: list[str] = Field(..., description="Mã định danh các đơn vị được hợp nhất")
    successor: str = Field(..., description="Mã định danh đơn vị kế thừa (đã có, có hiệu lực từ ngày hợp nhất)")
    effective_on: IsoDate = Field(..., description="Ngày hợp nhất có hiệu lực; các đơn vị cũ hết hiệu lực hôm trước")
    move_children: bool = Field(True, description="Chuyển các đơn vị trực thuộc còn hiệu lực sang đơn vị kế thừa")
    legal_basis: str = Field(..., max_length=300, description="Căn cứ pháp lý, ví dụ số nghị quyết")

    _legal_basis = field_validator("legal_basis")(_legal_basis)


class MergeOut(Schema):
    successor: OrganisationOut
    sources: list[OrganisationOut]


@router.post("/merge", response=MergeOut, auth=officer_auth, summary="Hợp nhất đơn vị (quản trị)")
def merge_organisations(request, payload: MergeIn):
    sources, errors = _resolve("sources", payload.sources)
    successor, successor_errors = _resolve_one("successor", payload.successor)
    if errors or successor_errors:
        raise ValidationFailed(errors + successor_errors)
    successor = services.merge_organisations(
        by=request.user,
        sources=sources,
        successor=successor,
        effective_on=payload.effective_on,
        move_children=payload.move_children,
        legal_basis=payload.legal_basis,
    )
    distinct = {org.pk: org for org in sources}.values()  # a unit may have been named by both its codes
    return MergeOut(successor=_fresh_detail(successor), sources=[_fresh_detail(org) for org in distinct])


# --- codes ------------------------------------------------------------------------------------------


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


# --- one unit ---------------------------------------------------------------------------------------


@router.get("/{code}", response=OrganisationOut, auth=None, summary="Chi tiết một cơ quan, đơn vị")
def get_organisation(request, code: str):
    return _detail(_by_code_or_404(code))


class OrganisationPatch(BaseModel):
    """Only the fields sent change; ``null`` clears a code or a date. The kind and the place in the tree
    do not change here (merge or dissolve instead)."""

    # A plain pydantic model: ninja's Schema reads the body as attributes and drops unknown keys. Kept,
    # an unknown field ("kind", "parent") is refused by name instead of being silently ignored.
    model_config = ConfigDict(extra="allow")

    name: str = Field(None, max_length=255)
    code: str | None = None
    legacy_code: str | None = None
    short_name: str = Field(None, max_length=100)
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    address: str = Field(None, max_length=300)
    phone: str = Field(None, max_length=30)
    email: str = Field(None, max_length=254)


@router.patch(
    "/{code}",
    response={200: OrganisationOut, **errors(409)},
    auth=officer_auth,
    summary="Sửa thông tin đơn vị (quản trị)",
)
def update_organisation(request, code: str, payload: OrganisationPatch):
    org = _by_code_or_404(code)
    if payload.model_extra:
        raise ValidationFailed([FieldError(name, "Trường này không sửa được.") for name in sorted(payload.model_extra)])
    org = services.update_organisation(by=request.user, organisation=org, **payload.model_dump(exclude_unset=True))
    return _fresh_detail(org)


class DissolveIn(Schema):
    effective_on: IsoDate = Field(..., description="Ngày giải thể có hiệu lực; đơn vị hết hiệu lực hôm trước")
    successor: str | None = Field(None, description="Mã định danh đơn vị kế thừa nhiệm vụ, nếu có")
    move_children_to: str | None = Field(
        None, description="Mã định danh đơn vị nhận các đơn vị trực thuộc còn hiệu lực; bỏ trống thì chúng ở lại"
    )
    legal_basis: str = Field(..., max_length=300, description="Căn cứ pháp lý, ví dụ số nghị quyết")

    _legal_basis = field_validator("legal_basis")(_legal_basis)


@router.post("/{code}/dissolve", response=OrganisationOut, auth=officer_auth, summary="Giải thể đơn vị (quản trị)")
def dissolve_organisation(request, code: str, payload: DissolveIn):
    org = _by_code_or_404(code)
    successor, errors = _resolve_one("successor", payload.successor)
    move_children_to, move_errors = _resolve_one("move_children_to", payload.move_children_to)
    if errors or move_errors:
        raise ValidationFailed(errors + move_errors)
    org = services.dissolve_organisation(
        by=request.user,
        organisation=org,
        effective_on=payload.effective_on,
        successor=successor,
        move_children_to=move_children_to,
        legal_basis=payload.legal_basis,
    )
    return _fresh_detail(org)


class UnitRef(Schema):
    code: str
    name: str


class SuccessionOut(Schema):
    predecessor: UnitRef
    successor: UnitRef | None = Field(..., description="Trống khi đơn vị giải thể mà không có đơn vị kế thừa")
    reason: Succession.Reason
    effective_on: date = Field(..., description="Ngày đơn vị kế thừa thay thế; đơn vị cũ hết hiệu lực hôm trước")
    legal_basis: str


class HistoryOut(Schema):
    organisation: OrganisationOut
    successions_in: list[SuccessionOut] = Field(..., description="Các đơn vị mà đơn vị này kế thừa")
    successions_out: list[SuccessionOut] = Field(..., description="Đơn vị này đã hợp nhất, giải thể vào đâu")


def _ref(org: Organisation | None) -> UnitRef | None:
    return UnitRef(code=org.identifier, name=org.name) if org is not None else None


def _succession_out(row: Succession) -> SuccessionOut:
    return SuccessionOut(
        predecessor=_ref(row.predecessor),
        successor=_ref(row.successor),
        reason=row.reason,
        effective_on=row.effective_on,
        legal_basis=row.legal_basis,
    )


@router.get("/{code}/history", response=HistoryOut, auth=None, summary="Lịch sử hợp nhất, giải thể của một đơn vị")
def history(request, code: str):
    org = _by_code_or_404(code)
    rows = Succession.objects.select_related("predecessor", "successor").order_by("effective_on", "pk")
    return HistoryOut(
        organisation=_detail(org),
        successions_in=[_succession_out(r) for r in rows.filter(successor=org)],
        successions_out=[_succession_out(r) for r in rows.filter(predecessor=org)],
    )
