"""Install a CA-issued PKCS#12 key (.p12/.pfx) as a unit's signing key, then test it on a small PDF."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError, ValidationFailed
from egov.organisations import selectors as org_selectors
from egov.signing import services


class Command(BaseCommand):
    help = "Cài khóa ký số do tổ chức chứng thực cấp (tệp .p12/.pfx) cho một cơ quan, đơn vị."

    def add_arguments(self, parser):
        parser.add_argument("unit_code", help="Mã định danh của đơn vị (QĐ 20/2020 hoặc QCVN 102:2016).")
        parser.add_argument("p12_file", type=Path, help="Tệp PKCS#12 (.p12, .pfx).")
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            help="Tệp chứa mật khẩu của tệp PKCS#12 (nếu không có: biến môi trường P12_PASSPHRASE, "
            "hoặc nhập từ bàn phím).",
        )

    def _passphrase(self, options) -> str:
        if options["passphrase_file"]:
            return options["passphrase_file"].read_text(encoding="utf-8").strip()
        if "P12_PASSPHRASE" in os.environ:
            return os.environ["P12_PASSPHRASE"]
        if sys.stdin.isatty():
            return getpass.getpass("Mật khẩu của tệp PKCS#12: ")
        return ""

    def handle(self, *args, **options):
        unit = org_selectors.by_code(options["unit_code"])
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {options['unit_code']}.")
        try:
            data = options["p12_file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được {options['p12_file']}: {exc.strerror}") from exc
        try:
            key = services.install_unit_key(by=None, unit=unit, pkcs12=data, passphrase=self._passphrase(options))
        except ValidationFailed as exc:
            raise CommandError("; ".join(e.message for e in exc.errors)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã cài khóa cho {unit.name}: {key.subject}")
        self.stdout.write(f"  tổ chức cấp: {key.issuer}; hiệu lực đến {key.not_after:%d/%m/%Y}; tệp {key.p12_path}")
        self._self_test(unit)

    def _self_test(self, unit) -> None:
        from weasyprint import HTML

        pdf = HTML(string="<p>Kiểm tra khóa ký số</p>").write_pdf()
        try:
            report = services.validate_pdf(services.sign_pdf(pdf=pdf, unit=unit, reason="Kiểm tra khóa"))[0]
        except DomainError as exc:
            raise CommandError(f"Khóa đã cài nhưng ký thử không được: {exc.message}") from exc
        self.stdout.write(f"Ký thử: {report.summary}")
        if not report.trusted:
            self.stdout.write(
                self.style.WARNING(
                    "Chứng thư gốc của tổ chức cấp chưa có trong EGOV_TRUST_ROOTS: thêm nó để chữ ký được tin cậy."
                )
            )
