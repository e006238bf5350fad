"""Rows the platform's building blocks keep for every app (numbering)."""

from __future__ import annotations

from django.db import models


class NumberSequence(models.Model):
    """The last number handed out in one series: a ``scope`` (whose numbers: "dossier:<agency id>",
    "feedback", "form.supplement:<agency id>") and a ``period`` ("2027-03-01" for a daily series,
    "2027" for a yearly one). Written only by ``egov.core.numbering.allocate``."""

    scope = models.CharField("phạm vi", max_length=100)
    period = models.CharField("kỳ", max_length=20)
    last = models.PositiveBigIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "dãy số"
        verbose_name_plural = "dãy số"
        constraints = [models.UniqueConstraint(fields=["scope", "period"], name="number_sequence_unique_period")]

    def __str__(self) -> str:
        return f"{self.scope} {self.period}: {self.last}"
