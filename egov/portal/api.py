"""API for citizens' and businesses' own accounts: online submission (idempotent), their dossiers,
a supplement. Authenticated by a bearer token (``POST /api/v1/auth/token``) or the session."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from ninja import Field, Header, Router, Schema
from ninja.responses import Response

from egov.access.authentication import BearerTokenAuth, SessionAuth
from egov.catalogue.models import Procedure
from egov.core.errors import FieldError, ValidationFailed
from egov.core.openapi import errors
from egov.dossiers.api import DossierOut, dossier_out
from egov.dossiers.services import ApplicantInput, ComponentInput, UploadInput
from egov.organisations import selectors as organisations
from egov.portal import selectors, services

router = Router(tags=["Cổng dịch vụ công: hồ sơ của tôi"])
user_auth = [BearerTokenAuth(), SessionAuth()]


class PortalFileIn(Schema):
    name: str = Field(..., max_length=255)
    content_base64: str = Field(..., description="Nội dung tệp, mã hóa base64")


class PortalComponentIn(Schema):
    component_id: int = Field(..., description="Mã thành phần hồ sơ của thủ tục (components[].id ở /procedures/{code})")
    files: list[PortalFileIn] = []
    reuse: list[str] = Field([], description="Giấy tờ trong kho để dùng lại: 'document:<id>' hoặc 'result:<id>'")


class PortalApplicantIn(Schema):
    name: str = Field(..., max_length=200)
    identity: str = Field("", max_length=20)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)


class SubmissionIn(Schema):
    procedure: str = Field(..., description="Mã thủ tục")
    agency: str = Field(..., description="Mã định danh cơ quan giải quyết")
    applicant: PortalApplicantIn
    data: dict = Field({}, description="Dữ liệu tờ khai điện tử theo lược đồ của thủ tục")
    components: list[PortalComponentIn] = []


class DossierRow(Schema):
    code: str
    status: int
    status_label: str
    procedure_code: str
    procedure_name: str
    agency: str
    submitted_at: datetime | None
    due_at: datetime | None
    fee_amount: int
    fee_paid_at: datetime | None


class DossierPage(Schema):
    items: list[DossierRow]
    next: str | None


def _decode(index: int, f: PortalFileIn) -> UploadInput | FieldError:
    try:
        return UploadInput(name=f.name, content=base64.b64decode(f.content_base64, validate=True))
    except (binascii.Error, ValueError):
        return FieldError(f"components.{index}.files", f"Tệp '{f.name}' không phải dữ liệu base64 hợp lệ.")


@router.post(
    "/submissions",
    response={200: DossierOut, 201: DossierOut, **errors(409)},
    auth=user_auth,
    summary="Nộp hồ sơ trực tuyến (lặp lại cùng Idempotency-Key trả về hồ sơ đã tạo)",
)
def submit(request, payload: SubmissionIn, idempotency_key: str = Header(..., alias="Idempotency-Key")):
    procedure = Procedure.objects.filter(code=payload.procedure).first()
    if procedure is None:
        raise ValidationFailed.field("procedure", f"Không có thủ tục mã '{payload.procedure}'.")
    agency = organisations.by_code(payload.agency)  # an agency that does not implement it: submit_online says so
    errors: list[FieldError] = []
    components = []
    for index, given in enumerate(payload.components):
        uploads = []
        for f in given.files:
            decoded = _decode(index, f)
            (errors if isinstance(decoded, FieldError) else uploads).append(decoded)
        for ref in given.reuse:
            resolved = services.resolve_reuse(request.auth, ref, field=f"components.{index}.reuse")
            (errors if isinstance(resolved, FieldError) else uploads).append(resolved)
        components.append(ComponentInput(given.component_id, provided=bool(uploads), uploads=tuple(uploads)))
    if errors:
        raise ValidationFailed(errors)
    dossier, created = services.submit(
        by=request.auth,
        procedure=procedure,
        agency=agency,
        applicant=ApplicantInput(**payload.applicant.dict()),
        data=payload.data,
        components=components,
        idempotency_key=idempotency_key,
    )
    return Response(dossier_out(dossier, user=request.auth).dict(), status=201 if created else 200)


@router.get("/dossiers", response=DossierPage, auth=user_auth, summary="Hồ sơ của tôi (mới nhất trước)")
def my_dossiers(request, after: str | None = None, limit: int = 20):
    rows, cursor = selectors.my_dossiers(request.auth, after=after, limit=max(1, min(limit, 100)))
    return {
        "items": [
            {
                "code": d.code,
                "status": d.status,
                "status_label": str(d.get_status_display()),
                "procedure_code": d.procedure.code,
                "procedure_name": d.procedure.name,
                "agency": d.agency.name,
                "submitted_at": d.submitted_at,
                "due_at": d.due_at,
                "fee_amount": d.fee_amount,
                "fee_paid_at": d.fee_paid_at,
            }
            for d in rows
        ],
        "next": cursor,
    }


@router.get("/dossiers/{code}", response=DossierOut, auth=user_auth, summary="Một hồ sơ của tôi")
def my_dossier(request, code: str):
    return dossier_out(selectors.my_dossier(request.auth, code), user=request.auth)
