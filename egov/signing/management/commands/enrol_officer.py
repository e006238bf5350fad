"""Give an officer a personal signing certificate on a new SoftHSM2 token (the demo's stand-in for a USB
token), then sign and check a test page with it."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError, ValidationFailed
from egov.organisations import selectors as org_selectors
from egov.signing import officers, services
from egov.signing.placement import Placement


class Command(BaseCommand):
    help = "Cấp chứng thư số cá nhân cho cán bộ trên một token SoftHSM2 mới (trình diễn), rồi ký thử."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Tên đăng nhập của cán bộ.")
        parser.add_argument("unit_code", help="Mã định danh của đơn vị (QĐ 20/2020 hoặc QCVN 102:2016).")
        parser.add_argument("--title", required=True, help='Chức vụ, ví dụ "Phó Giám đốc".')
        parser.add_argument("--pin-file", type=Path, help="Tệp chứa mã PIN của token (nếu không có: nhập từ bàn phím).")

    def _pin(self, options) -> str:
        if options["pin_file"]:
            return options["pin_file"].read_text(encoding="utf-8").strip()
        if sys.stdin.isatty():
            return getpass.getpass("Mã PIN của token (ít nhất 6 ký tự): ")
        return ""

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {options['username']}.")
        unit = org_selectors.by_code(options["unit_code"])
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {options['unit_code']}.")
        pin = self._pin(options)
        try:
            credential = officers.enrol_officer(by=None, user=user, unit=unit, title=options["title"], pin=pin)
        except ValidationFailed as exc:
            raise CommandError("; ".join(e.message for e in exc.errors)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã cấp chứng thư cho {credential.subject}")
        self.stdout.write(
            f"  token {credential.token_label}; số hiệu {credential.serial}; "
            f"hiệu lực đến {credential.not_after:%d/%m/%Y}"
        )
        self._self_test(user, pin)

    def _self_test(self, user, pin: str) -> None:
        from weasyprint import HTML

        pdf = HTML(string="<p>Kiểm tra chữ ký số của cán bộ</p>").write_pdf()
        try:
            signed = officers.sign_as_officer(
                by=user, pdf=pdf, pin=pin, placement=Placement(page=0, box=(350, 600, 500, 660)), reason="Ký thử"
            )
            report = services.validate_pdf(signed)[0]
        except DomainError as exc:
            raise CommandError(f"Đã cấp chứng thư nhưng ký thử không được: {exc.message}") from exc
        self.stdout.write(f"Ký thử: {report.summary}")
