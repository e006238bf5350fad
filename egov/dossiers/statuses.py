"""Dossier statuses and the explicit table of allowed transitions (workflow as data).

Codes are those exchanged with the national portal (DVCQG), DOMAIN §4. Every action a service
performs is looked up here; nothing else decides whether an action is allowed from a status.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy

from egov.core.errors import InvalidTransition

__all__ = ["Status", "Channel", "ACTIVE", "WORKLIST", "CLOCK_PAUSED", "TRANSITIONS", "Transition", "transition_for"]


class Status(models.IntegerChoices):
    NEW = 1, pgettext_lazy("dossier status", "Mới đăng ký")
    RECEIVED = 2, pgettext_lazy("dossier status", "Được tiếp nhận")
    REFUSED = 3, pgettext_lazy("dossier status", "Không được tiếp nhận")
    PROCESSING = 4, pgettext_lazy("dossier status", "Đang xử lý")
    WAITING_SUPPLEMENT = 5, pgettext_lazy("dossier status", "Yêu cầu bổ sung")
    WAITING_PAYMENT = 6, pgettext_lazy("dossier status", "Yêu cầu nghĩa vụ tài chính")
    WITHDRAWN = 7, pgettext_lazy("dossier status", "Rút hồ sơ")
    STOPPED = 8, pgettext_lazy("dossier status", "Dừng xử lý")
    DONE = 9, pgettext_lazy("dossier status", "Đã xử lý xong")
    RETURNED = 10, pgettext_lazy("dossier status", "Đã trả kết quả")


class Channel(models.IntegerChoices):
    IN_PERSON = 1, pgettext_lazy("channel", "Trực tiếp")
    ONLINE = 2, pgettext_lazy("channel", "Trực tuyến")
    POST = 3, pgettext_lazy("channel", "Bưu chính công ích")


# Statuses in which the dossier is somewhere in the agency's hands (worklists, overdue counts).
ACTIVE = frozenset({Status.RECEIVED, Status.PROCESSING, Status.WAITING_SUPPLEMENT, Status.WAITING_PAYMENT})
# What officers' worklists show: online submissions waiting for reception too.
WORKLIST = ACTIVE | {Status.NEW, Status.DONE}  # DONE: the result waits to be handed back
# The legal clock does not run while the applicant owes something (DOMAIN §5: reported separately).
CLOCK_PAUSED = frozenset({Status.WAITING_SUPPLEMENT, Status.WAITING_PAYMENT})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change (e.g. claim, apology)
    permission: str
    label: str  # lazy: shown on buttons in the reader's language


def _t(action, sources, target, permission, label) -> tuple[str, Transition]:
    return action, Transition(action, frozenset(sources), target, permission, label)


S = Status
TRANSITIONS: dict[str, Transition] = dict(
    [
        _t("accept", [S.NEW], S.RECEIVED, "dossier.receive", pgettext_lazy("dossier action", "Tiếp nhận")),
        _t(
            "refuse",
            [S.NEW, S.RECEIVED],
            S.REFUSED,
            "dossier.receive",
            pgettext_lazy("dossier action", "Từ chối tiếp nhận"),
        ),
        # Any officer of the unit holding the dossier who handles dossiers (checked by the service):
        # the one-stop unit at reception, the appraising division later.
        _t(
            "request_supplement",
            [S.NEW, S.RECEIVED, S.PROCESSING],
            S.WAITING_SUPPLEMENT,
            "dossier.view",
            pgettext_lazy("dossier action", "Yêu cầu bổ sung"),
        ),
        # Back to where it was: NEW if it had not been received yet, else PROCESSING (decided by the service).
        _t(
            "supplement",
            [S.WAITING_SUPPLEMENT],
            None,
            "dossier.receive",
            pgettext_lazy("dossier action", "Nhận hồ sơ bổ sung"),
        ),
        # claim/forward: any officer of the step's unit who handles dossiers (checked per step by the service).
        _t("claim", [S.RECEIVED, S.PROCESSING], None, "dossier.view", pgettext_lazy("dossier action", "Nhận xử lý")),
        _t(
            "reassign", [S.RECEIVED, S.PROCESSING], None, "dossier.approve", pgettext_lazy("dossier action", "Giao lại")
        ),
        _t(
            "forward",
            [S.RECEIVED, S.PROCESSING],
            S.PROCESSING,
            "dossier.view",
            pgettext_lazy("dossier action", "Chuyển bước tiếp theo"),
        ),
        _t(
            "request_payment",
            [S.PROCESSING],
            S.WAITING_PAYMENT,
            "dossier.process",
            pgettext_lazy("dossier action", "Yêu cầu nộp phí"),
        ),
        _t(
            "record_payment",
            [S.WAITING_PAYMENT, S.RECEIVED, S.PROCESSING, S.DONE],
            None,
            "dossier.receive",
            pgettext_lazy("dossier action", "Ghi nhận đã nộp phí"),
        ),
        _t(
            "apologize",
            [S.RECEIVED, S.PROCESSING, S.WAITING_SUPPLEMENT, S.WAITING_PAYMENT],
            None,
            "dossier.approve",
            pgettext_lazy("dossier action", "Xin lỗi và hẹn lại ngày trả"),
        ),
        _t(
            "withdraw",
            [S.NEW, S.RECEIVED, S.PROCESSING, S.WAITING_SUPPLEMENT, S.WAITING_PAYMENT],
            S.WITHDRAWN,
            "dossier.receive",
            pgettext_lazy("dossier action", "Rút hồ sơ"),
        ),
        _t(
            "stop",
            [S.RECEIVED, S.PROCESSING, S.WAITING_SUPPLEMENT, S.WAITING_PAYMENT],
            S.STOPPED,
            "dossier.approve",
            pgettext_lazy("dossier action", "Dừng xử lý"),
        ),
        # No "finish": forwarding the last step of the process finishes it (services.actions.forward).
        _t("return_result", [S.DONE], S.RETURNED, "dossier.receive", pgettext_lazy("dossier action", "Trả kết quả")),
    ]
)


def transition_for(action: str, current: int) -> Transition:
    """The transition for ``action`` from ``current``; raises InvalidTransition (409) otherwise."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidTransition(f"Thao tác '{action}' không tồn tại.", details={"action": action})
    if current not in transition.sources:
        label = Status(current).label
        raise InvalidTransition(
            f"Không thể '{transition.label.lower()}' khi hồ sơ đang ở trạng thái '{label}'.",
            details={"current_status": int(current), "current_status_label": label, "action": action},
        )
    return transition
