"""Signals that apps low in the layer order send for apps above them to act on.

``security_event``: something a security operations centre wants to count (a refused token, a broken
audit chain). ``egov.access`` and ``egov.audit`` sit below ``egov.security`` (which needs the
notifications outbox for its alerts), so they announce the event and ``egov.security.receivers``
records it. Arguments: ``kind`` (``egov.security.models.EventKind`` value) and optionally
``username``, ``ip_address``, ``path``, ``detail``. Receivers must not raise.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["security_event"]

security_event = Signal()
