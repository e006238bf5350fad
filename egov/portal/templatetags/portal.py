"""``{% application_rows dossier as rows %}``: what the applicant typed into the online form, as
(label, value) pairs in the form's order, for the officer's dossier page."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from egov.portal import schema as schemas

register = template.Library()


@register.simple_tag
def application_rows(dossier) -> list[tuple[str, str]]:
    try:
        application = dossier.online_application
    except ObjectDoesNotExist:
        return []
    schema = application.form.schema if application.form else schemas.DEFAULT_SCHEMA
    rows = []
    for spec in schemas.fields(schema):
        if spec.name not in application.data:
            continue
        value = application.data[spec.name]
        if spec.type == "boolean":
            value = "Có" if value else "Không"
        elif spec.format == "date" and isinstance(value, str) and len(value) == 10:
            value = f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
        rows.append((spec.title, str(value)))
    return rows
