"""Create the province, its working calendar and its first administrator, for a new installation.

Unattended and idempotent, for Ansible-style setups: the password comes from ``--password-file`` or
``$ADMIN_PASSWORD`` (or ``$ADMIN_PASSWORD_FILE``) and is asked only on a terminal; every input is
checked before anything is written; what exists already (the province, its calendar, the account)
is left as it is, so the command can be run again with the same arguments. Everything goes through
the services, so the audit trail starts with these records.

It lives in the dossiers app, the one-stop shop these three exist for (the root unit, the calendar its
deadlines are computed on, the administrator), and the lowest app that may import all of them
(.importlinter: people and calendar are one layer and do not import each other).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from egov.calendar import services as calendar_services
from egov.calendar.models import WorkCalendar
from egov.core.errors import DomainError, ValidationFailed
from egov.organisations import codes
from egov.organisations import services as org_services
from egov.organisations.models import Kind, Organisation
from egov.people import services as people_services
from egov.people.models import Position, User
from egov.settings import env

ADMIN_ROLE = "administrator"


class Command(BaseCommand):
    help = (
        "Tạo tỉnh (gốc cây đơn vị), lịch làm việc và tài khoản quản trị đầu tiên. Chạy lại không thay đổi gì; "
        "mật khẩu lấy từ --password-file hoặc biến ADMIN_PASSWORD, chỉ hỏi khi có terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province-name", required=True, help="Tên tỉnh, ví dụ «UBND tỉnh Sơn Nam».")
        parser.add_argument("--province-code", required=True, help="Mã định danh QĐ 20/2020, ví dụ H99.")
        parser.add_argument("--province-legacy-code", default="", help="Mã QCVN 102:2016, ví dụ 000.00.00.H99.")
        parser.add_argument("--calendar-name", default="", help="Tên lịch làm việc (mặc định «Lịch làm việc <tỉnh>»).")
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--title", default="Quản trị hệ thống")
        parser.add_argument("--password-file", help="Tệp chứa mật khẩu (dòng đầu).")

    def handle(self, *args, **options):
        username = options["username"].strip()
        existing = User.objects.filter(username__iexact=username).first()
        password = None if existing is not None else self._password(options)
        province = self._check(options, existing, password)
        try:
            with transaction.atomic():
                created = []
                if province is None:
                    province = org_services.create_organisation(
                        by=None,
                        parent=None,
                        kind=Kind.PROVINCE,
                        name=options["province_name"].strip(),
                        code=options["province_code"].strip(),
                        legacy_code=options["province_legacy_code"].strip() or None,
                    )
                    created.append(f"tỉnh {province.code}")
                if not WorkCalendar.objects.filter(organisation=province).exists():
                    year = timezone.localdate().year
                    calendar_services.create_calendar(
                        by=None,
                        organisation=province,
                        name=options["calendar_name"].strip() or f"Lịch làm việc {province.name}",
                        seed_years=[year, year + 1],
                    )
                    created.append("lịch làm việc")
                if existing is None:
                    people_services.create_officer(
                        by=None,
                        username=username,
                        full_name=options["full_name"],
                        password=password,
                        email=options["email"].strip(),
                        unit=province,
                        role_code=ADMIN_ROLE,
                        title=options["title"],
                        is_superuser=True,
                    )
                    created.append(f"tài khoản {username}")
        except ValidationFailed as exc:
            raise CommandError(_fields(exc)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if created:
            self.stdout.write(f"Đã tạo: {', '.join(created)}.")
        else:
            self.stdout.write("Không có gì thay đổi: tỉnh, lịch làm việc và tài khoản quản trị đã có.")

    def _password(self, options) -> str:
        if options["password_file"]:
            try:
                lines = Path(options["password_file"]).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(f"Không đọc được tệp mật khẩu {options['password_file']}: {exc.strerror}.") from exc
            password = lines[0] if lines else ""
        else:
            password = env("ADMIN_PASSWORD")
            if password is None:
                if not sys.stdin.isatty():
                    raise CommandError(
                        "Chưa có mật khẩu quản trị: dùng --password-file <tệp> hoặc biến ADMIN_PASSWORD "
                        "(ADMIN_PASSWORD_FILE), hoặc chạy trong terminal để nhập."
                    )
                password = getpass.getpass("Mật khẩu quản trị: ")
                if getpass.getpass("Nhập lại mật khẩu: ") != password:
                    raise CommandError("Hai lần nhập mật khẩu không khớp.")
        if not password:
            raise CommandError("password: Mật khẩu không được để trống.")
        return password

    def _check(self, options, existing: User | None, password: str | None) -> Organisation | None:
        """Every input, before anything is written; returns the province if it exists already."""
        errors = []
        code = options["province_code"].strip()
        legacy = options["province_legacy_code"].strip()
        try:
            codes.validate_new_code(code)
        except ValueError as exc:
            errors.append(f"province_code: {exc}")
        if legacy:
            try:
                codes.validate_legacy_code(legacy)
            except ValueError as exc:
                errors.append(f"province_legacy_code: {exc}")
        province = Organisation.objects.filter(code=code).first()
        roots = Organisation.objects.filter(depth=1)
        if province is None and roots.exists():
            errors.append(
                f"province_code: Cây đơn vị đã có gốc {roots.first().code}; mã {code} không khớp với tỉnh đã tạo."
            )
        elif province is not None and (province.depth != 1 or province.kind != Kind.PROVINCE):
            errors.append(f"province_code: Mã {code} là của đơn vị {province.name}, không phải tỉnh.")
        if existing is not None:
            holds_admin = Position.objects.filter(
                user=existing, role__code=ADMIN_ROLE, unit__code=code, valid_to__isnull=True
            ).exists()
            if existing.kind != User.Kind.OFFICER or not holds_admin:
                errors.append(f"username: Tên đăng nhập '{existing.username}' đã được dùng cho tài khoản khác.")
        else:
            if not options["full_name"].strip():
                errors.append("full_name: Họ và tên không được để trống.")
            try:
                password_validation.validate_password(
                    password, User(username=options["username"], email=options["email"])
                )
            except DjangoValidationError as exc:
                errors.extend(f"password: {m}" for m in people_services.password_messages(exc))
        if errors:
            raise CommandError("Không tạo gì: " + "; ".join(errors))
        return province


def _fields(exc: ValidationFailed) -> str:
    return "Không tạo gì: " + "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
