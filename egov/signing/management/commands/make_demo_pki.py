"""Create the demo PKI: a root CA in the PKI directory and a key for every agency and one-stop unit.

Idempotent: an existing root and existing keys are kept; a second run creates nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError
from egov.signing import conf, selectors, services
from egov.signing.models import SigningKey


class Command(BaseCommand):
    help = (
        "Tạo hạ tầng ký số trình diễn: chứng thư gốc (không dùng thật) và khóa ký số cho các cơ quan, "
        "bộ phận một cửa đang hoạt động. Chạy lại nhiều lần không tạo thêm gì."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--root-only", action="store_true", help="Chỉ tạo chứng thư gốc, không cấp khóa cho đơn vị."
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Cho phép với cấu hình production (chỉ cho máy trình diễn).",
        )

    def handle(self, *args, **options):
        if getattr(settings, "EGOV_PRODUCTION", False) and not options["allow_production"]:
            raise CommandError(
                "Không tạo khóa trình diễn với cấu hình production: hãy cài khóa do tổ chức chứng thực cấp "
                "(manage.py install_signing_key). Dùng --allow-production nếu đây là máy trình diễn."
            )
        signing = conf.current()
        existed = signing.root_cert_path.exists()
        try:
            root_path = services.ensure_demo_root()
            created = 0 if options["root_only"] else services.ensure_demo_keys(selectors.demo_signing_units())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Chứng thư gốc: {root_path} ({'đã có' if existed else 'vừa tạo'})")
        if not options["root_only"]:
            self.stdout.write(
                f"Khóa ký số: cấp mới cho {created} đơn vị; tổng số khóa: {SigningKey.objects.count()} "
                f"(thư mục {signing.units_dir})."
            )
        self.stdout.write(
            "Kiểm tra bằng pdfsig: certutil -N -d sql:<thư mục> --empty-password; "
            f'certutil -A -n demo-root -t ",C," -i {root_path} -d sql:<thư mục>; '
            "pdfsig -nssdir sql:<thư mục> tệp.pdf"
        )
