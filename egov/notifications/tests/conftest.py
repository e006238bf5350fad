"""Fixtures for the outbox tests: task backends to observe the queue, recording gateways, sample data."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from egov.notifications.tests import backends

VN = ZoneInfo("Asia/Ho_Chi_Minh")

COMMON = {
    "applicant_name": "Nguyễn Văn An",
    "dossier_code": "000.00.01.H98-260320-0007",
    "procedure_name": "Cấp Phiếu lý lịch tư pháp",
    "agency_name": "Bộ phận Một cửa Sở Tư pháp",
    "lookup_url": "https://dichvucong.sonnam.gov.vn/tra-cuu",
}

CONTEXTS = {
    "dossier.submitted": {**COMMON, "submitted_at": datetime(2026, 3, 19, 21, 40, tzinfo=VN)},
    "dossier.received": {
        **COMMON,
        "received_at": datetime(2026, 3, 20, 8, 15, tzinfo=VN),
        "due_at": datetime(2026, 3, 30, 16, 0, tzinfo=VN),
    },
    "dossier.supplement_requested": {
        **COMMON,
        "items": ["Bản sao Căn cước công dân", "Tờ khai có chữ ký của người yêu cầu"],
        "deadline": date(2026, 3, 27),
        "reason": "Tờ khai chưa có chữ ký.",
        "officer_name": "Trần Thị Bình",
        "officer_phone": "0236 3822 111",
    },
    "dossier.result_ready": {
        **COMMON,
        "how_to_receive": "Nhận trực tiếp tại Bộ phận Một cửa Sở Tư pháp, số 12 Lê Lợi, trong giờ hành chính.",
    },
    "dossier.apology": {
        **COMMON,
        "received_at": datetime(2026, 3, 20, 8, 15, tzinfo=VN),
        "original_due_at": datetime(2026, 3, 30, 16, 0, tzinfo=VN),
        "new_due_at": datetime(2026, 4, 3, 16, 0, tzinfo=VN),
        "reason": "Cần xác minh thông tin với Công an tỉnh.",
    },
    "dossier.refused_incomplete": {
        **COMMON,
        "items": ["Bản sao giấy tờ tùy thân rõ nét"],
        "reason": "Hồ sơ chưa có đủ thành phần.",
    },
    "dossier.stopped": {**COMMON, "reason": "Quá thời hạn bổ sung, hoàn thiện hồ sơ."},
    "account.verification_code": {"full_name": "Nguyễn Văn An", "code": "048213", "valid_minutes": 15},
}


@pytest.fixture
def dummy_tasks(settings):
    """The task queue replaced by django-tasks' DummyBackend: enqueued tasks are listed, never run."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    return backend


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as soon as they are enqueued (after the commit, for the outbox)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def sms_sent(settings):
    """SMS go to a recording gateway; returns the list of what it was given."""
    settings.EGOV_SMS_BACKEND = "egov.notifications.tests.backends.RecordingSmsBackend"
    backends.SENT.clear()
    yield backends.SENT
    backends.SENT.clear()


def email_message(**overrides):
    from egov.notifications import services

    fields = {
        "kind": "dossier.received",
        "channel": "email",
        "recipient": "an.nguyen@example.vn",
        "subject": "Hồ sơ đã được tiếp nhận",
        "body": "Kính gửi Ông/Bà Nguyễn Văn An,",
        "reference": "000.00.01.H98-260320-0007",
    }
    return services.enqueue(**{**fields, **overrides})


def sms_message(**overrides):
    return email_message(**{"channel": "sms", "recipient": "0912 345 678", "subject": "", **overrides})
