"""Zalo Notification Service (ZNS): template messages to a citizen's Zalo account, by phone number.

ZNS sends only templates registered beforehand with Zalo (each has a ``template_id`` and named
parameters); the platform fills the parameters from the notification's context. Which template
serves which kind of notification is ``settings.EGOV_ZALO_TEMPLATES`` (``{"dossier.received":
"231234", ...}``): a kind without a template is never sent by Zalo.

The gateway is chosen by ``settings.EGOV_ZALO_BACKEND`` (a dotted class path):

* :class:`FileZaloBackend` (the default) appends one JSON line per message to
  ``settings.EGOV_ZALO_FILE`` (default ``VAR_DIR/zalo.log``): the stand-in for the demo and tests;
* :class:`HttpZaloBackend` calls the ZNS API (``POST EGOV_ZALO_API_URL`` with the header
  ``access_token: EGOV_ZALO_ACCESS_TOKEN``).

A gateway is a class with ``send(*, phone, template_id, template_data, tracking_id="") -> str``
returning the provider's message id; it raises :class:`ZaloDeliveryError` for a failure worth
retrying and :class:`PermanentZaloDeliveryError` for one that never succeeds (no Zalo account).
Retries are the outbox's (``egov.notifications.services.deliver``).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

__all__ = [
    "DEFAULT_ZALO_BACKEND",
    "ZNS_API_URL",
    "ZaloDeliveryError",
    "PermanentZaloDeliveryError",
    "BaseZaloBackend",
    "FileZaloBackend",
    "HttpZaloBackend",
    "get_zalo_backend",
    "template_for",
    "template_data",
    "zalo_phone",
]

DEFAULT_ZALO_BACKEND = "egov.notifications.zalo.FileZaloBackend"
ZNS_API_URL = "https://business.openapi.zalo.me/message/template"

# ZNS parameters are strings of limited length (the longest parameter type takes 200 characters).
_PARAM_LIMIT = 200

# ZNS error codes after which a retry cannot succeed: invalid phone number (-108), template id
# invalid (-109), template data invalid (-112), no Zalo account behind the number (-118), user
# refused ZNS messages (-139). Others (quota, access token expired, server busy) are retried: an
# operator renewing the token makes the next try succeed.
_PERMANENT_CODES = frozenset({-108, -109, -112, -118, -139})


class ZaloDeliveryError(Exception):
    """ZNS did not take the message; trying again later may work."""


class PermanentZaloDeliveryError(ZaloDeliveryError):
    """ZNS refused the message for good (no Zalo account, template refused): do not retry."""


def zalo_phone(recipient: str) -> str:
    """``"+84912345678"`` (the outbox's form) → ``"84912345678"``, the form ZNS expects."""
    return recipient[1:] if recipient.startswith("+") else recipient


def template_for(kind: str) -> str:
    """The ZNS template id for ``kind``, or ``""`` when Zalo does not send that kind."""
    return str((getattr(settings, "EGOV_ZALO_TEMPLATES", None) or {}).get(kind, ""))


def _param(value: Any) -> str:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%H:%M %d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, (list, tuple)):
        return "; ".join(_param(item) for item in value)
    return " ".join(str(value).split())[:_PARAM_LIMIT]


def template_data(context: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    """The template's parameters: each of ``keys`` that the context has, as ZNS strings."""
    return {key: _param(context[key]) for key in keys if context.get(key) not in (None, "", [], ())}


class BaseZaloBackend:
    def send(
        self, *, phone: str, template_id: str, template_data: Mapping[str, str], tracking_id: str = ""
    ) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def _var_dir() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var"))


class FileZaloBackend(BaseZaloBackend):
    """Appends one JSON object per line to ``EGOV_ZALO_FILE`` (default ``VAR_DIR/zalo.log``)."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or getattr(settings, "EGOV_ZALO_FILE", None) or _var_dir() / "zalo.log")

    def send(self, *, phone: str, template_id: str, template_data: Mapping[str, str], tracking_id: str = "") -> str:
        message_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps(
            {
                "id": message_id,
                "at": timezone.now().isoformat(),
                "phone": phone,
                "template_id": template_id,
                "template_data": dict(template_data),
                "tracking_id": tracking_id,
            },
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise ZaloDeliveryError(f"Không ghi được tệp {self.path}: {exc}") from exc
        return message_id


class HttpZaloBackend(BaseZaloBackend):
    """The ZNS API: ``POST {"phone", "template_id", "template_data", "tracking_id"}``.

    ZNS answers HTTP 200 with ``{"error": 0, "data": {"msg_id": …}}`` on success and a negative
    ``error`` otherwise; see ``_PERMANENT_CODES`` for which are not retried. HTTP errors other
    than 408/429 in the 4xx range are permanent; 5xx, timeouts and refused connections are retried.
    """

    def __init__(self, url: str | None = None, access_token: str | None = None, timeout: float | None = None) -> None:
        self.url = url or getattr(settings, "EGOV_ZALO_API_URL", "") or ZNS_API_URL
        self.access_token = (
            access_token if access_token is not None else getattr(settings, "EGOV_ZALO_ACCESS_TOKEN", "")
        )
        self.timeout = float(timeout if timeout is not None else getattr(settings, "EGOV_ZALO_TIMEOUT", 10))
        if not self.access_token:
            raise ImproperlyConfigured("EGOV_ZALO_ACCESS_TOKEN must be set to use HttpZaloBackend.")
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("EGOV_ZALO_API_URL must be an http:// or https:// address.")

    def send(self, *, phone: str, template_id: str, template_data: Mapping[str, str], tracking_id: str = "") -> str:
        payload = json.dumps(
            {
                "phone": phone,
                "template_id": template_id,
                "template_data": dict(template_data),
                "tracking_id": tracking_id,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "access_token": self.access_token,
        }
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            message = f"Zalo ZNS trả lời HTTP {exc.code}: {detail}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentZaloDeliveryError(message) from exc
            raise ZaloDeliveryError(message) from exc
        except (urllib.error.URLError, OSError) as exc:  # refused, DNS, timeout
            reason = getattr(exc, "reason", exc)
            raise ZaloDeliveryError(f"Không kết nối được Zalo ZNS: {reason}") from exc
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ZaloDeliveryError(f"Zalo ZNS trả lời không phải JSON: {raw[:200]!r}") from exc
        if not isinstance(answer, dict):
            raise ZaloDeliveryError(f"Zalo ZNS trả lời không đúng dạng: {raw[:200]!r}")
        code = answer.get("error", 0)
        if code != 0:
            message = f"Zalo ZNS từ chối (mã {code}): {answer.get('message', '')}"
            if code in _PERMANENT_CODES:
                raise PermanentZaloDeliveryError(message)
            raise ZaloDeliveryError(message)
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        return str(data.get("msg_id") or "")[:200]


def get_zalo_backend() -> BaseZaloBackend:
    """An instance of the configured gateway (read on every call, so tests can switch it)."""
    return import_string(getattr(settings, "EGOV_ZALO_BACKEND", DEFAULT_ZALO_BACKEND))()
