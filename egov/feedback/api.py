"""API: feedback (send, track, published answers) and the rating of a returned dossier.

All four operations are public; each is rate limited per client address.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.throttling import AnonRateThrottle

from egov.access.authentication import BearerTokenAuth
from egov.core.errors import NotFound, Throttled, ValidationFailed
from egov.core.openapi import errors
from egov.feedback import selectors, services
from egov.feedback.models import Feedback, RatingValue
from egov.organisations import selectors as organisations

router = Router(tags=["Phản ánh, đánh giá"])


class FeedbackThrottle(AnonRateThrottle):
    """Per client address and per kind of operation; rates in settings (``EGOV_FEEDBACK_*_RATE``)."""

    RATES = {
        "submit": ("EGOV_FEEDBACK_SUBMIT_RATE", "10/hour"),
        "track": ("EGOV_LOOKUP_RATE", "30/min"),
        "rate": ("EGOV_RATING_RATE", "10/min"),
    }
    MESSAGES = {
        "submit": "Bạn đã gửi quá nhiều phản ánh. Vui lòng thử lại sau.",
        "track": "Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.",
        "rate": "Quá nhiều lần thử đánh giá. Vui lòng thử lại sau ít phút.",
    }

    def __init__(self, kind: str) -> None:
        from django.conf import settings

        self.kind = kind
        setting, default = self.RATES[kind]
        self.rate = getattr(settings, setting, default)
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow_request(self, request):
        return super(AnonRateThrottle, self).allow_request(request)

    def get_cache_key(self, request):
        from egov.core.middleware import client_ip

        return self.cache_format % {"scope": f"feedback-{self.kind}", "ident": client_ip(request) or "unknown"}


def check_throttle(request, kind: str) -> None:
    if not FeedbackThrottle(kind).allow_request(request):
        raise Throttled(FeedbackThrottle.MESSAGES[kind])


class FeedbackIn(Schema):
    agency: str | None = Field(None, description="Mã định danh cơ quan nhận; bỏ trống: UBND tỉnh")
    sender_name: str = Field(..., max_length=200)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    title: str = Field(..., max_length=300)
    content: str = Field(..., max_length=5000)
    related_dossier_code: str = Field("", max_length=60)


class FeedbackTrackOut(Schema):
    code: str
    agency: str
    title: str
    status: str
    status_label: str
    created_at: datetime
    due_at: datetime
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None


class PublishedOut(Schema):
    code: str
    agency: str
    title: str
    content: str
    answer: str
    created_at: datetime
    answered_at: datetime


class PublishedPage(Schema):
    items: list[PublishedOut]
    next: str | None = Field(None, description="Con trỏ trang sau (tham số ``after``)")


class RatingIn(Schema):
    value: str = Field(..., description="very_satisfied | satisfied | unsatisfied")
    comment: str = Field("", max_length=1000)
    phone: str = Field("", max_length=20, description="Số điện thoại của chủ hồ sơ, khi không đăng nhập")


class RatingOut(Schema):
    dossier: str
    value: str
    value_label: str
    created_at: datetime


def track_out(feedback: Feedback) -> FeedbackTrackOut:
    answered = feedback.answered_at is not None
    return FeedbackTrackOut(
        code=feedback.code,
        agency=feedback.agency.name,
        title=feedback.title,
        status=feedback.status,
        status_label=str(feedback.get_status_display()),
        created_at=feedback.created_at,
        due_at=feedback.due_at,
        answer=feedback.answer if answered else None,
        answered_at=feedback.answered_at,
        answered_by=(feedback.answered_by.get_full_name() or None) if answered and feedback.answered_by else None,
    )


@router.post("", response={201: FeedbackTrackOut, **errors(409, 429)}, auth=None, summary="Gửi phản ánh, kiến nghị")
def submit(request, payload: FeedbackIn):
    check_throttle(request, "submit")
    agency = None
    if payload.agency:
        agency = organisations.by_code(payload.agency)
        if agency is None:
            raise ValidationFailed.field("agency", f"Không tìm thấy cơ quan có mã '{payload.agency}'.")
    # Public and without a CSRF check: a browser session is not taken as the sender's identity.
    feedback = services.submit_feedback(by=None, agency=agency, **payload.dict(exclude={"agency"}))
    return 201, track_out(feedback)


@router.get("/published", response=PublishedPage, auth=None, summary="Phản ánh, kiến nghị đã trả lời công khai")
def published(request, after: str | None = None, limit: int = Query(20, ge=1, le=100)):
    rows, cursor = selectors.published(after=after, limit=limit)
    return PublishedPage(
        items=[
            PublishedOut(
                code=f.code,
                agency=f.agency.name,
                title=f.title,
                content=f.content,
                answer=f.answer,
                created_at=f.created_at,
                answered_at=f.answered_at,
            )
            for f in rows
        ],
        next=cursor,
    )


@router.get("/{code}", response={200: FeedbackTrackOut, **errors(429)}, auth=None, summary="Tra cứu phản ánh theo mã")
def track(request, code: str):
    check_throttle(request, "track")
    feedback = selectors.by_code(code)
    if feedback is None:
        raise NotFound("Không tìm thấy phản ánh có mã này.")
    return track_out(feedback)


@router.post(
    "/ratings/{code}", response={201: RatingOut, **errors(409, 429)}, auth=None, summary="Đánh giá mức độ hài lòng"
)
def rate(request, code: str, payload: RatingIn):
    """The applicant signs in with a bearer token; without one, the applicant's phone number on
    the dossier proves the right to rate. A browser session is not used here (no CSRF check on
    this public operation): the web page ``/danh-gia/<mã>/`` serves signed-in applicants."""
    check_throttle(request, "rate")
    user = BearerTokenAuth()(request) if request.headers.get("Authorization") else None
    rating = services.rate_dossier(
        by=user, code=code, value=payload.value, comment=payload.comment, phone=payload.phone
    )
    return 201, RatingOut(
        dossier=code,
        value=rating.value,
        value_label=str(RatingValue(rating.value).label),
        created_at=rating.created_at,
    )
