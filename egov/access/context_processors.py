from egov.access.back_office import can_use_back_office


def back_office(request):
    """``can_use_back_office`` for the header's "Quản trị" link."""
    user = getattr(request, "user", None)
    return {"can_use_back_office": can_use_back_office(user) if user is not None else False}
