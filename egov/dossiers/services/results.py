"""Results: the electronic result document attached to a dossier, signed by the handling agency."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from egov.core.uploads import check_upload
from egov.dossiers import documents
from egov.dossiers.models import Dossier, DossierResult
from egov.dossiers.services.common import HANDLING_PERMISSIONS, actor, event, not_found
from egov.dossiers.services.reception import UploadInput
from egov.dossiers.statuses import Status

__all__ = ["RESULT_STATUSES", "attach_result", "may_attach_result"]

RESULT_STATUSES = frozenset({Status.PROCESSING, Status.DONE})


def may_attach_result(by, dossier: Dossier) -> bool:
    """The officers of the unit holding the dossier now, or those who process/approve for its agency."""
    if dossier.status not in RESULT_STATUSES:
        return False
    unit = dossier.current_unit or dossier.receiving_unit
    return any(policy.has(by, perm, unit) for perm in HANDLING_PERMISSIONS) or any(
        policy.has(by, perm, dossier.agency) for perm in ("dossier.process", "dossier.approve")
    )


@transaction.atomic
def attach_result(*, by, code: str, name: str, upload: UploadInput) -> DossierResult:
    """Attach a result document: a PDF, signed with the handling agency's key (e-result)."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("agency").filter(code=code).first()
    if dossier is None:
        raise not_found(code)
    if not may_attach_result(by, dossier):
        raise PermissionDenied(f"Chỉ cán bộ đang xử lý hồ sơ tại {dossier.agency.name} được đính kèm kết quả.")
    if dossier.status not in RESULT_STATUSES:
        raise Conflict(
            f"Chỉ đính kèm kết quả khi hồ sơ đang xử lý hoặc đã xử lý xong (hiện: {Status(dossier.status).label}).",
            details={"current_status": dossier.status},
        )
    errors = []
    if not name.strip():
        errors.append(FieldError("name", "Cần ghi tên giấy tờ kết quả."))
    checked = check_upload(field="file", name=upload.name, content=upload.content)
    if isinstance(checked, FieldError):
        errors.append(checked)
    elif checked.content_type != "application/pdf":
        errors.append(FieldError("file", "Kết quả điện tử phải là tệp PDF để ký số."))
    if errors:
        raise ValidationFailed(errors)
    signed = documents.sign_result(dossier, checked.content, name=name.strip())
    result = DossierResult(
        dossier=dossier,
        name=name.strip()[:500],
        sha256=hashlib.sha256(signed).hexdigest(),
        signed_by_unit=dossier.agency,
        issued_at=timezone.now(),
        issued_by=actor(by),
    )
    result.pdf.save(f"{dossier.code}-ket-qua.pdf", ContentFile(signed), save=False)
    result.save()
    Dossier.objects.filter(pk=dossier.pk).update(version=F("version") + 1)
    event(dossier, action="attach_result", from_status=dossier.status, actor=by, data={"name": result.name})
    audit.record(
        actor=by, action="dossier.attach_result", target=dossier, after={"result": result.name, "sha256": result.sha256}
    )
    return result
