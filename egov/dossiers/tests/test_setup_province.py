"""The first-installation command: province, calendar and administrator, unattended and re-runnable."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from egov.audit.models import AuditRecord
from egov.calendar.models import WorkCalendar
from egov.organisations.models import Organisation
from egov.people.models import Position, User

pytestmark = pytest.mark.django_db

ARGS = [
    "--province-name=UBND tỉnh Sơn Nam",
    "--province-code=H99",
    "--province-legacy-code=000.00.00.H99",
    "--username=quantri",
    "--full-name=Nguyễn Văn A",
    "--email=quantri@sonnam.gov.vn",
]
PASSWORD = "Quan-tri-Son-Nam-2026"


class NoTerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin", NoTerminal(""))
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("ADMIN_PASSWORD_FILE", raising=False)


def _run(*extra: str) -> str:
    out = io.StringIO()
    call_command("setup_province", *ARGS, *extra, stdout=out)
    return out.getvalue()


def _state():
    return (
        list(Organisation.objects.values_list("code", "kind", "depth")),
        list(WorkCalendar.objects.values_list("organisation__code", "name")),
        list(Position.objects.values_list("user__username", "unit__code", "role__code")),
        AuditRecord.objects.count(),
    )


def test_creates_the_province_calendar_and_administrator_from_the_environment_and_reruns_as_a_no_op(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)

    output = _run()

    assert output.strip() == "Đã tạo: tỉnh H99, lịch làm việc, tài khoản quantri."
    admin = User.objects.get(username="quantri")
    assert (admin.kind, admin.is_superuser, admin.check_password(PASSWORD)) == ("officer", True, True)
    assert _state()[:3] == (
        [("H99", "province", 1)],
        [("H99", "Lịch làm việc UBND tỉnh Sơn Nam")],
        [("quantri", "H99", "administrator")],
    )
    assert WorkCalendar.objects.get().days.count() > 0  # statutory days seeded

    # Run again (another password in the environment changes nothing either)
    before = _state()
    monkeypatch.setenv("ADMIN_PASSWORD", "Mot-mat-khau-khac-2026")
    assert _run().strip() == "Không có gì thay đổi: tỉnh, lịch làm việc và tài khoản quản trị đã có."
    assert _state() == before
    assert User.objects.get(username="quantri").check_password(PASSWORD)


def test_reads_the_password_from_a_file(tmp_path):
    secret = tmp_path / "admin_password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")

    _run(f"--password-file={secret}")

    assert User.objects.get(username="quantri").check_password(PASSWORD)


def test_without_a_password_or_a_terminal_it_stops_before_writing():
    with pytest.raises(CommandError, match="Chưa có mật khẩu quản trị: dùng --password-file"):
        _run()
    assert _state() == ([], [], [], 0)


def test_a_weak_password_is_refused_before_the_province_is_created(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "123")

    with pytest.raises(CommandError) as raised:
        _run()

    assert str(raised.value).startswith("Không tạo gì: password: Mật khẩu quá ngắn: cần ít nhất 8 ký tự.")
    assert _state() == ([], [], [], 0)


def test_bad_codes_and_a_second_province_are_refused(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="^Không tạo gì: province_code: "):
        call_command("setup_province", *ARGS, "--province-code=tỉnh?")
    assert _state() == ([], [], [], 0)

    _run()
    with pytest.raises(CommandError, match="Cây đơn vị đã có gốc H99; mã H98 không khớp"):
        call_command("setup_province", *ARGS, "--province-code=H98", "--username=khac")
    assert Organisation.objects.count() == 1


def test_a_username_held_by_a_citizen_is_refused(monkeypatch):
    from egov.people import services as people_services

    people_services.register_citizen(
        username="quantri", full_name="Công dân", password=PASSWORD, identity_number="037190000999"
    )
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="username: Tên đăng nhập 'quantri' đã được dùng cho tài khoản khác."):
        _run()
    assert Organisation.objects.count() == 0
