"""Load the demo province's procedure catalogue (after ``seed_demo``). Running it again adds nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError, ValidationFailed
from egov.demo.catalogue import load_demo_catalogue


class Command(BaseCommand):
    help = "Nạp danh mục thủ tục mẫu của tỉnh Sơn Nam (sau seed_demo; chạy lại không thêm gì)."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true", help="Cho phép với cấu hình production.")

    def handle(self, *args, **options):
        if settings.EGOV_PRODUCTION and not options["allow_production"]:
            raise CommandError("Không nạp dữ liệu mẫu với cấu hình production. Dùng --allow-production nếu cần.")
        try:
            created = load_demo_catalogue()
        except ValidationFailed as exc:
            raise CommandError("; ".join(e.message for e in exc.errors)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Danh mục thủ tục mẫu: thêm {created} thủ tục.")
