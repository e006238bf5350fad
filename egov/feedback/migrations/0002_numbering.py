"""Feedback codes are numbered by ``egov.core.numbering``: the daily counters move to its table
(scope ``feedback``, period the day), so that no code already handed out is handed out again."""

from django.db import migrations


def forwards(apps, schema_editor):
    FeedbackSequence = apps.get_model("feedback", "FeedbackSequence")
    NumberSequence = apps.get_model("core", "NumberSequence")
    NumberSequence.objects.bulk_create(
        [
            NumberSequence(scope="feedback", period=row.day.isoformat(), last=row.last)
            for row in FeedbackSequence.objects.all().iterator()
        ],
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    from datetime import date

    FeedbackSequence = apps.get_model("feedback", "FeedbackSequence")
    NumberSequence = apps.get_model("core", "NumberSequence")
    FeedbackSequence.objects.bulk_create(
        [
            FeedbackSequence(day=date.fromisoformat(row.period), last=row.last)
            for row in NumberSequence.objects.filter(scope="feedback").iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_number_sequence"),
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="FeedbackSequence"),
    ]
