"""Per-address limits on the public account operations (registration), like the lookup's.

Registration answers "this identity number is already registered", so it is limited per client
address to keep that answer from being asked in bulk (``EGOV_REGISTRATION_RATE``, default 20/hour).
"""

from __future__ import annotations

from django.conf import settings
from ninja.throttling import AnonRateThrottle

from egov.core.errors import Throttled
from egov.core.middleware import client_ip

__all__ = ["check_registration_rate", "REGISTRATION_THROTTLED"]

REGISTRATION_THROTTLED = "Bạn đã gửi quá nhiều yêu cầu đăng ký. Vui lòng thử lại sau."


class RegistrationThrottle(AnonRateThrottle):
    def __init__(self) -> None:
        self.rate = getattr(settings, "EGOV_REGISTRATION_RATE", "20/hour")
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow_request(self, request):
        # Everyone, signed in or not (AnonRateThrottle would let signed-in users through).
        return super(AnonRateThrottle, self).allow_request(request)

    def get_cache_key(self, request):
        return self.cache_format % {"scope": "registration", "ident": client_ip(request) or "unknown"}


def check_registration_rate(request) -> None:
    if not RegistrationThrottle().allow_request(request):
        raise Throttled(REGISTRATION_THROTTLED)
