"""The small world of the dossier tests (egov/dossiers/tests/conftest.py), built outside pytest for a
server process in the fault tests: ``manage.py shell -c "from egov.portal.tests.fault_world import
main; main()"`` prints what a client needs as JSON (procedure, agency, component ids, a bearer token).
"""

from __future__ import annotations

import json


def main() -> None:
    import conftest as root
    from egov.dossiers.tests import conftest as dossiers
    from egov.people.services import issue_api_token, register_citizen

    tree = root.tree.__wrapped__(None)
    world = dossiers.world.__wrapped__(tree, root.calendar.__wrapped__(tree))
    citizen = register_citizen(
        username="037090001234",
        full_name="Nguyễn Văn An",
        password="Mk-thu-nghiem-2026",
        identity_number="037090001234",
        phone="0912345678",
    )
    procedure = world["procedure"]
    print(
        json.dumps(
            {
                "procedure": procedure.code,
                "agency": world["justice"].code,
                "components": [c.pk for c in procedure.components.order_by("order", "pk") if c.required],
                "token": issue_api_token(user=citizen).raw,
            }
        )
    )
