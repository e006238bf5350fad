"""Running a service only to validate: the service is the one validator of an admin form."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

__all__ = ["dry_run"]


@contextmanager
def dry_run() -> Iterator[None]:
    """Run the block in a transaction (a savepoint when nested) that is always rolled back.

    Admin forms call the real service here from ``clean`` so its typed errors show on the form;
    ``save_model`` then runs it for real. Errors raised in the block propagate unchanged.
    """
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)
