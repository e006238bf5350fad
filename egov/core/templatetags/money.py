"""``{{ amount|dong }}`` → ``50.000``: amounts in đồng with the Vietnamese thousands separator (the
``vi`` locale of Django sets no grouping)."""

from django import template

register = template.Library()


@register.filter
def dong(value) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:,}".replace(",", ".")
