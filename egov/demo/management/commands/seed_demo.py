"""Load the demo province "Tỉnh Sơn Nam": organisations, mergers, calendar, officers, citizens.

Idempotent: everything is looked up by its code or username first, so a second run writes nothing.
Every write goes through the domain services, so the demo data has an audit trail like real data.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from egov.calendar import services as calendar_services
from egov.calendar.models import WorkCalendar
from egov.catalogue.demo import load_demo_catalogue
from egov.core.errors import DomainError, ValidationFailed
from egov.demo import data, living
from egov.dossiers.demo import lien_thong_procedure, load_demo_processes
from egov.dossiers.models import Dossier
from egov.dossiers.services import ApplicantInput, ComponentInput, receive_dossier
from egov.organisations import services as org_services
from egov.organisations.models import AGENCY_KINDS, RECEIVING_KINDS, Organisation, Succession
from egov.people import services as people_services
from egov.people.models import User
from egov.portal.demo import load_demo_forms
from egov.signing.services import ensure_demo_keys

DEFAULT_DEMO_PASSWORD = "DemoEgov@2026"

# (username, full name, role, unit code, title)
OFFICERS = [
    ("admin", "Nguyễn Văn Quản", "administrator", data.PROVINCE_CODE, "Quản trị hệ thống"),
    ("danhgia", "Trần Thị Thu Hà", "evaluator", "H99.111", "Chuyên viên Sở Khoa học và Công nghệ"),
    ("tiepnhan.stp", "Lê Thị Mai", "receiving_officer", "H99.103.01", "Cán bộ tiếp nhận"),
    ("chuyenvien.stp", "Phạm Minh Tuấn", "specialist", "H99.103.02", "Chuyên viên"),
    ("truongphong.stp", "Hoàng Văn Nam", "unit_head", "H99.103.02", "Trưởng phòng Hành chính tư pháp"),
    ("lanhdao.stp", "Đỗ Thị Hương", "agency_leader", "H99.103", "Phó Giám đốc Sở Tư pháp"),
    ("vanthu.stp", "Vũ Thị Lan", "clerk", "H99.103", "Văn thư"),
    ("tiepnhan.ttpvhcc", "Bùi Thị Ngọc", "receiving_officer", "H99.100", "Cán bộ Trung tâm PVHCC tỉnh"),
    ("chuyenvien.stc", "Lý Thị Thanh", "specialist", "H99.104.02", "Chuyên viên Phòng Đăng ký kinh doanh"),
    ("tiepnhan.xa", "Ngô Văn Hải", "receiving_officer", "H99.306.01", "Công chức Văn phòng - Thống kê"),
    ("chuyenvien.xa", "Đinh Thị Hoa", "specialist", "H99.306.02", "Công chức Tư pháp - Hộ tịch"),
    ("lanhdao.xa", "Trịnh Văn Đức", "agency_leader", "H99.306", "Chủ tịch UBND xã"),
]

DEMO_APPLICANTS = [
    ("Phạm Thị Lan", "037185004321", "0913000111"),
    ("Đặng Văn Minh", "037088007654", "0983000222"),
    ("Hoàng Thị Thu", "037195001122", "0904000333"),
]

CITIZENS = [
    dict(
        username="congdan",
        full_name="Nguyễn Thị Hồng",
        kind=User.Kind.CITIZEN,
        identity_number="037190000123",
        email="congdan@example.vn",
        phone="0912345678",
        address="Thôn Đông, xã Yên Khánh, tỉnh Sơn Nam",
    ),
    dict(
        username="doanhnghiep",
        full_name="Trần Quốc Bảo",
        kind=User.Kind.BUSINESS,
        tax_code="2700123456",
        organisation_name="Công ty TNHH Thương mại Sơn Nam",
        email="doanhnghiep@example.vn",
        phone="0987654321",
        address="Số 12 đường Trần Phú, phường Sơn Nam, tỉnh Sơn Nam",
    ),
]


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu tỉnh Sơn Nam (chạy lại nhiều lần không thay đổi gì thêm)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Cho phép nạp dữ liệu mẫu với cấu hình production (chỉ cho máy trình diễn).",
        )

    def handle(self, *args, **options):
        if settings.EGOV_PRODUCTION and not options["allow_production"]:
            raise CommandError(
                "Không nạp dữ liệu mẫu với cấu hình production (môi trường thật). "
                "Dùng --allow-production nếu đây là máy trình diễn."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        try:
            with transaction.atomic():
                created_orgs = self._organisations()
                changed_history = self._history()
                added_days = self._calendar()
                created_people = self._people(password)
                created_procedures = load_demo_catalogue()
                created_keys = self._signing_keys()
                created_processes = load_demo_processes()
                created_dossiers = self._dossiers()
                created_forms = load_demo_forms()
                living.load(stdout=self.stdout)  # a year of dossiers (EGOV_DEMO_LIVING=0 skips it)
        except ValidationFailed as exc:
            detail = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            raise CommandError(f"Không nạp được dữ liệu mẫu (không ghi gì): {detail}") from exc
        except DomainError as exc:
            raise CommandError(f"Không nạp được dữ liệu mẫu (không ghi gì): {exc.message}") from exc
        self.stdout.write(
            f"Dữ liệu mẫu: thêm {created_orgs} đơn vị, {changed_history} thay đổi lịch sử, "
            f"{added_days} ngày nghỉ/làm bù, {created_people} tài khoản, {created_procedures} thủ tục, "
            f"{created_keys} khóa ký số, {created_processes} quy trình nội bộ, {created_dossiers} hồ sơ, "
            f"{created_forms} tờ khai điện tử."
        )
        self._print_logins(password)

    def _organisations(self) -> int:
        known = set(Organisation.objects.values_list("code", flat=True))
        by_code: dict[str, Organisation] = {}
        created = 0
        for unit, parent in data.iter_units():
            if unit.code in known:
                continue
            if parent is not None and parent.code not in by_code:
                by_code[parent.code] = Organisation.objects.get(code=parent.code)
            org = org_services.create_organisation(
                by=None,
                parent=by_code[parent.code] if parent is not None else None,
                name=unit.name,
                kind=unit.kind,
                code=unit.code,
                legacy_code=unit.legacy_code,
                short_name=unit.short_name,
                valid_from=unit.valid_from,
                # Units that end through a merger or a dissolution are ended by those services below.
                valid_to=None if unit.code in _ended_by_history() else unit.valid_to,
            )
            by_code[unit.code] = org
            created += 1
        return created

    def _history(self) -> int:
        changed = 0
        done = set(Succession.objects.values_list("predecessor__code", flat=True))
        for merger in data.MERGERS:
            sources = [s for s in merger.sources if s not in done]
            if not sources:
                continue
            org_services.merge_organisations(
                by=None,
                sources=list(Organisation.objects.filter(code__in=sources)),
                successor=Organisation.objects.get(code=merger.successor),
                effective_on=merger.effective_on,
                move_children=False,
                legal_basis="Nghị quyết của UBTVQH về sắp xếp đơn vị hành chính cấp xã năm 2025",
            )
            changed += len(sources)
        for code, effective_on in data.DISSOLUTIONS:
            if code in done:
                continue
            org_services.dissolve_organisation(
                by=None,
                organisation=Organisation.objects.get(code=code),
                effective_on=effective_on,
                legal_basis="Kết thúc hoạt động của đơn vị hành chính cấp huyện từ 01/7/2025",
            )
            changed += 1
        return changed

    def _calendar(self) -> int:
        province = Organisation.objects.get(code=data.PROVINCE_CODE)
        years = range(2024, timezone.localdate().year + 2)
        calendar = WorkCalendar.objects.filter(organisation=province).first()
        if calendar is None:
            calendar = calendar_services.create_calendar(
                by=None, organisation=province, name="Lịch làm việc tỉnh Sơn Nam"
            )
        return calendar_services.seed_statutory_days(by=None, calendar=calendar, years=years)

    def _people(self, password: str) -> int:
        existing = set(User.objects.values_list("username", flat=True))
        created = 0
        for username, full_name, role, unit_code, title in OFFICERS:
            if username in existing:
                continue
            people_services.create_officer(
                by=None,
                username=username,
                full_name=full_name,
                password=password,
                unit=Organisation.objects.get(code=unit_code),
                role_code=role,
                title=title,
                email=f"{username}@sonnam.gov.vn",
                is_superuser=(username == "admin"),
            )
            created += 1
        for citizen in CITIZENS:
            if citizen["username"] in existing:
                continue
            people_services.register_citizen(password=password, **citizen)
            created += 1
        return created

    def _signing_keys(self) -> int:
        """Demo signing keys for every active agency and one-stop unit (they issue the forms)."""
        today = timezone.localdate()
        units = Organisation.objects.active_on(today).filter(kind__in=AGENCY_KINDS | RECEIVING_KINDS)
        return ensure_demo_keys(units)

    def _dossiers(self) -> int:
        """A few dossiers at the Department of Justice, so the worklists are not empty."""
        if Dossier.objects.exists():
            return 0
        procedure = lien_thong_procedure()
        if procedure is None:
            return 0
        desk = User.objects.get(username="tiepnhan.stp")
        justice = Organisation.objects.get(code="H99.103")
        components = [ComponentInput(c.pk, True) for c in procedure.components.order_by("order", "pk")]
        for name, identity, phone in DEMO_APPLICANTS:
            receive_dossier(
                by=desk,
                procedure=procedure,
                agency=justice,
                channel=1,
                components=components,
                applicant=ApplicantInput(name=name, identity=identity, phone=phone, address="Tỉnh Sơn Nam"),
            )
        return len(DEMO_APPLICANTS)

    def _print_logins(self, password: str) -> None:
        self.stdout.write(f"\nTài khoản mẫu (mật khẩu: {password}):")
        for username, full_name, _role, _unit_code, title in OFFICERS:
            self.stdout.write(f"  {username:<18} {title} — {full_name}")
        for citizen in CITIZENS:
            self.stdout.write(f"  {citizen['username']:<18} {citizen['full_name']} ({citizen['kind'].label})")


def _ended_by_history() -> set[str]:
    codes = {code for merger in data.MERGERS for code in merger.sources}
    codes |= {code for code, _ in data.DISSOLUTIONS}
    return codes
