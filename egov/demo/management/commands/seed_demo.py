"""Load the demo province "Tỉnh Sơn Nam": organisations, mergers, calendar, officers, citizens.

Idempotent: everything is looked up first (units by code, else by parent and name, else by legacy
code; people by username), so a second run writes nothing. It seeds what is missing and leaves alone
what exists, including what administrators changed since (a dissolved unit, a new code). Each step
(``STEPS``) runs in its own transaction: a step that cannot complete is rolled back, reported and
skipped, and the others still run, so ``make run`` always gets to serving the data it has.
Every write goes through the domain services, so the demo data has an audit trail like real data.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone

from egov.calendar import services as calendar_services
from egov.calendar.models import WorkCalendar
from egov.certification.demo import load_demo_certified_copies
from egov.core.errors import DomainError, ValidationFailed
from egov.demo import data, living
from egov.demo.catalogue import load_demo_catalogue
from egov.dossiers.demo import lien_thong_procedure, load_cross_level_dossiers, load_demo_processes
from egov.dossiers.models import Dossier
from egov.dossiers.services import ApplicantInput, ComponentInput, receive_dossier
from egov.organisations import services as org_services
from egov.organisations.models import AGENCY_KINDS, RECEIVING_KINDS, Organisation, Succession
from egov.people import services as people_services
from egov.people.models import User
from egov.portal.demo import load_demo_forms
from egov.signing.services import ensure_demo_keys

logger = logging.getLogger(__name__)

DEFAULT_DEMO_PASSWORD = "DemoEgov@2026"

# (label in the report, method). Each step returns how many things it added and runs in its own
# transaction; a later addition (more demo data) is one more line here.
STEPS = [
    ("đơn vị", "_organisations"),
    ("thay đổi lịch sử", "_history"),
    ("ngày nghỉ/làm bù", "_calendar"),
    ("tài khoản", "_people"),
    ("thủ tục", "_catalogue"),
    ("khóa ký số", "_signing_keys"),
    ("quy trình nội bộ", "_processes"),
    ("hồ sơ", "_dossiers"),
    ("tờ khai điện tử", "_forms"),
    ("bản sao chứng thực", "_certified_copies"),
    ("hồ sơ một năm qua", "_living"),
    ("văn bản", "_documents"),
]
# Step names in the "skipped" lines of the report.
STEP_TITLES = {
    "_organisations": "cơ cấu tổ chức",
    "_history": "sáp nhập, giải thể",
    "_calendar": "lịch làm việc",
    "_people": "tài khoản",
    "_catalogue": "thủ tục hành chính",
    "_signing_keys": "khóa ký số",
    "_processes": "quy trình nội bộ",
    "_dossiers": "hồ sơ mẫu",
    "_forms": "tờ khai điện tử",
    "_certified_copies": "bản sao chứng thực điện tử",
    "_documents": "văn bản điện tử",
}

# What a step may meet in data that administrators changed; anything else is a bug and propagates.
_SKIPPABLE = (DomainError, ObjectDoesNotExist, DatabaseError)

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
    # Official documents (văn bản): signers, heads, specialists and clerks (văn thư).
    ("giamdoc.stp", "Nguyễn Quang Minh", "agency_leader", "H99.103", "Giám đốc Sở Tư pháp"),
    ("truongphong.bttp", "Phan Thị Yến", "unit_head", "H99.103.03", "Trưởng phòng Bổ trợ tư pháp"),
    ("chuyenvien.bttp", "Cao Văn Khánh", "specialist", "H99.103.03", "Chuyên viên Phòng Bổ trợ tư pháp"),
    ("chutich.tinh", "Lương Văn Thành", "agency_leader", data.PROVINCE_CODE, "Chủ tịch UBND tỉnh"),
    ("phochutich.tinh", "Mai Thị Dung", "agency_leader", data.PROVINCE_CODE, "Phó Chủ tịch UBND tỉnh"),
    ("vanthu.tinh", "Tạ Thị Nga", "clerk", data.PROVINCE_CODE, "Văn thư UBND tỉnh"),
    ("chanhvanphong.tinh", "Kiều Văn Long", "unit_head", "H99.101", "Chánh Văn phòng UBND tỉnh"),
    ("giamdoc.stc", "Đoàn Văn Hùng", "agency_leader", "H99.104", "Giám đốc Sở Tài chính"),
    ("truongphong.stc", "Lâm Thị Hạnh", "unit_head", "H99.104.02", "Trưởng phòng Đăng ký kinh doanh"),
    ("vanthu.stc", "Châu Thị Bích", "clerk", "H99.104", "Văn thư Sở Tài chính"),
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
        self.password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        self.problems: list[str] = []
        self._units: dict[str, Organisation | None] = {}
        counts = []
        for label, method in STEPS:
            try:
                with transaction.atomic():
                    counts.append(f"{getattr(self, method)()} {label}")
            except _SKIPPABLE as exc:
                self._units.clear()  # the rolled-back step may have cached units it created
                self._problem(f"Bỏ qua bước «{STEP_TITLES.get(method, label)}»: {_describe(exc)}")
                counts.append(f"0 {label}")
        try:
            with transaction.atomic():
                self._demo_identity_provider()  # not counted: the report's line stays as it was
        except _SKIPPABLE as exc:
            self._problem(f"Bỏ qua bước «VNeID mô phỏng»: {_describe(exc)}")
        self.stdout.write(f"Dữ liệu mẫu: thêm {', '.join(counts)}.")
        if self.problems:
            self.stdout.write(
                f"{len(self.problems)} phần không nạp được (dữ liệu đã có được giữ nguyên, "
                "xem các dòng «Bỏ qua» ở trên)."
            )
        self._print_logins(self.password)

    def _problem(self, message: str) -> None:
        self.problems.append(message)
        logger.warning("%s", message)
        self.stdout.write(message)

    def _unit(self, code: str) -> Organisation | None:
        """The organisation that stands for the demo unit ``code``, even if an administrator changed it.

        By code; else (a new code) by its parent and name; else by the demo's legacy code. None if
        the unit is not in the database.
        """
        if code in self._units:
            return self._units[code]
        found = Organisation.objects.filter(code=code).first()
        if found is None and code in _DEMO_UNITS:
            unit, parent = _DEMO_UNITS[code]
            parent_org = self._unit(parent.code) if parent is not None else None
            if parent_org is not None:
                found = Organisation.objects.children_of(parent_org).filter(name=unit.name).first()
            elif parent is None:
                found = Organisation.objects.filter(depth=1, name=unit.name).first()
            if found is None and unit.legacy_code:
                found = Organisation.objects.filter(legacy_code=unit.legacy_code, name=unit.name).first()
        self._units[code] = found
        return found

    def _require_unit(self, code: str) -> Organisation:
        org = self._unit(code)
        if org is None:
            raise Organisation.DoesNotExist(f"Không tìm thấy đơn vị {code}.")
        return org

    def _demo_identity_provider(self) -> int:
        """The stand-in VNeID's client registration (used when EGOV_DEMO_IDP is on, as in `make run`)."""
        if "egov.demo_idp" not in settings.INSTALLED_APPS:
            return 0
        from egov.demo_idp.services import ensure_demo_client

        return int(ensure_demo_client())

    def _organisations(self) -> int:
        created = 0
        for unit, parent in data.iter_units():
            if self._unit(unit.code) is not None:
                continue
            parent_org = self._unit(parent.code) if parent is not None else None
            if parent is not None and parent_org is None:
                continue  # its parent was reported (or skipped) already
            try:
                with transaction.atomic():
                    org = org_services.create_organisation(
                        by=None,
                        parent=parent_org,
                        name=unit.name,
                        kind=unit.kind,
                        code=unit.code,
                        legacy_code=unit.legacy_code,
                        short_name=unit.short_name,
                        valid_from=unit.valid_from,
                        # Units that end through a merger or a dissolution are ended by those services below.
                        valid_to=None if unit.code in _ended_by_history() else unit.valid_to,
                    )
            except DomainError as exc:
                self._problem(f"Bỏ qua đơn vị {unit.code} ({unit.name}) và các đơn vị trực thuộc: {_describe(exc)}")
                continue
            self._units[unit.code] = org
            created += 1
        return created

    def _history(self) -> int:
        changed = 0
        # A unit with a successor record, or already ended, was handled (by an earlier run or by hand).
        done = set(Succession.objects.values_list("predecessor_id", flat=True))

        def pending(code: str) -> Organisation | None:
            org = self._unit(code)
            return org if org is not None and org.pk not in done and org.valid_to is None else None

        for merger in data.MERGERS:
            sources = [org for org in map(pending, merger.sources) if org is not None]
            successor = self._unit(merger.successor)
            if not sources or successor is None:
                continue
            try:
                with transaction.atomic():
                    org_services.merge_organisations(
                        by=None,
                        sources=sources,
                        successor=successor,
                        effective_on=merger.effective_on,
                        move_children=False,
                        legal_basis="Nghị quyết của UBTVQH về sắp xếp đơn vị hành chính cấp xã năm 2025",
                    )
            except DomainError as exc:
                self._problem(f"Bỏ qua sáp nhập vào {merger.successor}: {_describe(exc)}")
                continue
            changed += len(sources)
        for code, effective_on in data.DISSOLUTIONS:
            org = pending(code)
            if org is None:
                continue
            try:
                with transaction.atomic():
                    org_services.dissolve_organisation(
                        by=None,
                        organisation=org,
                        effective_on=effective_on,
                        legal_basis="Kết thúc hoạt động của đơn vị hành chính cấp huyện từ 01/7/2025",
                    )
            except DomainError as exc:
                self._problem(f"Bỏ qua giải thể {code}: {_describe(exc)}")
                continue
            changed += 1
        return changed

    def _calendar(self) -> int:
        province = self._require_unit(data.PROVINCE_CODE)
        years = range(2024, timezone.localdate().year + 2)
        calendar = WorkCalendar.objects.filter(organisation=province).first()
        if calendar is None:
            calendar = calendar_services.create_calendar(
                by=None, organisation=province, name="Lịch làm việc tỉnh Sơn Nam"
            )
        return calendar_services.seed_statutory_days(by=None, calendar=calendar, years=years)

    def _people(self) -> int:
        existing = set(User.objects.values_list("username", flat=True))
        created = 0
        for username, full_name, role, unit_code, title in OFFICERS:
            if username in existing:
                continue
            try:
                with transaction.atomic():
                    people_services.create_officer(
                        by=None,
                        username=username,
                        full_name=full_name,
                        password=self.password,
                        unit=self._require_unit(unit_code),
                        role_code=role,
                        title=title,
                        email=f"{username}@sonnam.gov.vn",
                        is_superuser=(username == "admin"),
                    )
            except _SKIPPABLE as exc:
                self._problem(f"Bỏ qua tài khoản {username}: {_describe(exc)}")
                continue
            created += 1
        for citizen in CITIZENS:
            if citizen["username"] in existing:
                continue
            try:
                with transaction.atomic():
                    people_services.register_citizen(password=self.password, **citizen)
            except _SKIPPABLE as exc:
                self._problem(f"Bỏ qua tài khoản {citizen['username']}: {_describe(exc)}")
                continue
            created += 1
        return created

    def _catalogue(self) -> int:
        return load_demo_catalogue()

    def _processes(self) -> int:
        return load_demo_processes()

    def _forms(self) -> int:
        return load_demo_forms()

    def _certified_copies(self) -> int:
        return load_demo_certified_copies()

    def _living(self) -> int:
        return living.load(stdout=self.stdout)  # a year of dossiers (EGOV_DEMO_LIVING=0 skips it)

    def _documents(self) -> int:
        """Abbreviations, the signers' certificates (PIN = demo password) and a dozen documents."""
        from egov.demo import documents

        return documents.load(password=self.password, problem=self._problem)

    def _signing_keys(self) -> int:
        """Demo signing keys for every active agency and one-stop unit (they issue the forms)."""
        today = timezone.localdate()
        units = Organisation.objects.active_on(today).filter(kind__in=AGENCY_KINDS | RECEIVING_KINDS)
        return ensure_demo_keys(units)

    def _dossiers(self) -> int:
        """A few dossiers at the Department of Justice, so the worklists are not empty, and one each way
        across levels (liên thông)."""
        return self._justice_dossiers() + load_cross_level_dossiers(DEMO_APPLICANTS)

    def _justice_dossiers(self) -> int:
        if Dossier.objects.exists():
            return 0
        procedure = lien_thong_procedure()
        if procedure is None:
            return 0
        desk = User.objects.get(username="tiepnhan.stp")
        justice = self._require_unit("H99.103")
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
        if "egov.demo_idp" in settings.INSTALLED_APPS:
            from egov.demo_idp.identities import IDENTITIES

            self.stdout.write("VNeID mô phỏng (/dang-nhap/ → Đăng nhập bằng VNeID, khi EGOV_DEMO_IDP=1):")
            for identity in IDENTITIES:
                self.stdout.write(f"  {identity.identity_number:<18} {identity.full_name}")


def _describe(exc: Exception) -> str:
    """One line for the report: the fields and messages of a domain error, else the error's text."""
    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


_DEMO_UNITS = {unit.code: (unit, parent) for unit, parent in data.iter_units()}


def _ended_by_history() -> set[str]:
    codes = {code for merger in data.MERGERS for code in merger.sources}
    codes |= {code for code, _ in data.DISSOLUTIONS}
    return codes
