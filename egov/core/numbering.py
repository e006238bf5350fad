"""Numbering: one series per scope and period, each number handed out once.

Dossier codes (a daily series per receiving agency, TT 01/2018 Đ19), feedback codes (a daily series
for the deployment) and the numbers of issued forms ("Số" of Mẫu 02 and 04, "Quyển số" of Mẫu 01: a
yearly series per agency) all come from here, and so will the numbers of official documents.

A number is taken with a single ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: the first
number of a period creates the row, every later one increments it, and the database serialises
concurrent takers on the row (PostgreSQL row lock; SQLite's single writer). No read-then-write, no
retry loop. The statement runs in the caller's transaction: a reception that fails after taking its
number rolls the number back with it, so a refused request spends nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from egov.core.models import NumberSequence

__all__ = ["allocate", "current", "daily", "yearly"]


def daily(day: date) -> str:
    """The period of a daily series: ``2027-03-01``."""
    return day.isoformat()


def yearly(day: date) -> str:
    """The period of a yearly series: ``2027``."""
    return f"{day.year:04d}"


def allocate(*, scope: str, period: str) -> int:
    """The next number of the series ``scope`` in ``period`` (1 for the first), taken atomically."""
    if not scope or not period:
        raise ValueError("a numbering scope and period are required")
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    # Same statement on PostgreSQL and SQLite (≥ 3.35): the existing row is named by the table.
    sql = (
        f"INSERT INTO {table} (scope, period, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (scope, period) DO UPDATE SET last = {table}.last + 1 "
        "RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, period])
        (number,) = cursor.fetchone()
    return int(number)


def current(*, scope: str, period: str) -> int:
    """The last number handed out in the series (0 if none yet): for reports and tests."""
    row = NumberSequence.objects.filter(scope=scope, period=period).values_list("last", flat=True).first()
    return int(row or 0)
