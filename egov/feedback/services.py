"""Every change to ratings and feedback: rating a returned dossier, sending feedback, answering
and publishing it. Each function validates, authorises, writes and audits in one transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.calendar import engine
from egov.calendar import selectors as calendar
from egov.core import numbering
from egov.core.context import public_url
from egov.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import Status
from egov.feedback.models import (
    OPEN_STATUSES,
    Feedback,
    FeedbackStatus,
    Rating,
    RatingValue,
)
from egov.notifications import services as notifications
from egov.notifications.recipients import InvalidRecipient, normalise_email, normalise_phone
from egov.organisations.models import AGENCY_KINDS, RECEIVING_KINDS, Organisation

__all__ = [
    "ANSWER_PERMISSIONS",
    "rate_dossier",
    "submit_feedback",
    "answer_feedback",
    "set_published",
    "may_answer",
    "default_agency",
    "next_code",
]

# Officers of the addressed agency who may answer: the one-stop desk and the leaders.
ANSWER_PERMISSIONS = ("dossier.receive", "dossier.approve")
COMMENT_MAX = 1000
CONTENT_MAX = 5000


def _answer_within_working_days() -> int:
    # NĐ 20/2008/NĐ-CP Đ? (verify): a feedback is handled within 10 working days; configurable.
    return int(getattr(settings, "EGOV_FEEDBACK_ANSWER_WORKING_DAYS", 10))


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _same_phone(given: str, recorded: str) -> bool:
    def canonical(value: str) -> str:
        try:
            return normalise_phone(value)
        except InvalidRecipient:  # a landline on the dossier: compare the digits
            return "".join(ch for ch in value if ch.isdigit())

    return bool(recorded.strip()) and canonical(given) == canonical(recorded)


# --- ratings ----------------------------------------------------------------------------------


@transaction.atomic
def rate_dossier(*, by, code: str, value: str, comment: str = "", phone: str = "") -> Rating:
    """Record the applicant's rating of dossier ``code`` (DOMAIN §6), once, after the result was
    handed over (status 10).

    Who may rate: the account that submitted the dossier; for a dossier with no account (received
    at the counter), whoever gives its code and the applicant's phone number on the dossier.
    Raises NotFound, ValidationFailed (422), PermissionDenied (403, wrong proof) or Conflict (409,
    not returned yet or already rated, with ``status`` in the details).
    """
    dossier = Dossier.objects.select_for_update().filter(code=(code or "").strip()).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ có mã này.")
    comment = (comment or "").strip()
    phone = (phone or "").strip()
    needs_phone = dossier.applicant_user_id is None
    errors = []
    if value not in RatingValue.values:
        errors.append(FieldError("value", "Chọn một mức: Rất hài lòng, Hài lòng hoặc Không hài lòng."))
    if len(comment) > COMMENT_MAX:
        errors.append(FieldError("comment", f"Ý kiến dài quá {COMMENT_MAX} ký tự."))
    if needs_phone and not phone:
        errors.append(FieldError("phone", "Nhập số điện thoại của chủ hồ sơ (ghi trên giấy tiếp nhận)."))
    if errors:
        raise ValidationFailed(errors)

    if not needs_phone:
        if not _authenticated(by) or by.pk != dossier.applicant_user_id:
            raise PermissionDenied("Hãy đăng nhập bằng tài khoản đã nộp hồ sơ này để đánh giá.")
    elif not _same_phone(phone, dossier.phone):
        raise PermissionDenied("Mã hồ sơ và số điện thoại không khớp với hồ sơ.")

    if dossier.status != Status.RETURNED:
        raise Conflict(
            f"Chỉ đánh giá được hồ sơ đã trả kết quả; hồ sơ đang ở trạng thái “{Status(dossier.status).label}”.",
            details={"status": dossier.status, "status_label": str(Status(dossier.status).label)},
        )
    if Rating.objects.filter(dossier=dossier).exists():
        raise Conflict("Hồ sơ này đã được đánh giá.", details={"status": dossier.status})
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier=dossier,
                agency_id=dossier.agency_id,
                value=value,
                comment=comment,
                created_at=timezone.now(),
                by=by if _authenticated(by) else None,
            )
    except IntegrityError as exc:  # the dossier lock makes this unlikely; the constraint decides
        raise Conflict("Hồ sơ này đã được đánh giá.", details={"status": dossier.status}) from exc
    audit.record(
        actor=by,
        action="feedback.rate",
        target=rating,
        after={"dossier": dossier.code, "value": value, "by_phone_proof": needs_phone},
    )
    return rating


# --- feedback ---------------------------------------------------------------------------------


def default_agency() -> Organisation | None:
    """The top of the tree (the province), which receives feedback addressed to nobody in particular."""
    return Organisation.objects.filter(depth=1, kind__in=AGENCY_KINDS).order_by("path").first()


def _handling_unit(agency: Organisation, day) -> Organisation:
    unit = (
        Organisation.objects.children_of(agency)
        .filter(kind__in=RECEIVING_KINDS)
        .active_on(day)
        .order_by("path")
        .first()
    )
    return unit or agency


def next_code(*, at) -> str:
    """``PA-YYMMDD-NNNN``: the number restarts every day (Vietnam time) and never repeats."""
    day = timezone.localtime(at).date()
    return f"PA-{day:%y%m%d}-{numbering.allocate(scope='feedback', period=numbering.daily(day)):04d}"


def _required(errors, field: str, value: str, message: str, limit: int, label: str) -> None:
    if not value:
        errors.append(FieldError(field, message))
    elif len(value) > limit:
        errors.append(FieldError(field, f"{label} dài quá {limit} ký tự."))


@transaction.atomic
def submit_feedback(
    *,
    by,
    sender_name: str,
    title: str,
    content: str,
    phone: str = "",
    email: str = "",
    address: str = "",
    agency: Organisation | None = None,
    related_dossier_code: str = "",
) -> Feedback:
    """Receive a phản ánh, kiến nghị from anyone (DOMAIN §11). At least one contact (phone or
    e-mail) is required so that the answer can reach the sender. Nothing is written on error."""
    sender_name, title, content = (sender_name or "").strip(), (title or "").strip(), (content or "").strip()
    phone, email, address = (phone or "").strip(), (email or "").strip(), (address or "").strip()
    related_dossier_code = (related_dossier_code or "").strip()
    errors: list[FieldError] = []
    _required(errors, "sender_name", sender_name, "Nhập họ và tên người gửi.", 200, "Họ và tên")
    _required(errors, "title", title, "Nhập tiêu đề phản ánh, kiến nghị.", 300, "Tiêu đề")
    _required(errors, "content", content, "Nhập nội dung phản ánh, kiến nghị.", CONTENT_MAX, "Nội dung")
    if len(address) > 300:
        errors.append(FieldError("address", "Địa chỉ dài quá 300 ký tự."))
    if not phone and not email:
        errors.append(FieldError("contact", "Nhập số điện thoại di động hoặc thư điện tử để nhận trả lời."))
    if phone:
        try:
            phone = normalise_phone(phone)
        except InvalidRecipient as exc:
            errors.append(FieldError("phone", str(exc)))
    if email:
        try:
            email = normalise_email(email)
        except InvalidRecipient as exc:
            errors.append(FieldError("email", str(exc)))
    if related_dossier_code and not Dossier.objects.filter(code=related_dossier_code).exists():
        errors.append(FieldError("related_dossier_code", "Không tìm thấy hồ sơ có mã này."))
    now = timezone.now()
    if agency is None:
        agency = default_agency()
        if agency is None:
            errors.append(FieldError("agency", "Chưa cấu hình cơ quan nhận phản ánh."))
    elif agency.kind not in AGENCY_KINDS or not agency.is_active_on(timezone.localdate(now)):
        errors.append(FieldError("agency", "Cơ quan nhận không hợp lệ hoặc đã ngừng hoạt động."))
    if errors:
        raise ValidationFailed(errors)

    spec = calendar.spec_for(calendar.calendar_for(agency))
    feedback = Feedback.objects.create(
        code=next_code(at=now),
        agency=agency,
        handling_unit=_handling_unit(agency, timezone.localdate(now)),
        sender_name=sender_name,
        phone=phone,
        email=email,
        address=address,
        title=title,
        content=content,
        related_dossier_code=related_dossier_code,
        created_at=now,
        due_at=engine.add_working_days(spec, now, _answer_within_working_days()),
    )
    audit.record(
        actor=by,
        action="feedback.submit",
        target=feedback,
        after={"code": feedback.code, "agency": agency.pk, "title": title, "due_at": feedback.due_at},
    )
    return feedback


def may_answer(user, feedback: Feedback) -> bool:
    return any(policy.has(user, perm, feedback) for perm in ANSWER_PERMISSIONS)


def _require_answerer(by, feedback: Feedback) -> None:
    if not may_answer(by, feedback):
        raise PermissionDenied("Chỉ cán bộ tiếp nhận hoặc lãnh đạo của cơ quan nhận phản ánh được trả lời.")


def _notify_answered(feedback: Feedback) -> None:
    track = public_url(f"/phan-anh/tra-cuu/?ma={feedback.code}")
    subject = f"Trả lời phản ánh, kiến nghị {feedback.code}"
    if feedback.email:
        notifications.enqueue(
            kind="feedback.answered",
            channel="email",
            recipient=feedback.email,
            subject=subject,
            body=(
                f"Kính gửi {feedback.sender_name},\n\n"
                f"{feedback.agency.name} đã trả lời phản ánh, kiến nghị “{feedback.title}” ({feedback.code}):\n\n"
                f"{feedback.answer}\n\nXem lại tại: {track}\n"
            ),
            reference=feedback.code,
            idempotency_key=f"feedback.answered:{feedback.pk}:email",
        )
    if feedback.phone:
        notifications.enqueue(
            kind="feedback.answered",
            channel="sms",
            recipient=feedback.phone,
            subject=subject,
            body=f"Phan anh {feedback.code} da duoc tra loi. Xem tai {track}",
            reference=feedback.code,
            idempotency_key=f"feedback.answered:{feedback.pk}:sms",
        )


@transaction.atomic
def answer_feedback(*, by, feedback: Feedback, answer: str, publish: bool = False) -> Feedback:
    """Answer an open feedback, optionally publishing it; the sender is told by e-mail and/or SMS
    after the commit. Only officers with ``dossier.receive`` or ``dossier.approve`` over the
    handling unit may answer."""
    feedback = Feedback.objects.select_for_update().select_related("agency", "handling_unit").get(pk=feedback.pk)
    _require_answerer(by, feedback)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed.field("answer", "Nhập nội dung trả lời.")
    if len(answer) > CONTENT_MAX:
        raise ValidationFailed.field("answer", f"Nội dung trả lời dài quá {CONTENT_MAX} ký tự.")
    if feedback.status not in OPEN_STATUSES:
        raise Conflict(
            f"Phản ánh đang ở trạng thái “{feedback.get_status_display()}”, không trả lời được nữa.",
            details={"status": feedback.status},
        )
    feedback.answer = answer
    feedback.answered_by = by if _authenticated(by) else None
    feedback.answered_at = timezone.now()
    feedback.status = FeedbackStatus.ANSWERED
    feedback.published = bool(publish)
    feedback.save(update_fields=["answer", "answered_by", "answered_at", "status", "published"])
    audit.record(
        actor=by,
        action="feedback.answer",
        target=feedback,
        after={
            "status": feedback.status,
            "published": feedback.published,
            "on_time": feedback.answered_at <= feedback.due_at,
        },
    )
    _notify_answered(feedback)
    return feedback


@transaction.atomic
def set_published(*, by, feedback: Feedback, published: bool) -> Feedback:
    """Show or hide an answered feedback in the public list."""
    feedback = Feedback.objects.select_for_update().select_related("handling_unit").get(pk=feedback.pk)
    _require_answerer(by, feedback)
    if published and feedback.status not in (FeedbackStatus.ANSWERED, FeedbackStatus.CLOSED):
        raise Conflict("Chỉ công khai được phản ánh đã có trả lời.", details={"status": feedback.status})
    if feedback.published != published:
        before = feedback.published
        feedback.published = published
        feedback.save(update_fields=["published"])
        audit.record(
            actor=by,
            action="feedback.set_published",
            target=feedback,
            before={"published": before},
            after={"published": published},
        )
    return feedback
