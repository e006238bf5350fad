"""What a dossier action produces besides the data: the legal form (rendered by ``egov.forms``,
signed by ``egov.signing``, stored as an ``IssuedForm``) and the notification to the applicant
(queued in ``egov.notifications``' outbox, sent after the commit)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from egov.catalogue import selectors as catalogue
from egov.dossiers.models import Dossier, DossierTask, IssuedForm, RuleSet
from egov.dossiers.selectors import timeliness
from egov.forms import contexts as forms
from egov.forms.rendering import render_pdf_for
from egov.notifications import services as notifications
from egov.organisations.selectors import ancestors_and_self
from egov.signing import services as signing

__all__ = ["issue", "render_signed", "notify", "lookup_url", "legal_time_text", "register_rows", "register_workbook"]

_UNIT_WORDS = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "calendar_days": "ngày"}


def lookup_url(dossier: Dossier) -> str:
    base = getattr(settings, "EGOV_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{reverse('dossiers:lookup_code', args=[dossier.code])}"


def legal_time_text(dossier: Dossier) -> str:
    amount, unit = catalogue.duration_for(dossier.procedure, dossier.channel)
    number = format(Decimal(amount).normalize(), "f").replace(".", ",")
    return f"{number} {_UNIT_WORDS.get(str(unit), str(unit))}"


def _officer_name(user) -> str:
    return user.get_full_name() if getattr(user, "is_authenticated", False) else "Hệ thống"


def _header(dossier: Dossier, unit) -> dict:
    chain = list(ancestors_and_self(unit))
    parent = chain[-2].name.upper() if len(chain) >= 2 else ""
    return {"issuing_unit_name": unit.name.upper(), "parent_unit_name": parent, "place_name": _place(chain)}


def _place(chain) -> str:
    root = chain[0].name if chain else ""
    for prefix in ("UBND tỉnh ", "UBND thành phố ", "Ủy ban nhân dân tỉnh "):
        if root.startswith(prefix):
            return root.removeprefix(prefix)
    return root


def _leader(agency) -> tuple[str, str]:
    from egov.people.models import Position

    position = (
        Position.objects.active_on(timezone.localdate())
        .filter(unit=agency, role__code="agency_leader")
        .select_related("user")
        .first()
    )
    if position is None:
        return "THỦ TRƯỞNG CƠ QUAN", ""
    return (position.title or "Thủ trưởng cơ quan").upper(), position.user.get_full_name()


def _context(dossier: Dossier, kind: str, *, by, extra: dict) -> forms.FormContext:
    url = lookup_url(dossier)
    header = _header(dossier, dossier.receiving_unit)
    common = {"agency_name": dossier.receiving_unit.name, "dossier_code": dossier.code}
    if kind == "receipt":
        components = tuple(
            forms.ComponentLine(
                name=c.name, originals=c.originals, certified_copies=c.certified_copies, photocopies=c.photocopies
            )
            for c in dossier.components.filter(provided=True)
        )
        return forms.ReceiptContext(
            **header,
            **common,
            register_number=dossier.code.rsplit("-", 1)[-1],
            applicant_name=dossier.applicant_name,
            address=dossier.address or "—",
            procedure_name=dossier.procedure.name,
            components=components,
            legal_time_text=legal_time_text(dossier),
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            officer_name=_officer_name(by),
            lookup_url=url,
            submitter_name=dossier.submitter_name,
            phone=dossier.phone,
            email=dossier.email,
            identity_number=dossier.applicant_identity,
            sets_count=dossier.sets_count,
        )
    if kind == "supplement_request":
        request = dossier.supplement_requests.order_by("-requested_at").first()
        return forms.SupplementContext(
            **header,
            **common,
            applicant_name=dossier.applicant_name,
            procedure_name=dossier.procedure.name,
            items=tuple(request.items),
            reason=request.reason,
            officer_name=_officer_name(by),
            officer_phone=dossier.receiving_unit.phone or "—",
            lookup_url=url,
            address=dossier.address,
            phone=dossier.phone,
            email=dossier.email,
            received_at=dossier.received_at,
        )
    if kind == "refusal":
        return forms.RefusalContext(
            **header,
            **common,
            applicant_name=dossier.applicant_name,
            procedure_name=dossier.procedure.name,
            reason=dossier.closed_reason,
            officer_name=_officer_name(by),
            address=dossier.address,
            phone=dossier.phone,
            email=dossier.email,
            received_at=dossier.received_at or dossier.submitted_at,
            lookup_url=url,
        )
    if kind == "apology":
        title, name = _leader(dossier.agency)
        return forms.ApologyContext(
            **_header(dossier, dossier.agency),
            agency_name=dossier.agency.name,
            dossier_code=dossier.code,
            addressee_name=dossier.applicant_name,
            procedure_name=dossier.procedure.name,
            received_at=dossier.received_at,
            original_due_at=extra["_old_due_at"],
            reason=extra.get("reason", ""),
            new_due_at=dossier.due_at,
            signer_title=title,
            signer_name=name,
            lookup_url=url,
        )
    if kind == "control_slip":
        return forms.ControlSlipContext(
            **header,
            **common,
            applicant_name=dossier.applicant_name,
            procedure_name=dossier.procedure.name,
            lead_agency_name=dossier.agency.name,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            handovers=tuple(_handovers(dossier)),
            lookup_url=url,
        )
    raise ValueError(f"unknown form kind {kind!r}")


def _handovers(dossier: Dossier):
    """Each finished step is a hand-over from its unit to the next step's unit (Mẫu 05)."""
    tasks = list(
        DossierTask.objects.filter(dossier=dossier).select_related("unit", "finished_by").order_by("started_at", "pk")
    )
    for i, task in enumerate(tasks):
        if task.finished_at is None:
            continue
        following = tasks[i + 1] if i + 1 < len(tasks) else None
        result = timeliness(due_at=task.due_at, finished_at=task.finished_at)
        yield forms.HandoverLine(
            from_agency=task.unit.name,
            to_agency=following.unit.name if following else dossier.receiving_unit.name,
            handed_at=task.finished_at,
            giver_name=task.finished_by.get_full_name() if task.finished_by_id else "",
            receiver_name="",
            result=forms.Timeliness(result.value) if result else None,
        )


