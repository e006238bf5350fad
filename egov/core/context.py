"""Who is acting, and from where, for the current request or command.

The request middleware fills this in; the audit trail reads it, so services need not pass the
client address around.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["RequestContext", "current", "bind", "reset", "public_url"]


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    channel: str = "system"  # "web", "api", "system" (commands, tasks)
    origin: str = ""  # "https://host:port" the request came to (its Host header, checked by ALLOWED_HOSTS)


_current: ContextVar[RequestContext] = ContextVar("egov_request_context", default=RequestContext())  # noqa: B039 (frozen)


def current() -> RequestContext:
    return _current.get()


def bind(ctx: RequestContext):
    return _current.set(ctx)


def reset(token) -> None:
    _current.reset(token)


def public_url(path: str = "") -> str:
    """The absolute address of ``path`` on the public site, for links that leave the page (the lookup
    link and QR code of a form, notifications, the payment gateway's return address).

    ``PUBLIC_URL`` (``settings.EGOV_PUBLIC_URL``) in production. In the demo (``DEBUG``) the address the
    request came to wins, so a form printed from ``http://192.168.1.5:8105`` points there and not at
    a default nobody browses; commands and tasks, which have no request, use the setting.
    """
    from django.conf import settings

    origin = current().origin if settings.DEBUG else ""
    base = (origin or settings.EGOV_PUBLIC_URL).rstrip("/")
    return f"{base}{path}"
