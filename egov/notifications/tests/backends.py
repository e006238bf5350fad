"""Gateways and mail backends for the tests: one that records, some that fail."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django_tasks.backends.base import BaseTaskBackend

from egov.notifications.sms import BaseSmsBackend, PermanentSmsDeliveryError, SmsDeliveryError

SENT: list[dict] = []


class RecordingSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, reference: str = "") -> str:
        SENT.append({"to": to, "text": text, "reference": reference})
        return f"rec-{len(SENT)}"


class BusySmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, reference: str = "") -> str:
        raise SmsDeliveryError("Cổng SMS trả lời HTTP 503: bận")


class RefusingSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, reference: str = "") -> str:
        raise PermanentSmsDeliveryError("Cổng SMS trả lời HTTP 400: số thuê bao không tồn tại")


class DisconnectedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"an.nguyen@example.vn": (550, b"5.1.1 User unknown")})


class UnavailableTaskBackend(BaseTaskBackend):
    """A task store that cannot be reached."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("task store down")