def _render(dossier: Dossier, kind: str, *, by, extra: dict) -> tuple[bytes, str]:
    rule_set: RuleSet = dossier.rule_set
    context = _context(dossier, kind, by=by, extra=extra)
    pdf = render_pdf_for(form_set=rule_set.form_set, context=context)
    return pdf, context.kind


def render_signed(dossier: Dossier, kind: str, *, by, extra: dict | None = None) -> bytes:
    """The form ``kind`` for ``dossier``, rendered and signed by the issuing unit (not stored)."""
    from egov.forms.selectors import current_template_of_kind

    template = current_template_of_kind(form_set=dossier.rule_set.form_set, kind=_form_kind(kind))
    pdf, _ = _render(dossier, kind, by=by, extra=extra or {})  # _context knows "supplement_request"
    signer_unit = dossier.agency if kind == "apology" else dossier.receiving_unit
    return signing.sign_pdf(pdf=pdf, unit=signer_unit, reason=f"Phát hành {template.name}")


def sign_result(dossier: Dossier, pdf: bytes, *, name: str) -> bytes:
    """A result document signed by the handling agency, with a visible stamp (e-result)."""
    return signing.sign_pdf(pdf=pdf, unit=dossier.agency, reason=f"Kết quả giải quyết: {name}", appearance="stamp")


