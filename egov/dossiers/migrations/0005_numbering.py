"""Dossier codes are numbered by ``egov.core.numbering``: the daily counters move to its table
(scope ``dossier:<agency id>``, period the day), so that no code already handed out is handed out again."""

from django.db import migrations


def forwards(apps, schema_editor):
    DossierSequence = apps.get_model("dossiers", "DossierSequence")
    NumberSequence = apps.get_model("core", "NumberSequence")
    NumberSequence.objects.bulk_create(
        [
            NumberSequence(scope=f"dossier:{row.agency_id}", period=row.day.isoformat(), last=row.last)
            for row in DossierSequence.objects.all().iterator()
        ],
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    DossierSequence = apps.get_model("dossiers", "DossierSequence")
    NumberSequence = apps.get_model("core", "NumberSequence")
    from datetime import date

    DossierSequence.objects.bulk_create(
        [
            DossierSequence(agency_id=int(row.scope.split(":", 1)[1]), day=date.fromisoformat(row.period), last=row.last)
            for row in NumberSequence.objects.filter(scope__startswith="dossier:").iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_number_sequence"),
        ("dossiers", "0004_dossier_file_reuse"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="DossierSequence"),
    ]
