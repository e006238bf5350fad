from django.core.management.base import BaseCommand, CommandError

from egov.audit.services import verify_chain


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của chuỗi nhật ký (hash chain); nêu bản ghi hỏng đầu tiên."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Chuỗi nhật ký toàn vẹn: {report.checked} bản ghi."))
            return
        ident = f" (id {report.first_broken_id})" if report.first_broken_id is not None else ""
        raise CommandError(
            f"Chuỗi nhật ký bị phá vỡ tại bản ghi số {report.first_broken_seq}{ident}: {report.reason}. "
            f"{report.checked} bản ghi trước đó hợp lệ."
        )
