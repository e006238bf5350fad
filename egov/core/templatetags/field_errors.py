"""``{{ errors|for_field:"applicant.name" }}``: the messages of one field from a ``{field: [messages]}`` dict.

Django's dot lookup cannot reach a key that itself contains a dot, as the services' nested field names do.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def for_field(errors, field: str) -> list[str]:
    return list((errors or {}).get(field, []))
