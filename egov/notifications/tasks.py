"""Background work of the outbox (django-tasks; the database backend in production)."""

from __future__ import annotations

from django_tasks import task

from egov.notifications import services

__all__ = ["deliver_message"]


@task()
def deliver_message(message_id: int) -> str:
    """Deliver one outbox message; re-reads the row, so running twice sends once.

    Enqueued by ``services.enqueue`` after the commit, and again with ``run_after`` for each retry.
    Returns the outcome (``sent``, ``retry``, ``failed``, ``skipped``), kept in the task result.
    """
    return services.deliver(message_id)
