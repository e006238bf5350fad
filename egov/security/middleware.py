"""Every 403 answer (policy refusals in pages and the API, CSRF failures) becomes a security event."""

from __future__ import annotations

from egov.security.models import EventKind
from egov.security.services import record


class ForbiddenEventMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            from egov.core.middleware import client_ip

            user = getattr(request, "user", None)
            username = user.get_username() if user is not None and user.is_authenticated else ""
            record(EventKind.FORBIDDEN, username=username, ip_address=client_ip(request) or None, path=request.path)
        return response
