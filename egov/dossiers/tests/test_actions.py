"""One keyword-only service per action of the transition table: same shape for every action
(``by``, ``dossier``, ``version``, then the action's own arguments), no string dispatch."""

from __future__ import annotations

import inspect

import pytest

from egov.core.errors import Conflict, PermissionDenied
from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import TRANSITIONS, Status
from egov.dossiers.tests.conftest import receive

OWN_ARGUMENTS = {
    "accept": [],
    "refuse": ["reason", "missing"],
    "request_supplement": ["items", "reason"],
    "supplement": ["note"],
    "claim": [],
    "reassign": ["assignee"],
    "forward": ["note"],
    "request_payment": ["amount"],
    "record_payment": [],
    "apologize": ["reason", "new_due_at"],
    "withdraw": ["reason"],
    "stop": ["reason"],
    "return_result": ["method"],
}


def test_every_action_is_a_keyword_only_service_with_its_own_arguments():
    assert sorted(services.ACTIONS) == sorted(TRANSITIONS) == sorted(OWN_ARGUMENTS)
    for action, service in services.ACTIONS.items():
        parameters = inspect.signature(service).parameters
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values()), action
        assert sorted(parameters) == sorted(["by", "dossier", "version", *OWN_ARGUMENTS[action]]), action


def test_a_service_takes_the_row_or_its_code_and_checks_the_version_seen(world, officers, clock):
    dossier = receive(world, officers["desk"])

    services.forward(by=officers["desk"], dossier=dossier, note="Đủ")  # the row, version not given
    with pytest.raises(Conflict) as stale:
        services.claim(by=officers["specialist"], dossier=dossier.code, version=1)
    services.claim(by=officers["specialist"], dossier=dossier.code, version=2)

    assert stale.value.details == {"current_status": Status.PROCESSING, "current_version": 2}
    row = Dossier.objects.get(pk=dossier.pk)
    assert (row.version, row.current_assignee_id) == (3, officers["specialist"].pk)


def _citizen(identity: str):
    from egov.people.services import register_citizen

    return register_citizen(
        username=identity, full_name="Nguyễn Văn An", password="Mk-thu-nghiem-2026", identity_number=identity
    )


def test_only_the_applicant_of_an_online_dossier_withdraws_it_without_holding_it(world, officers, clock):
    from egov.dossiers.tests.conftest import applicant, components_all

    citizen, stranger = _citizen("037090001234"), _citizen("037090009999")
    online = services.submit_online(
        by=citizen,
        procedure=world["procedure"],
        agency=world["justice"],
        applicant=applicant(),
        components=components_all(world["procedure"]),
    )
    counter = receive(world, officers["desk"])

    with pytest.raises(PermissionDenied):
        services.withdraw(by=stranger, dossier=online.code, reason="Không phải hồ sơ của tôi")
    with pytest.raises(PermissionDenied):  # not their dossier: received at the counter for someone
        services.withdraw(by=citizen, dossier=counter.code, reason="Rút")
    services.withdraw(by=citizen, dossier=online.code, reason="Nộp nhầm thủ tục")

    assert Dossier.objects.get(pk=online.pk).status == Status.WITHDRAWN
    assert Dossier.objects.get(pk=counter.pk).status == Status.RECEIVED
