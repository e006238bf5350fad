"""Write the procedure versions whose effective date has come (run daily, e.g. just after midnight)."""

from django.core.management.base import BaseCommand

from egov.catalogue.versions import apply_due_versions


class Command(BaseCommand):
    help = "Áp dụng các phiên bản thủ tục đã đến ngày có hiệu lực."

    def handle(self, *args, **options):
        applied = apply_due_versions()
        self.stdout.write(f"Đã áp dụng {applied} phiên bản thủ tục.")
