"""The operators' commands: ``make_demo_pki`` and ``install_signing_key``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from egov.signing import pki
from egov.signing.models import SigningKey

pytestmark = pytest.mark.django_db


def _run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_make_demo_pki_creates_the_root_and_keys_once(pki_dir, tree):
    first = _run("make_demo_pki")

    assert f"Chứng thư gốc: {pki_dir / 'root-ca.pem'} (vừa tạo)" in first
    # province, two departments, the one-stop unit and the commune; divisions sign with their agency's key
    assert "Khóa ký số: cấp mới cho 5 đơn vị; tổng số khóa: 5" in first
    assert set(SigningKey.objects.values_list("unit__code", flat=True)) == {
        "H98",
        "H98.101",
        "H98.101.01",
        "H98.102",
        "H98.301",
    }

    second = _run("make_demo_pki")

    assert f"Chứng thư gốc: {pki_dir / 'root-ca.pem'} (đã có)" in second
    assert "Khóa ký số: cấp mới cho 0 đơn vị; tổng số khóa: 5" in second


def test_make_demo_pki_root_only(pki_dir, tree):
    output = _run("make_demo_pki", "--root-only")
    assert "(vừa tạo)" in output and "Khóa ký số" not in output
    assert not SigningKey.objects.exists()


def test_make_demo_pki_is_refused_under_production_settings(pki_dir, tree, settings):
    settings.EGOV_PRODUCTION = True
    with pytest.raises(CommandError, match="install_signing_key"):
        _run("make_demo_pki")
    assert not (pki_dir / "root-ca.pem").exists()
    assert "(vừa tạo)" in _run("make_demo_pki", "--allow-production")


def test_install_signing_key_installs_and_test_signs(pki_dir, tree, tmp_path, settings):
    ca = pki.create_root_ca(common_name="CA thử nghiệm")
    issued = pki.issue_unit_certificate(ca, name="Sở Tư pháp", identifier="H98.101", passphrase=b"mat-khau-ca")
    (tmp_path / "so-tu-phap.p12").write_bytes(issued.pkcs12)
    (tmp_path / "pass.txt").write_text("mat-khau-ca\n", encoding="utf-8")
    (tmp_path / "ca.pem").write_bytes(ca.certificate_pem)
    settings.EGOV_TRUST_ROOTS = [str(tmp_path / "ca.pem")]

    output = _run(
        "install_signing_key", "H98.101", str(tmp_path / "so-tu-phap.p12"), passphrase_file=tmp_path / "pass.txt"
    )

    key = SigningKey.objects.get(unit=tree["justice"])
    assert key.origin == SigningKey.Origin.INSTALLED
    assert "Đã cài khóa cho Sở Tư pháp" in output
    assert "chữ ký hợp lệ, tài liệu không bị thay đổi sau khi ký, chứng thư được tin cậy." in output
    assert "EGOV_TRUST_ROOTS" not in output


def test_install_signing_key_warns_when_the_ca_is_not_trusted(pki_dir, tree, tmp_path, monkeypatch):
    ca = pki.create_root_ca(common_name="CA chưa khai báo")
    issued = pki.issue_unit_certificate(ca, name="Sở Tư pháp", identifier="H98.101", passphrase=b"pw")
    (tmp_path / "k.p12").write_bytes(issued.pkcs12)
    monkeypatch.setenv("P12_PASSPHRASE", "pw")

    output = _run("install_signing_key", "000.00.01.H98", str(tmp_path / "k.p12"))  # the legacy code works too

    assert "EGOV_TRUST_ROOTS" in output


def test_install_signing_key_reports_errors_in_vietnamese(pki_dir, tree, tmp_path, monkeypatch):
    ca = pki.create_root_ca()
    (tmp_path / "k.p12").write_bytes(
        pki.issue_unit_certificate(ca, name="Sở Tư pháp", identifier="H98.101", passphrase=b"pw").pkcs12
    )
    monkeypatch.setenv("P12_PASSPHRASE", "sai")
    with pytest.raises(CommandError, match="Không có đơn vị mã H00"):
        _run("install_signing_key", "H00", str(tmp_path / "k.p12"))
    with pytest.raises(CommandError, match="mật khẩu"):
        _run("install_signing_key", "H98.101", str(tmp_path / "k.p12"))
    with pytest.raises(CommandError, match="Không đọc được"):
        _run("install_signing_key", "H98.101", str(tmp_path / "missing.p12"))
    assert not SigningKey.objects.exists()


def test_the_back_office_lists_keys_read_only_to_administrators(client, pki_dir, tree, admin_user, make_officer):
    _run("make_demo_pki")
    client.force_login(admin_user)

    listing = client.get("/admin/signing/signingkey/")

    assert listing.status_code == 200
    assert len(listing.context["cl"].result_list) == 5
    key = SigningKey.objects.get(unit=tree["justice"])
    page = client.get(f"/admin/signing/signingkey/{key.pk}/change/")
    assert page.status_code == 200
    assert (page.context["has_change_permission"], page.context["has_add_permission"]) == (False, False)
    assert client.get("/admin/signing/signingkey/add/").status_code == 403

    client.force_login(make_officer("specialist", tree["justice"]))
    assert client.get("/admin/signing/signingkey/").status_code in (302, 403)
