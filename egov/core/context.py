"""Who is acting, and from where, for the current request or command.

The request middleware fills this in; the audit trail reads it, so services need not pass the
client address around.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["RequestContext", "current", "bind", "reset"]


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    channel: str = "system"  # "web", "api", "system" (commands, tasks)


_current: ContextVar[RequestContext] = ContextVar("egov_request_context", default=RequestContext())  # noqa: B039 (frozen)


def current() -> RequestContext:
    return _current.get()


def bind(ctx: RequestContext):
    return _current.set(ctx)


def reset(token) -> None:
    _current.reset(token)
