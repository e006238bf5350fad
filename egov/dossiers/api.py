"""API: dossiers (create, read, actions), worklists, and the public lookup."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import prefetch_related_objects
from ninja import Field, Query, Router, Schema
from ninja.throttling import AnonRateThrottle

from egov.access import policy
from egov.access.authentication import officer_auth
from egov.catalogue.models import Procedure
from egov.core.errors import FieldError, NotFound, Throttled, ValidationFailed
from egov.core.openapi import errors
from egov.dossiers import selectors, services
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import TRANSITIONS, Status
from egov.organisations import selectors as organisations

router = Router(tags=["Hồ sơ"])
worklist_router = Router(tags=["Danh sách công việc"])
lookup_router = Router(tags=["Tra cứu hồ sơ"])


class ApplicantIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    identity: str = Field("", max_length=20)
    submitter_name: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    matter: str = Field("", max_length=500)


class FileIn(Schema):
    name: str = Field(..., max_length=255)
    content_base64: str


class ComponentIn(Schema):
    component_id: int
    provided: bool = True
    files: list[FileIn] = []


class DossierIn(Schema):
    procedure: str = Field(..., description="Mã thủ tục")
    agency: str = Field(..., description="Mã định danh cơ quan giải quyết")
    channel: Literal[1, 3] = Field(1, description="1 trực tiếp, 3 bưu chính")
    applicant: ApplicantIn
    components: list[ComponentIn]
    sets_count: int = Field(1, ge=1, le=100)


class TaskOut(Schema):
    order: int
    name: str
    agency: str
    unit: str
    assignee: str | None
    started_at: datetime
    due_at: datetime
    finished_at: datetime | None
    timeliness: str | None
    timeliness_label: str | None


class DossierComponentOut(Schema):
    name: str
    originals: int
    certified_copies: int
    photocopies: int
    required: bool
    provided: bool
    files: list[str]


class ResultLink(Schema):
    name: str
    issued_at: datetime
    url: str


class FormOut(Schema):
    code: str
    name: str
    issued_at: datetime
    signed: bool
    url: str


class DossierOut(Schema):
    code: str
    version: int
    status: int
    status_label: str
    channel: int
    procedure_code: str
    procedure_name: str
    agency: str
    receiving_unit: str
    applicant_name: str
    received_at: datetime | None
    due_at: datetime | None
    original_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    timeliness: str | None
    timeliness_label: str | None
    fee_amount: int
    fee_paid_at: datetime | None
    current_unit: str | None
    current_assignee: str | None
    allowed_actions: list[str]
    components: list[DossierComponentOut]
    tasks: list[TaskOut]
    forms: list[FormOut]
    results: list[ResultLink]


def dossier_out(dossier: Dossier, *, user) -> DossierOut:
    tasks = list(dossier.tasks.select_related("agency", "unit", "assignee").order_by("started_at", "pk"))
    # Prefetched onto the dossier, so the page that shows this data links the same rows' files.
    prefetch_related_objects([dossier], "components__files")
    components = list(dossier.components.all())
    forms = list(dossier.forms.all())
    return DossierOut(
        code=dossier.code,
        version=dossier.version,
        status=dossier.status,
        status_label=str(Status(dossier.status).label),
        channel=dossier.channel,
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure.name,
        agency=dossier.agency.name,
        receiving_unit=dossier.receiving_unit.name,
        applicant_name=dossier.applicant_name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        original_due_at=dossier.original_due_at,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        timeliness=_timeliness(dossier),
        timeliness_label=_timeliness_label(dossier),
        fee_amount=dossier.fee_amount,
        fee_paid_at=dossier.fee_paid_at,
        current_unit=dossier.current_unit.name if dossier.current_unit_id else None,
        current_assignee=dossier.current_assignee.get_username() if dossier.current_assignee_id else None,
        allowed_actions=[a for a, t in TRANSITIONS.items() if dossier.status in t.sources],
        components=[
            DossierComponentOut(
                name=c.name,
                originals=c.originals,
                certified_copies=c.certified_copies,
                photocopies=c.photocopies,
                required=c.required,
                provided=c.provided,
                files=[f.original_name for f in c.files.all()],
            )
            for c in components
        ],
        tasks=[
            TaskOut(
                order=t.order,
                name=t.name,
                agency=t.agency.name,
                unit=t.unit.name,
                assignee=t.assignee.get_username() if t.assignee_id else None,
                started_at=t.started_at,
                due_at=t.due_at,
                finished_at=t.finished_at,
                timeliness=_value(selectors.timeliness(due_at=t.due_at, finished_at=t.finished_at)),
                timeliness_label=_label(selectors.timeliness(due_at=t.due_at, finished_at=t.finished_at)),
            )
            for t in tasks
        ],
        forms=[
            FormOut(
                code=f.code, name=f.name, issued_at=f.issued_at, signed=f.signed, url=f"/can-bo/bieu-mau/{f.pk}.pdf"
            )
            for f in forms
        ],
        results=[
            ResultLink(name=r.name, issued_at=r.issued_at, url=f"/can-bo/ket-qua/{r.pk}.pdf")
            for r in dossier.results.all()
        ],
    )


def _value(t: selectors.Timeliness | None) -> str | None:
    return t.value if t else None


def _label(t: selectors.Timeliness | None) -> str | None:
    return str(t.label) if t else None


def _timeliness(dossier: Dossier) -> str | None:
    return _value(selectors.timeliness(due_at=dossier.due_at, finished_at=dossier.finished_at))


def _timeliness_label(dossier: Dossier) -> str | None:
    return _label(selectors.timeliness(due_at=dossier.due_at, finished_at=dossier.finished_at))


def _decode_files(component_index: int, files: list[FileIn]) -> tuple[list[services.UploadInput], list[FieldError]]:
    uploads, errors = [], []
    for f in files:
        try:
            uploads.append(services.UploadInput(name=f.name, content=base64.b64decode(f.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            errors.append(
                FieldError(f"components.{component_index}.files", f"Tệp '{f.name}' không phải base64 hợp lệ.")
            )
    return uploads, errors


@router.post(
    "",
    response={201: DossierOut, **errors(409)},
    auth=officer_auth,
    summary="Tiếp nhận hồ sơ tại quầy (trực tiếp/bưu chính)",
)
def create_dossier(request, payload: DossierIn):
    procedure = Procedure.objects.filter(code=payload.procedure).first()
    agency = organisations.by_code(payload.agency)
    errors = []
    if procedure is None:
        errors.append(FieldError("procedure", f"Không tìm thấy thủ tục có mã '{payload.procedure}'."))
    if agency is None:
        errors.append(FieldError("agency", f"Không tìm thấy cơ quan có mã '{payload.agency}'."))
    components = []
    for i, c in enumerate(payload.components):
        uploads, file_errors = _decode_files(i, c.files)
        errors += file_errors
        components.append(services.ComponentInput(c.component_id, c.provided, tuple(uploads)))
    if errors:
        raise ValidationFailed(errors)
    dossier = services.receive_dossier(
        by=request.user,
        procedure=procedure,
        agency=agency,
        channel=payload.channel,
        applicant=services.ApplicantInput(**payload.applicant.dict()),
        components=components,
        sets_count=payload.sets_count,
    )
    return 201, dossier_out(dossier, user=request.user)


@router.get("/{code}", response=DossierOut, auth=officer_auth, summary="Chi tiết hồ sơ")
def get_dossier(request, code: str):
    return dossier_out(selectors.visible_dossier(request.user, code), user=request.user)


class ResultIn(Schema):
    name: str = Field(..., min_length=1, max_length=500, description="Tên giấy tờ kết quả")
    file: FileIn


class DossierResultOut(Schema):
    name: str
    sha256: str
    issued_at: datetime
    url: str


@router.post(
    "/{code}/results",
    response={201: DossierResultOut, **errors(409)},
    auth=officer_auth,
    summary="Đính kèm kết quả điện tử (ký số)",
)
def attach_result(request, code: str, payload: ResultIn):
    uploads, errors = _decode_files(0, [payload.file])
    if errors:
        raise ValidationFailed([FieldError("file", e.message) for e in errors])
    result = services.attach_result(by=request.user, code=code, name=payload.name, upload=uploads[0])
    return 201, DossierResultOut(
        name=result.name, sha256=result.sha256, issued_at=result.issued_at, url=f"/can-bo/ket-qua/{result.pk}.pdf"
    )


class ActionIn(Schema):
    """The body of every action; each action reads only its own fields (see ``ACTION_CALLS``)."""

    version: int | None = Field(None, description="Phiên bản hồ sơ đang xem; khác với hiện tại → 409")
    note: str = Field("", max_length=500, description="forward, supplement: ý kiến xử lý")
    reason: str = Field("", max_length=1000, description="refuse, request_supplement, apologize, withdraw, stop: lý do")
    items: list[str] = Field(
        [], description="request_supplement: các nội dung phải bổ sung; refuse: thành phần còn thiếu (Mẫu 02)"
    )
    new_due_at: datetime | None = Field(None, description="apologize: ngày hẹn trả mới")
    assignee: str = Field("", description="reassign: tên đăng nhập của cán bộ")
    amount: int | None = Field(None, description="request_payment: số tiền (đồng)")
    method: Literal["counter", "post", "online"] | None = Field(None, description="return_result: hình thức trả")


# Each action and how its typed fields reach its service (one keyword-only service per action).
ACTION_CALLS: dict[str, Callable[..., Dossier]] = {
    "accept": lambda by, code, body: services.accept(by=by, dossier=code, version=body.version),
    "refuse": lambda by, code, body: services.refuse(
        by=by, dossier=code, reason=body.reason, missing=body.items, version=body.version
    ),
    "request_supplement": lambda by, code, body: services.request_supplement(
        by=by, dossier=code, items=body.items, reason=body.reason, version=body.version
    ),
    "supplement": lambda by, code, body: services.receive_supplement(
        by=by, dossier=code, note=body.note, version=body.version
    ),
    "claim": lambda by, code, body: services.claim(by=by, dossier=code, version=body.version),
    "reassign": lambda by, code, body: services.reassign(
        by=by, dossier=code, assignee=body.assignee, version=body.version
    ),
    "forward": lambda by, code, body: services.forward(by=by, dossier=code, note=body.note, version=body.version),
    "request_payment": lambda by, code, body: services.request_payment(
        by=by, dossier=code, amount=body.amount, version=body.version
    ),
    "record_payment": lambda by, code, body: services.record_payment(by=by, dossier=code, version=body.version),
    "apologize": lambda by, code, body: services.apologize(
        by=by, dossier=code, reason=body.reason, new_due_at=body.new_due_at, version=body.version
    ),
    "withdraw": lambda by, code, body: services.withdraw(by=by, dossier=code, reason=body.reason, version=body.version),
    "stop": lambda by, code, body: services.stop(by=by, dossier=code, reason=body.reason, version=body.version),
    "return_result": lambda by, code, body: services.return_result(
        by=by, dossier=code, method=body.method or "counter", version=body.version
    ),
}

ActionName = Literal[tuple(ACTION_CALLS)]  # type: ignore[valid-type]


@router.post(
    "/{code}/actions/{action}",
    response={200: DossierOut, **errors(409)},
    auth=officer_auth,
    summary="Thực hiện thao tác trên hồ sơ",
)
def act(request, code: str, action: ActionName, payload: ActionIn):
    dossier = ACTION_CALLS[action](request.user, code, payload)
    return dossier_out(
        Dossier.objects.select_related("procedure", "agency", "receiving_unit").get(pk=dossier.pk), user=request.user
    )


class WorklistItem(Schema):
    code: str
    status: int
    status_label: str
    procedure_name: str
    applicant_name: str
    received_at: datetime | None
    due_at: datetime | None
    current_unit: str | None
    current_assignee: str | None
    timeliness: str | None


class WorklistPage(Schema):
    items: list[WorklistItem]
    next_cursor: str | None


class WorklistQuery(Schema):
    after: str | None = None
    limit: int = Field(50, ge=1, le=200)


@worklist_router.get("/{kind}", response=WorklistPage, auth=officer_auth, summary="Danh sách công việc")
def get_worklist(request, kind: selectors.Worklist, query: Query[WorklistQuery]):
    rows, cursor = selectors.worklist(user=request.user, kind=kind, after=query.after, limit=query.limit)
    return WorklistPage(
        items=[
            WorklistItem(
                code=d.code,
                status=d.status,
                status_label=str(Status(d.status).label),
                procedure_name=d.procedure.name,
                applicant_name=d.applicant_name,
                received_at=d.received_at,
                due_at=d.due_at,
                current_unit=d.current_unit.name if d.current_unit_id else None,
                current_assignee=d.current_assignee.get_username() if d.current_assignee_id else None,
                timeliness=_timeliness(d),
            )
            for d in rows
        ],
        next_cursor=cursor,
    )


# --- public lookup ------------------------------------------------------------------------------


class LookupStep(Schema):
    name: str
    agency: str
    finished_at: datetime | None
    timeliness: str | None


class LookupOut(Schema):
    code: str
    procedure: str
    receiving_agency: str = Field(..., description="Nơi tiếp nhận và trả kết quả (bộ phận một cửa)")
    handling_agency: str = Field(..., description="Cơ quan giải quyết")
    received_at: datetime | None
    due_at: datetime | None
    status: int
    status_label: str
    timeliness: str | None
    timeliness_label: str | None
    steps_done: list[LookupStep]
    current_step: LookupStep | None = Field(None, description="Bước đang thực hiện (liên thông: ở cơ quan nào)")


def lookup(code: str) -> LookupOut:
    """What anyone with the code may see: no personal data."""
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "receiving_unit", "current_task__agency")
        .filter(code=code.strip())
        .first()
        if code
        else None
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ có mã '{code}'.")
    value = selectors.timeliness(due_at=dossier.due_at, finished_at=dossier.finished_at)
    steps = dossier.tasks.filter(finished_at__isnull=False).select_related("agency").order_by("finished_at", "pk")
    return LookupOut(
        code=dossier.code,
        procedure=dossier.procedure.name,
        receiving_agency=dossier.receiving_unit.name,
        handling_agency=dossier.agency.name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        status=dossier.status,
        status_label=str(Status(dossier.status).label),
        timeliness=value.value if value else None,
        timeliness_label=str(value.label) if value else None,
        steps_done=[
            LookupStep(
                name=t.name,
                agency=t.agency.name,
                finished_at=t.finished_at,
                timeliness=_value(selectors.timeliness(due_at=t.due_at, finished_at=t.finished_at)),
            )
            for t in steps
        ],
        current_step=_current_step(dossier),
    )


def _current_step(dossier: Dossier) -> LookupStep | None:
    task = dossier.current_task
    if task is None or task.finished_at is not None:
        return None
    return LookupStep(name=task.name, agency=task.agency.name, finished_at=None, timeliness=None)


class LookupThrottle(AnonRateThrottle):
    """Per client address, for everyone (officers too: the page is public)."""

    def allow_request(self, request):
        from django.conf import settings

        self.rate = getattr(settings, "EGOV_LOOKUP_RATE", "30/min")
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(AnonRateThrottle, self).allow_request(request)

    def get_cache_key(self, request):
        from egov.core.middleware import client_ip

        return self.cache_format % {"scope": "lookup", "ident": client_ip(request) or "unknown"}


LOOKUP_THROTTLED = "Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút."


@lookup_router.get("/{code}", response={200: LookupOut, **errors(429)}, auth=None, summary="Tra cứu hồ sơ")
def lookup_api(request, code: str):
    # Checked here rather than with ninja's ``throttle=``, whose 429 says "Too many requests." in English.
    if not LookupThrottle().allow_request(request):
        raise Throttled(LOOKUP_THROTTLED)
    return lookup(code)


# --- internal processes (administrators) --------------------------------------------------------

process_router = Router(tags=["Quy trình nội bộ"])


class StepIn(Schema):
    name: str = Field(..., max_length=200)
    agency: str = Field(..., description="Mã cơ quan thực hiện (khác cơ quan chủ trì: liên thông)")
    unit: str = Field(..., description="Mã đơn vị thực hiện")
    role: str = Field(..., max_length=50)
    hours: Decimal = Field(..., gt=0, le=100000)


class ProcessIn(Schema):
    procedure: str
    agency: str
    receiving_agency: str | None = Field(
        None, description="Liên thông giữa các cấp: mã cơ quan có bộ phận một cửa tiếp nhận và trả kết quả"
    )
    steps: list[StepIn]
    activate: bool = False


class StepOut(Schema):
    order: int
    name: str
    agency: str
    unit: str
    role: str
    hours: Decimal


class ProcessOut(Schema):
    id: int
    procedure: str
    agency: str
    receiving_agency: str | None
    version: int
    state: str
    total_hours: Decimal
    steps: list[StepOut]


def _process_out(process) -> ProcessOut:
    steps = process.steps.select_related("agency", "unit").order_by("order")
    return ProcessOut(
        id=process.pk,
        procedure=process.procedure.code,
        agency=process.agency.identifier,
        receiving_agency=process.receiving_agency.identifier if process.receiving_agency_id else None,
        version=process.version,
        state=process.state,
        total_hours=process.total_hours,
        steps=[
            StepOut(
                order=s.order,
                name=s.name,
                agency=s.agency.identifier,
                unit=s.unit.identifier,
                role=s.role,
                hours=s.hours,
            )
            for s in steps
        ],
    )


@process_router.get("", response=list[ProcessOut], auth=officer_auth, summary="Các phiên bản quy trình của một thủ tục")
def list_processes(request, procedure: str, agency: str):
    from egov.dossiers.models import ProcessDefinition

    rows = ProcessDefinition.objects.filter(procedure__code=procedure).select_related(
        "procedure", "agency", "receiving_agency"
    )
    org = organisations.by_code(agency)
    if org is None:
        raise ValidationFailed.field("agency", f"Không tìm thấy cơ quan có mã '{agency}'.")
    policy.require(request.user, "process.manage", org)
    return [_process_out(p) for p in rows.filter(agency=org).order_by("version")[:100]]


@process_router.post("", response={201: ProcessOut}, auth=officer_auth, summary="Tạo phiên bản quy trình nội bộ mới")
def create_process(request, payload: ProcessIn):
    from egov.catalogue.selectors import duration_for
    from egov.dossiers import processes

    procedure = Procedure.objects.filter(code=payload.procedure).first()
    agency = organisations.by_code(payload.agency)
    errors = []
    if procedure is None:
        errors.append(FieldError("procedure", f"Không tìm thấy thủ tục có mã '{payload.procedure}'."))
    if agency is None:
        errors.append(FieldError("agency", f"Không tìm thấy cơ quan có mã '{payload.agency}'."))
    receiving_agency = organisations.by_code(payload.receiving_agency) if payload.receiving_agency else None
    if payload.receiving_agency and receiving_agency is None:
        errors.append(FieldError("receiving_agency", f"Không tìm thấy cơ quan có mã '{payload.receiving_agency}'."))
    steps = []
    for i, step in enumerate(payload.steps, start=1):
        step_agency, unit = organisations.by_code(step.agency), organisations.by_code(step.unit)
        if step_agency is None:
            errors.append(FieldError(f"steps.{i}.agency", f"Không tìm thấy cơ quan có mã '{step.agency}'."))
        if unit is None:
            errors.append(FieldError(f"steps.{i}.unit", f"Không tìm thấy đơn vị có mã '{step.unit}'."))
        if step_agency and unit:
            steps.append(processes.StepSpec(step.name, step_agency, unit, step.role, step.hours))
    if errors:
        raise ValidationFailed(errors)
    amount, unit_name = duration_for(procedure, 1)
    process = processes.create_process(
        by=request.user,
        procedure=procedure,
        agency=agency,
        receiving_agency=receiving_agency,
        steps=steps,
        total_hours=processes.legal_hours(amount, unit_name),
    )
    if payload.activate:
        process = processes.activate_process(by=request.user, process=process)
    return 201, _process_out(process)


@process_router.post("/{process_id}/activate", response=ProcessOut, auth=officer_auth, summary="Áp dụng phiên bản này")
def activate_process(request, process_id: int):
    from egov.dossiers import processes
    from egov.dossiers.models import ProcessDefinition

    process = (
        ProcessDefinition.objects.select_related("procedure", "agency", "receiving_agency")
        .filter(pk=process_id)
        .first()
    )
    if process is None:
        raise NotFound("Không tìm thấy quy trình.")
    return _process_out(processes.activate_process(by=request.user, process=process))
