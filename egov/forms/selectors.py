"""Reads of form templates that several callers need: the version in use, the sets, the history."""

from __future__ import annotations

from django.db.models import QuerySet

from egov.forms.errors import TemplateNotFound
from egov.forms.models import FormTemplate

__all__ = [
    "current_template",
    "current_template_of_kind",
    "current_templates",
    "versions",
    "form_sets",
    "form_label",
    "form_labels",
]


def current_template(*, form_set: str, code: str) -> FormTemplate:
    """The latest active version of form ``code`` of ``form_set``."""
    template = FormTemplate.objects.filter(form_set=form_set, code=code, is_active=True).order_by("-version").first()
    if template is None:
        raise TemplateNotFound(f"Không có Mẫu số {code} đang áp dụng trong bộ biểu mẫu {form_set}.")
    return template


def current_template_of_kind(*, form_set: str, kind: str) -> FormTemplate:
    """The form of ``kind`` in ``form_set`` (the lowest code if a set had two), latest active version.

    Callers that know what they need (a receipt) but not how this set numbers it use this.
    """
    template = (
        FormTemplate.objects.filter(form_set=form_set, kind=kind, is_active=True).order_by("code", "-version").first()
    )
    if template is None:
        label = FormTemplate.Kind(kind).label if kind in FormTemplate.Kind.values else kind
        raise TemplateNotFound(f"Bộ biểu mẫu {form_set} không có mẫu đang áp dụng cho: {label}.")
    return template


def current_templates(*, form_set: str) -> list[FormTemplate]:
    """Every form of the set in its version in use, by code."""
    rows = FormTemplate.objects.filter(form_set=form_set, is_active=True).order_by("code", "-version")
    seen: dict[str, FormTemplate] = {}
    for row in rows:
        seen.setdefault(row.code, row)
    return list(seen.values())


def versions(*, form_set: str, code: str) -> QuerySet[FormTemplate]:
    return FormTemplate.objects.filter(form_set=form_set, code=code).order_by("-version")


def form_sets() -> list[str]:
    return list(FormTemplate.objects.order_by("form_set").values_list("form_set", flat=True).distinct())


def _label(template: FormTemplate) -> str:
    return f"Mẫu số {template.code}" if template.code.isdigit() else template.name


def form_label(*, form_set: str, kind: str) -> str:
    """How the pages name the form of ``kind`` in ``form_set``: "Mẫu số 06" (the control slip of the
    2025 set, 05 of TT 01/2018), or the form's name where the set does not number it."""
    return _label(current_template_of_kind(form_set=form_set, kind=kind))


def form_labels(*, form_set: str) -> dict[str, str]:
    """``form_label`` of every kind the set has, in one query (the lowest code per kind)."""
    labels: dict[str, str] = {}
    for template in sorted(current_templates(form_set=form_set), key=lambda t: t.code):
        labels.setdefault(template.kind, _label(template))
    return labels
