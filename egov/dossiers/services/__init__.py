"""Every change to a dossier, by sub-domain: ``reception`` (at the counter and online), ``actions``
(one service per action of the transition table), ``results`` (the signed electronic result).

Callers import from here: ``from egov.dossiers import services; services.forward(by=..., dossier=...)``.
"""

from egov.dossiers.services.actions import (
    ACTIONS,
    RETURN_METHODS,
    accept,
    apologize,
    claim,
    forward,
    reassign,
    receive_supplement,
    record_payment,
    refuse,
    request_payment,
    request_supplement,
    return_result,
    stop,
    submit_supplement,
    withdraw,
)
from egov.dossiers.services.common import (
    HANDLING_PERMISSIONS,
    DeadlineRuleViolation,
    acting_unit,
    agency_code,
    next_code,
)
from egov.dossiers.services.reception import (
    ApplicantInput,
    ComponentInput,
    UploadInput,
    receive_dossier,
    submit_online,
    turn_away_incomplete,
)
from egov.dossiers.services.results import RESULT_STATUSES, attach_result, may_attach_result

__all__ = [
    "ACTIONS",
    "HANDLING_PERMISSIONS",
    "RESULT_STATUSES",
    "RETURN_METHODS",
    "ApplicantInput",
    "ComponentInput",
    "DeadlineRuleViolation",
    "UploadInput",
    "accept",
    "acting_unit",
    "agency_code",
    "apologize",
    "attach_result",
    "claim",
    "forward",
    "may_attach_result",
    "next_code",
    "reassign",
    "receive_dossier",
    "receive_supplement",
    "record_payment",
    "refuse",
    "request_payment",
    "request_supplement",
    "return_result",
    "stop",
    "submit_online",
    "submit_supplement",
    "turn_away_incomplete",
    "withdraw",
]
