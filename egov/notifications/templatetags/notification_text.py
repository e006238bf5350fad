"""Filters for the plain-text notification templates (loaded as built-ins by ``rendering``)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def when(value) -> str:
    """A datetime as ``"08:00 ngày 20/03/2026"`` in local time, a date as ``"20/03/2026"``."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%H:%M} ngày {value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)
