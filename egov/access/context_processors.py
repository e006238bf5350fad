from egov.access import policy
from egov.access.back_office import can_use_back_office


def back_office(request):
    """``can_use_back_office`` for the header's "Quản trị" link; ``can_view_reports`` (evaluated
    only where a template asks, from the grants the request has usually read already) for its
    "Báo cáo" link."""
    user = getattr(request, "user", None)
    return {
        "can_use_back_office": can_use_back_office(user) if user is not None else False,
        "can_view_reports": lambda: user is not None and policy.has(user, "report.view"),
    }