def issue(dossier: Dossier, kind: str, *, by, extra: dict | None = None) -> IssuedForm:
    """Render, sign with the issuing unit's key and store the form ``kind`` for ``dossier``."""
    from egov.forms.selectors import current_template_of_kind

    template = current_template_of_kind(form_set=dossier.rule_set.form_set, kind=_form_kind(kind))
    pdf = render_signed(dossier, kind, by=by, extra=extra)
    issued = IssuedForm(
        dossier=dossier,
        form_set=dossier.rule_set.form_set,
        code=template.code,
        name=template.name,
        sha256=hashlib.sha256(pdf).hexdigest(),
        signed=True,
        issued_at=timezone.now(),
        issued_by=by if getattr(by, "is_authenticated", False) else None,
    )
    issued.pdf.save(f"{dossier.code}-mau-{template.code}.pdf", ContentFile(pdf), save=False)
    issued.save()
    return issued


def _form_kind(kind: str) -> str:
    return {"supplement_request": "supplement"}.get(kind, kind)


def notify(dossier: Dossier, kind: str, *, extra: dict | None = None) -> None:
    """Tell the applicant, once per event (idempotency key), by e-mail and/or SMS."""
    extra = extra or {}
    if not (dossier.email or dossier.phone):
        return
    context = {
        "applicant_name": dossier.applicant_name,
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure.name,
        "agency_name": dossier.agency.name,
        "lookup_url": lookup_url(dossier),
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "submitted_at": dossier.submitted_at,
    }
    if kind == "dossier.supplement_requested":
        request = dossier.supplement_requests.order_by("-requested_at").first()
        restart = dossier.rule_set.supplement_policy == RuleSet.SupplementPolicy.RESTART
        context |= {
            "items": request.items,
            "reason": request.reason,
            # The law sets no deadline for the applicant; the note says what happens to the clock.
            "note": (
                "Thời hạn giải quyết được tính lại từ đầu khi cơ quan nhận đủ hồ sơ bổ sung."
                if restart
                else "Thời hạn giải quyết được cộng thêm thời gian chờ bổ sung."
            ),
        }
    elif kind == "dossier.result_ready":
        context |= {
            "how_to_receive": f"Nhận kết quả tại {dossier.receiving_unit.name}"
            + (f", {dossier.receiving_unit.address}" if dossier.receiving_unit.address else "")
            + ", mang theo giấy tiếp nhận và hẹn trả kết quả.",
        }
    elif kind == "dossier.apology":
        context |= {
            "original_due_at": extra.get("_old_due_at"),
            "new_due_at": dossier.due_at,
            "reason": extra.get("reason", ""),
        }
    notifications.notify(
        kind=kind,
        email=dossier.email or None,
        phone=dossier.phone or None,
        context=context,
        reference=dossier.code,
        idempotency_key=f"{kind}:{dossier.pk}:{dossier.version}",
    )


def register_workbook(*, user, start, end) -> bytes:
    """Mẫu 06 as Excel: dossiers received from ``start`` to ``end`` (inclusive) by the units the
    user may see, streamed in reception order."""
    from datetime import datetime, time

    from egov.access import policy
    from egov.forms.registers import register_xlsx

    tz = timezone.get_current_timezone()
    received = Dossier.objects.filter(
        received_at__gte=datetime.combine(start, time.min, tzinfo=tz),
        received_at__lt=datetime.combine(end, time.max, tzinfo=tz),
    )
    # The agency's officers see its dossiers; the one-stop unit's see what it received.
    qs = policy.scope(user, "dossier.view", received, path_field="agency__path") | policy.scope(
        user, "dossier.view", received, path_field="receiving_unit__path"
    )
    qs = qs.select_related("procedure", "agency", "received_by").order_by("received_at", "pk")
    period = f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"
    return register_xlsx(register_rows(qs.iterator(chunk_size=2000)), period_text=period)


def register_rows(dossiers):
    """Mẫu 06 rows for the Excel register."""
    for d in dossiers:
        yield forms.RegisterRow(
            dossier_code=d.code,
            applicant_name=d.applicant_name,
            received_at=d.received_at,
            summary=d.matter or d.procedure.name,
            address=d.address,
            phone=d.phone,
            due_at=d.due_at,
            returned_at=d.returned_at,
            receiving_officer=d.received_by.get_full_name() if d.received_by_id else "",
            procedure_name=d.procedure.name,
            lead_agency=d.agency.name,
        )
