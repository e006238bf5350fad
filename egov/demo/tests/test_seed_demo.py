"""Tests of the demo seed: the province "Sơn Nam" is loaded through the services, once."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from egov.audit.models import AuditRecord
from egov.audit.services import verify_chain
from egov.calendar.models import CalendarDay, WorkCalendar
from egov.demo.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from egov.organisations.models import Organisation, Succession
from egov.people.models import Position, User

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, object]:
    return {
        "organisations": list(Organisation.objects.order_by("pk").values_list("pk", "path", "valid_to")),
        "successions": Succession.objects.count(),
        "users": list(User.objects.order_by("pk").values_list("pk", "username", "password")),
        "positions": Position.objects.count(),
        "audit": AuditRecord.objects.count(),
        "calendars": list(WorkCalendar.objects.values_list("pk", "version")),
        "days": CalendarDay.objects.count(),
    }


def test_seed_demo_loads_the_province_once(monkeypatch):
    # Given an empty database and no DEMO_PASSWORD
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    assert Organisation.objects.count() == 0

    # When the demo is seeded
    first_output = _seed()

    # Then the tree has the departments, the districts that ended with the 2025 reform, the communes
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds["province"] == 1
    assert kinds["department"] >= 15
    assert kinds["commune"] >= 40
    districts = list(Organisation.objects.filter(kind="district").values_list("valid_to", flat=True))
    assert len(districts) >= 2
    assert set(districts) == {date(2025, 6, 30)}
    # ... and every agency has exactly one one-stop unit directly under it
    steplen = Organisation.steplen
    one_stops = Counter(
        p[:-steplen] for p in Organisation.objects.filter(kind="one_stop").values_list("path", flat=True)
    )
    agencies = list(
        Organisation.objects.filter(kind__in=["department", "district", "commune"]).values_list("path", "code")
    )
    assert {code: one_stops[path] for path, code in agencies} == {code: 1 for _path, code in agencies}

    # ... the province calendar with the statutory days and make-up days
    calendar = WorkCalendar.objects.get(organisation__code="H99")
    days = dict(CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind"))
    assert days[date(2026, 2, 16)] == "day_off"
    assert days[date(2026, 8, 22)] == "working_day"
    assert {d.year for d in days} >= {2024, 2025, 2026}

    # ... the superuser and the citizens, with the default password
    admin = User.objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff, admin.kind) == (True, True, "officer")
    assert admin.check_password(DEFAULT_DEMO_PASSWORD)
    assert dict(User.objects.filter(username__in=["congdan", "doanhnghiep"]).values_list("username", "kind")) == {
        "congdan": "citizen",
        "doanhnghiep": "business",
    }

    # ... and the audit trail of it all is an unbroken chain
    report = verify_chain()
    assert (report.ok, report.checked) == (True, AuditRecord.objects.count())
    assert f"thêm {Organisation.objects.count()} đơn vị," in first_output
    assert f"{User.objects.count()} tài khoản," in first_output
    # ... the one-stop shop: the catalogue, signing keys, processes and a few dossiers
    from egov.catalogue.models import Procedure
    from egov.dossiers.models import Dossier, ProcessDefinition
    from egov.signing.models import SigningKey

    assert Procedure.objects.count() >= 60
    assert ProcessDefinition.objects.filter(state="active").count() >= Procedure.objects.count()
    assert SigningKey.objects.filter(unit__code="H99.103.01").exists()
    # Three at Sở Tư pháp, and one each way across levels (liên thông), handed over their first leg
    assert Dossier.objects.count() == 5
    travelling = Dossier.objects.filter(process__receiving_agency__isnull=False)
    assert sorted(travelling.values_list("receiving_unit__code", "agency__code", "current_unit__code")) == [
        ("H99.100", "H99.306", "H99.306.01"),
        ("H99.306.01", "H99.103", "H99.103.01"),
    ]
    # ... and a certified copy in the demo citizen's store
    from egov.certification.models import CertifiedCopy

    copy = CertifiedCopy.objects.get()
    assert (copy.agency.code, copy.number, copy.applicant.username, copy.personal_document_id is not None) == (
        "H99.306",
        1,
        "congdan",
        True,
    )
    from egov.portal.models import SubmissionForm

    assert SubmissionForm.objects.filter(is_active=True).count() == 2  # the demo's online forms

    # When it is seeded a second time
    before = _counts()
    second_output = _seed()

    # Then nothing is written
    assert _counts() == before
    assert (
        "thêm 0 đơn vị, 0 thay đổi lịch sử, 0 ngày nghỉ/làm bù, 0 tài khoản, 0 thủ tục, 0 khóa ký số, "
        "0 quy trình nội bộ, 0 hồ sơ, 0 tờ khai điện tử, 0 bản sao chứng thực, 0 hồ sơ một năm qua, 0 văn bản."
        in second_output
    )
    assert verify_chain().ok


def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Mat-khau-rieng-2026")

    output = _seed()

    for username in ("admin", "chuyenvien.stp", "congdan"):
        user = User.objects.get(username=username)
        assert user.check_password("Mat-khau-rieng-2026"), username
        assert not user.check_password(DEFAULT_DEMO_PASSWORD), username
    assert "(mật khẩu: Mat-khau-rieng-2026)" in output


def test_refuses_to_load_demo_data_under_production_settings(db, settings):
    from django.core.management import CommandError, call_command

    from egov.organisations.models import Organisation

    settings.EGOV_PRODUCTION = True
    with pytest.raises(CommandError, match="Không nạp dữ liệu mẫu với cấu hình production"):
        call_command("seed_demo")
    assert Organisation.objects.count() == 0


def test_reseeding_leaves_what_administrators_changed_and_adds_what_is_missing(monkeypatch):
    # Given the demo, after an administrator dissolved two departments, gave a unit a new code and
    # moved its legacy code to another unit; and a newer demo that adds an officer to the renamed unit
    from egov.demo.management.commands import seed_demo
    from egov.organisations import services as org_services

    _seed()
    justice = Organisation.objects.get(code="H99.103")
    science = Organisation.objects.get(code="H99.111")
    for org in (justice, science):
        org_services.dissolve_organisation(by=None, organisation=org, effective_on=date(2026, 1, 1))
    renamed = Organisation.objects.get(code="H99.306.01")
    old_legacy = renamed.legacy_code
    org_services.update_organisation(by=None, organisation=renamed, code="H99.306.91", legacy_code=None)
    other = Organisation.objects.get(code="H99.104")
    org_services.update_organisation(by=None, organisation=other, legacy_code=old_legacy)
    monkeypatch.setattr(
        seed_demo,
        "OFFICERS",
        [*seed_demo.OFFICERS, ("tiepnhan2.xa", "Lê Văn Hai", "receiving_officer", "H99.306.01", "Công chức")],
    )
    orgs_before = list(Organisation.objects.order_by("pk").values_list("pk", "code", "legacy_code", "valid_to"))

    # When the demo is seeded again
    output = _seed()

    # Then no unit was added or changed: the dissolved ones stay dissolved, the renamed one keeps its code
    assert list(Organisation.objects.order_by("pk").values_list("pk", "code", "legacy_code", "valid_to")) == orgs_before
    assert set(Organisation.objects.filter(pk__in=[justice.pk, science.pk]).values_list("valid_to", flat=True)) == {
        date(2025, 12, 31)
    }
    # ... the new officer is placed in the renamed unit, found by its new code
    clerk = User.objects.get(username="tiepnhan2.xa")
    assert list(Position.objects.filter(user=clerk).values_list("unit__code", flat=True)) == ["H99.306.91"]
    assert "thêm 0 đơn vị, 0 thay đổi lịch sử" in output
    assert "1 tài khoản" in output
    assert "Bỏ qua" not in output
    assert verify_chain().ok


def test_a_step_that_fails_is_reported_and_the_others_still_run(monkeypatch):
    # Given a demo database where one step cannot complete (the calendar's province is missing)
    from egov.core.errors import ValidationFailed
    from egov.demo.management.commands import seed_demo

    def broken(self):
        raise ValidationFailed.field("name", "Tên lịch đã được dùng.")

    monkeypatch.setattr(seed_demo.Command, "_calendar", broken)

    # When seeded
    output = _seed()

    # Then the problem is reported by step and the rest is loaded
    assert "Bỏ qua bước «lịch làm việc»: name: Tên lịch đã được dùng." in output
    assert User.objects.filter(username="admin").exists()
    assert WorkCalendar.objects.count() == 0
