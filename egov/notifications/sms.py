"""SMS: text preparation and pluggable gateways.

The gateway is chosen by ``settings.EGOV_SMS_BACKEND`` (a dotted class path). Out of the box:

* :class:`ConsoleSmsBackend` (the default) prints each message, like Django's console e-mail backend;
* :class:`FileSmsBackend` appends one JSON line per message to ``settings.EGOV_SMS_FILE``
  (default ``VAR_DIR/sms.log``);
* :class:`HttpSmsBackend` POSTs JSON with a bearer token to ``settings.EGOV_SMS_HTTP_URL``, the
  shape most Vietnamese brandname-SMS gateways accept behind a small adapter.

A gateway is a class with ``send(*, to, text, reference="") -> str`` returning the provider's message
id. It raises :class:`SmsDeliveryError` for a failure worth retrying and
:class:`PermanentSmsDeliveryError` for one that will never succeed (a refused number).
"""

from __future__ import annotations

import json
import math
import sys
import threading
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

__all__ = [
    "DEFAULT_SMS_BACKEND",
    "SmsDeliveryError",
    "PermanentSmsDeliveryError",
    "BaseSmsBackend",
    "ConsoleSmsBackend",
    "FileSmsBackend",
    "HttpSmsBackend",
    "get_sms_backend",
    "to_sms_text",
    "is_gsm7",
    "sms_parts",
]

DEFAULT_SMS_BACKEND = "egov.notifications.sms.ConsoleSmsBackend"


class SmsDeliveryError(Exception):
    """The gateway did not take the message; trying again later may work."""


class PermanentSmsDeliveryError(SmsDeliveryError):
    """The gateway refused the message for good (bad number, content rejected): do not retry."""


# --- Text ---------------------------------------------------------------------------------------

# Characters that have no decomposition but a plain equivalent in the GSM 03.38 alphabet.
_PLAIN = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)

# GSM 03.38 basic alphabet, and the extension table whose characters take two septets.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def to_sms_text(text: str) -> str:
    """Vietnamese without diacritics, as SMS to citizens is usually sent.

    ``"Hồ sơ đã được tiếp nhận"`` → ``"Ho so da duoc tiep nhan"``. Without diacritics a message fits
    the 7-bit GSM alphabet: 160 characters per SMS instead of 70.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_PLAIN))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in text)


def sms_parts(text: str) -> int:
    """How many SMS the text takes (concatenated messages carry a 7-septet / 3-character header)."""
    if is_gsm7(text):
        septets = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


# --- Gateways -----------------------------------------------------------------------------------


class BaseSmsBackend:
    def send(self, *, to: str, text: str, reference: str = "") -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints each SMS to standard output (development, demos)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def send(self, *, to: str, text: str, reference: str = "") -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        stream = self.stream or sys.stdout
        with self._lock:
            stream.write(f"-- SMS {message_id} --\nTo: {to}\nReference: {reference}\n\n{text}\n{'-' * 40}\n")
            stream.flush()
        return message_id


def _var_dir() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var"))


class FileSmsBackend(BaseSmsBackend):
    """Appends one JSON object per line to ``EGOV_SMS_FILE`` (default ``VAR_DIR/sms.log``)."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or getattr(settings, "EGOV_SMS_FILE", None) or _var_dir() / "sms.log")

    def send(self, *, to: str, text: str, reference: str = "") -> str:
        message_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps(
            {"id": message_id, "at": timezone.now().isoformat(), "to": to, "reference": reference, "text": text},
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write() of one line in append mode: lines from several processes do not interleave.
            with self._lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise SmsDeliveryError(f"Không ghi được tệp {self.path}: {exc}") from exc
        return message_id


class HttpSmsBackend(BaseSmsBackend):
    """A generic JSON-over-HTTPS gateway.

    ``POST EGOV_SMS_HTTP_URL`` with ``Authorization: Bearer EGOV_SMS_HTTP_TOKEN`` and the body
    ``{"to": "+84…", "text": "…", "reference": "…", "sender": EGOV_SMS_SENDER}``. A 2xx answer is
    success; its JSON ``id`` (or ``message_id``) is kept as the provider's id. 4xx answers other
    than 408 and 429 are permanent refusals; anything else is retried.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        sender: str | None = None,
    ) -> None:
        self.url = url or getattr(settings, "EGOV_SMS_HTTP_URL", "")
        self.token = token if token is not None else getattr(settings, "EGOV_SMS_HTTP_TOKEN", "")
        self.timeout = float(timeout if timeout is not None else getattr(settings, "EGOV_SMS_HTTP_TIMEOUT", 10))
        self.sender = sender if sender is not None else getattr(settings, "EGOV_SMS_SENDER", "")
        if not self.url:
            raise ImproperlyConfigured("EGOV_SMS_HTTP_URL must be set to use HttpSmsBackend.")
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("EGOV_SMS_HTTP_URL must be an http:// or https:// address.")

    def send(self, *, to: str, text: str, reference: str = "") -> str:
        payload = json.dumps(
            {"to": to, "text": text, "reference": reference, "sender": self.sender}, ensure_ascii=False
        ).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            message = f"Cổng SMS trả lời HTTP {exc.code}: {detail}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentSmsDeliveryError(message) from exc
            raise SmsDeliveryError(message) from exc
        except (urllib.error.URLError, OSError) as exc:  # refused, DNS, timeout
            reason = getattr(exc, "reason", exc)
            raise SmsDeliveryError(f"Không kết nối được cổng SMS: {reason}") from exc
        try:
            answer = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            answer = {}
        if not isinstance(answer, dict):
            return ""
        return str(answer.get("id") or answer.get("message_id") or "")[:200]


def get_sms_backend() -> BaseSmsBackend:
    """An instance of the configured gateway (read on every call, so tests can switch it)."""
    return import_string(getattr(settings, "EGOV_SMS_BACKEND", DEFAULT_SMS_BACKEND))()
