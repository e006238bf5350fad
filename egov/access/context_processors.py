from egov.access.back_office import can_use_back_office, may_open_reports


def back_office(request):
    """``can_use_back_office`` for the header's "Quản trị" link and ``can_view_reports`` for its
    "Báo cáo" link (both from one query of the user's current positions)."""
    user = getattr(request, "user", None)
    return {
        "can_use_back_office": can_use_back_office(user) if user is not None else False,
        "can_view_reports": lambda: user is not None and may_open_reports(user),
    }
