"""Turning a kind of notification and its data into the subject, e-mail text and SMS text.

Each kind has three plain-text templates under ``templates/notifications/``:
``<kind>_subject.txt`` (one line), ``<kind>.txt`` (the e-mail) and ``<kind>.sms.txt`` (short, aimed
at one 160-character SMS once diacritics are stripped). A template of the same name in the project's
template directories overrides the built-in one. Templates are rendered without HTML escaping: the
result is plain text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine

__all__ = ["Kind", "KINDS", "Rendered", "render"]

_APP_TEMPLATES = Path(__file__).resolve().parent / "templates"


class Kind:
    SUBMITTED = "dossier.submitted"
    RECEIVED = "dossier.received"
    SUPPLEMENT_REQUESTED = "dossier.supplement_requested"
    RESULT_READY = "dossier.result_ready"
    APOLOGY = "dossier.apology"
    STOPPED = "dossier.stopped"
    REFUSED_INCOMPLETE = "dossier.refused_incomplete"
    VERIFICATION_CODE = "account.verification_code"


@dataclass(frozen=True)
class KindSpec:
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


_COMMON = ("applicant_name", "dossier_code", "procedure_name", "agency_name", "lookup_url")

#: What each kind needs in its context. ``platform_name`` is always available (settings).
KINDS: dict[str, KindSpec] = {
    Kind.SUBMITTED: KindSpec("Đã nộp hồ sơ trực tuyến", (*_COMMON, "submitted_at")),
    Kind.RECEIVED: KindSpec("Tiếp nhận hồ sơ", (*_COMMON, "received_at", "due_at")),
    Kind.SUPPLEMENT_REQUESTED: KindSpec(
        "Yêu cầu bổ sung hồ sơ", (*_COMMON, "items"), ("deadline", "reason", "note", "officer_name", "officer_phone")
    ),
    Kind.RESULT_READY: KindSpec("Có kết quả giải quyết", (*_COMMON, "how_to_receive"), ("how_to_receive_short",)),
    Kind.APOLOGY: KindSpec(
        "Xin lỗi và hẹn lại ngày trả kết quả", (*_COMMON, "received_at", "original_due_at", "new_due_at", "reason")
    ),
    Kind.STOPPED: KindSpec("Dừng giải quyết hồ sơ", (*_COMMON, "reason")),
    Kind.REFUSED_INCOMPLETE: KindSpec("Hồ sơ chưa đầy đủ, chưa được tiếp nhận", (*_COMMON, "items", "reason")),
    Kind.VERIFICATION_CODE: KindSpec("Mã xác minh tài khoản", ("full_name", "code", "valid_minutes")),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str  # still with diacritics; enqueue() strips them for the SMS channel


@functools.cache
def _engine() -> Engine:
    project_dirs: list[Any] = []
    for config in getattr(settings, "TEMPLATES", []):
        if config.get("BACKEND") == "django.template.backends.django.DjangoTemplates":
            project_dirs.extend(config.get("DIRS", []))
    return Engine(
        dirs=[*project_dirs, _APP_TEMPLATES],
        autoescape=False,
        builtins=["egov.notifications.templatetags.notification_text"],
    )


_SPACES = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _render(name: str, context: Mapping[str, Any]) -> str:
    engine = _engine()
    return engine.get_template(f"notifications/{name}").render(Context(dict(context), autoescape=engine.autoescape))


def _tidy_body(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


def render(kind: str, context: Mapping[str, Any]) -> Rendered:
    """Render the three texts of ``kind``. A missing required key is a programming error (ValueError)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"Unknown notification kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    missing = [key for key in spec.required if context.get(key) in (None, "", [], ())]
    if missing:
        raise ValueError(f"Notification {kind!r} needs context keys: {', '.join(missing)}")
    data = {"platform_name": getattr(settings, "EGOV_PLATFORM_NAME", ""), **context}
    return Rendered(
        subject=_SPACES.sub(" ", _render(f"{kind}_subject.txt", data)).strip(),
        body=_tidy_body(_render(f"{kind}.txt", data)),
        sms=_SPACES.sub(" ", _render(f"{kind}.sms.txt", data)).strip(),
    )
