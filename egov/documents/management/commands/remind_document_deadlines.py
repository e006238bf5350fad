"""Queue reminders for assignments of incoming documents due soon or overdue (run daily by cron or a
systemd timer; idempotent per assignment and day, so running it twice sends nothing twice)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from egov.documents import selectors
from egov.documents.services import remind_due_assignments


class Command(BaseCommand):
    help = "Nhắc hạn xử lý văn bản đến (sắp đến hạn, quá hạn) qua hộp thư đi."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Ngày tính hạn (YYYY-MM-DD), mặc định hôm nay")
        parser.add_argument("--soon-days", type=int, default=selectors.DUE_SOON_DAYS)

    def handle(self, *args, today=None, soon_days=selectors.DUE_SOON_DAYS, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("--today phải có dạng YYYY-MM-DD") from exc
        counts = remind_due_assignments(today=day, soon_days=soon_days)
        self.stdout.write(f"Sắp đến hạn: {counts['due_soon']}; quá hạn: {counts['overdue']}")
