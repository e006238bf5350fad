"""The signing services: keys per unit (authorised, audited, idempotent), signing with the unit's or its
agency's key, and validation against the configured trust roots — checked by pyHanko and by pdfsig."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from egov.audit.models import AuditRecord
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.organisations.models import Kind
from egov.organisations.services import create_organisation
from egov.signing import conf, pades, pki, selectors, services
from egov.signing.errors import InvalidKeyFile, KeyNotFound, KeyNotUsable
from egov.signing.models import SigningKey
from egov.signing.tests.conftest import PASSPHRASE, flip_signed_byte, needs_pdfsig

pytestmark = pytest.mark.django_db


def _state(pki_dir):
    """Everything a key service may write, to prove that a refused call wrote nothing."""
    files = sorted(p.name for p in (pki_dir / "units").glob("*")) if (pki_dir / "units").exists() else []
    return (
        list(SigningKey.objects.order_by("pk").values_list("unit_id", "fingerprint_sha256", "is_active")),
        AuditRecord.objects.count(),
        files,
    )


# --------------------------------------------------------------------------------------------------
# The root and the keys
# --------------------------------------------------------------------------------------------------


def test_ensure_demo_root_creates_the_root_once(pki_dir):
    path = services.ensure_demo_root()

    assert path == pki_dir / "root-ca.pem"
    first = path.read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in (pki_dir / "root-ca.key").read_bytes()
    root = pki.load_root_ca(cert_path=path, key_path=pki_dir / "root-ca.key", passphrase=PASSPHRASE.encode())
    assert root.info.common_name == "Demo Root CA — Tỉnh Sơn Nam (không dùng thật)"
    assert AuditRecord.objects.filter(action="signing.root_create").count() == 1

    assert services.ensure_demo_root() == path
    assert path.read_bytes() == first
    assert AuditRecord.objects.filter(action="signing.root_create").count() == 1


def test_issue_unit_key_writes_the_file_the_row_and_the_audit_record(pki_dir, tree, admin_user):
    services.ensure_demo_root()
    desk = tree["justice_desk"]

    key = services.issue_unit_key(by=admin_user, unit=desk)

    assert key.unit == desk and key.is_active and key.origin == SigningKey.Origin.PLATFORM
    assert key.p12_path == f"units/H98.101.01-{key.fingerprint_sha256[:16]}.p12"
    path = pki_dir / key.p12_path
    assert path.stat().st_mode & 0o777 == 0o600
    contents = pki.read_pkcs12(path.read_bytes(), passphrase=PASSPHRASE.encode())
    assert contents.info.fingerprint_sha256 == key.fingerprint_sha256
    assert contents.info.common_name == "Bộ phận Một cửa Sở Tư pháp"
    assert key.subject == contents.info.subject
    assert key.serial == contents.info.serial
    assert key.not_after - key.not_before == pki.UNIT_VALIDITY + timedelta(minutes=10)
    record = AuditRecord.objects.get(action="signing.key_issue")
    assert (record.actor, record.target_id, record.before) == (admin_user, str(key.pk), None)
    assert record.after["fingerprint_sha256"] == key.fingerprint_sha256


def test_issuing_again_replaces_the_key_and_keeps_the_old_file(pki_dir, tree, admin_user):
    services.ensure_demo_root()
    first = services.issue_unit_key(by=admin_user, unit=tree["justice"])
    old_fingerprint, old_path = first.fingerprint_sha256, first.p12_path

    second = services.issue_unit_key(by=admin_user, unit=tree["justice"])

    assert second.pk == first.pk and second.fingerprint_sha256 != old_fingerprint
    assert (pki_dir / old_path).exists() and (pki_dir / second.p12_path).exists()
    record = AuditRecord.objects.filter(action="signing.key_issue").order_by("-seq").first()
    assert record.before["fingerprint_sha256"] == old_fingerprint


@pytest.mark.parametrize(
    ("role", "position", "unit", "allowed"),
    [
        ("administrator", "province", "justice_desk", True),
        ("administrator", "justice", "justice_desk", True),  # own agency's subtree
        ("administrator", "justice", "finance", False),  # another agency
        ("specialist", "justice", "justice_desk", False),
        ("receiving_officer", "justice_desk", "justice_desk", False),
        ("agency_leader", "justice", "justice", False),
    ],
)
def test_issue_unit_key_needs_signing_manage_over_the_unit(pki_dir, tree, make_officer, role, position, unit, allowed):
    services.ensure_demo_root()
    officer = make_officer(role, tree[position])
    before = _state(pki_dir)

    if allowed:
        key = services.issue_unit_key(by=officer, unit=tree[unit])
        assert key.unit == tree[unit]
        return
    with pytest.raises(PermissionDenied):
        services.issue_unit_key(by=officer, unit=tree[unit])
    assert _state(pki_dir) == before


def test_issue_unit_key_without_a_root_says_how_to_make_one(pki_dir, tree):
    with pytest.raises(KeyNotFound, match="make_demo_pki"):
        services.issue_unit_key(by=None, unit=tree["justice"])
    assert not SigningKey.objects.exists()


def test_ensure_demo_keys_is_idempotent(pki_dir, tree):
    units = [tree["province"], tree["justice"], tree["justice_desk"], tree["finance"], tree["commune"]]

    assert services.ensure_demo_keys(units) == 5
    state = _state(pki_dir)
    root = (pki_dir / "root-ca.pem").read_bytes()

    assert services.ensure_demo_keys(units) == 0
    assert _state(pki_dir) == state
    assert (pki_dir / "root-ca.pem").read_bytes() == root
    assert services.ensure_demo_keys([*units, tree["finance_div"]]) == 1
    assert services.ensure_demo_keys([]) == 0


def test_ensure_demo_keys_leaves_a_switched_off_key_alone(pki_dir, tree):
    services.ensure_demo_keys([tree["justice"]])
    SigningKey.objects.update(is_active=False)

    assert services.ensure_demo_keys([tree["justice"]]) == 0
    assert not SigningKey.objects.get().is_active


def test_demo_signing_units_are_the_active_agencies_and_one_stop_units(tree):
    create_organisation(
        by=None,
        parent=tree["province"],
        name="UBND xã Đã Sáp Nhập",
        kind=Kind.COMMUNE,
        code="H98.302",
        valid_to=timezone.localdate() - timedelta(days=1),
    )
    names = set(selectors.demo_signing_units().values_list("name", flat=True))
    assert names == {
        "UBND tỉnh Thử Nghiệm",
        "Sở Tư pháp",
        "Bộ phận Một cửa Sở Tư pháp",
        "Sở Tài chính",
        "UBND xã Thử Nghiệm",
    }


def test_ensuring_demo_keys_for_a_hundred_units_makes_one_each(pki_dir, tree):
    units = [
        create_organisation(
            by=None, parent=tree["province"], name=f"UBND xã Số {n}", kind=Kind.COMMUNE, code=f"H98.{400 + n}"
        )
        for n in range(100)
    ]
    assert services.ensure_demo_keys(units) == 100
    assert services.ensure_demo_keys(units) == 0


# --------------------------------------------------------------------------------------------------
# Installing a CA-issued key
# --------------------------------------------------------------------------------------------------


def _ca_issued_p12(passphrase: bytes, **kw) -> tuple[bytes, pki.RootCA]:
    ca = pki.create_root_ca(common_name="CA thử nghiệm (được cấp phép)")
    issued = pki.issue_unit_certificate(ca, name="Sở Tài chính", identifier="H98.102", passphrase=passphrase, **kw)
    return issued.pkcs12, ca


def test_install_unit_key_stores_it_under_our_passphrase(pki_dir, tree, admin_user, small_pdf):
    data, ca = _ca_issued_p12(b"mat-khau-cua-ca")

    key = services.install_unit_key(by=admin_user, unit=tree["finance"], pkcs12=data, passphrase="mat-khau-cua-ca")

    assert key.origin == SigningKey.Origin.INSTALLED
    assert key.issuer == ca.info.subject
    pki.read_pkcs12((pki_dir / key.p12_path).read_bytes(), passphrase=PASSPHRASE.encode())
    assert AuditRecord.objects.filter(action="signing.key_install", target_id=str(key.pk)).count() == 1
    signed = services.sign_pdf(pdf=small_pdf, unit=tree["finance_div"])
    [report] = services.validate_pdf(signed, trust_roots=[ca.certificate])
    assert report.ok and report.signer_common_name == "Sở Tài chính"


def test_install_unit_key_refuses_a_wrong_passphrase_or_an_expired_certificate(pki_dir, tree, admin_user):
    data, _ = _ca_issued_p12(b"mat-khau-cua-ca")
    expired, _ = _ca_issued_p12(b"pw", now=timezone.now() - timedelta(days=800), valid_for=timedelta(days=365))
    before = _state(pki_dir)

    with pytest.raises(ValidationFailed) as wrong:
        services.install_unit_key(by=admin_user, unit=tree["finance"], pkcs12=data, passphrase="sai")
    with pytest.raises(ValidationFailed) as old:
        services.install_unit_key(by=admin_user, unit=tree["finance"], pkcs12=expired, passphrase="pw")

    assert wrong.value.errors[0].field == "pkcs12" and "mật khẩu" in wrong.value.errors[0].message
    assert "Chứng thư chỉ có hiệu lực từ" in old.value.errors[0].message
    assert _state(pki_dir) == before


def test_install_unit_key_needs_signing_manage(pki_dir, tree, make_officer):
    data, _ = _ca_issued_p12(b"pw")
    specialist = make_officer("specialist", tree["finance"])
    before = _state(pki_dir)

    with pytest.raises(PermissionDenied):
        services.install_unit_key(by=specialist, unit=tree["finance"], pkcs12=data, passphrase="pw")

    assert _state(pki_dir) == before


# --------------------------------------------------------------------------------------------------
# Which key signs
# --------------------------------------------------------------------------------------------------


def test_a_unit_signs_with_its_own_key_else_its_agencys(pki_dir, tree):
    services.ensure_demo_keys([tree["justice"], tree["justice_desk"]])

    assert selectors.key_for(tree["justice_desk"]).unit == tree["justice_desk"]
    assert selectors.key_for(tree["justice_div"]).unit == tree["justice"]
    assert selectors.key_for(tree["justice"]).unit == tree["justice"]


def test_a_switched_off_key_falls_back_to_the_agency(pki_dir, tree):
    services.ensure_demo_keys([tree["justice"], tree["justice_desk"]])
    SigningKey.objects.filter(unit=tree["justice_desk"]).update(is_active=False)

    assert selectors.key_for(tree["justice_desk"]).unit == tree["justice"]


def test_no_key_up_to_the_agency_is_key_not_found_even_if_the_province_has_one(pki_dir, tree, small_pdf):
    services.ensure_demo_keys([tree["province"]])

    with pytest.raises(KeyNotFound) as error:
        services.sign_pdf(pdf=small_pdf, unit=tree["finance_div"])

    assert error.value.message == (
        "Phòng Đăng ký kinh doanh và Sở Tài chính chưa có khóa ký số: quản trị viên cần cấp hoặc cài khóa cho đơn vị."
    )
    assert (error.value.code, error.value.status) == ("signing_key_not_found", 409)


def test_key_lookup_takes_three_queries(pki_dir, tree, django_assert_num_queries):
    services.ensure_demo_keys([tree["justice"]])
    with django_assert_num_queries(3):
        selectors.key_for(tree["justice_desk"])


# --------------------------------------------------------------------------------------------------
# Signing and validating
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def keys(pki_dir, tree):
    services.ensure_demo_keys([tree["justice"], tree["justice_desk"], tree["finance"]])
    return tree


def test_a_form_signed_by_the_one_stop_unit_validates_with_its_name(keys, small_pdf):
    before = timezone.now().replace(microsecond=0)

    signed = services.sign_pdf(pdf=small_pdf, unit=keys["justice_desk"], reason="Cấp Giấy tiếp nhận hồ sơ")
    [report] = services.validate_pdf(signed)

    assert (report.intact, report.valid, report.trusted) == (True, True, True)
    assert report.signer_common_name == "Bộ phận Một cửa Sở Tư pháp"
    assert report.signer_identifier == "H98.101.01"
    assert report.reason == "Cấp Giấy tiếp nhận hồ sơ"
    assert before <= report.signing_time <= timezone.now()
    assert report.signing_time.utcoffset() == timedelta(hours=7)
    assert report.summary.startswith("Bộ phận Một cửa Sở Tư pháp ký lúc ")
    assert report.summary.endswith("chữ ký hợp lệ, tài liệu không bị thay đổi sau khi ký, chứng thư được tin cậy.")


def test_a_division_signs_with_its_agencys_key(keys, small_pdf):
    [report] = services.validate_pdf(services.sign_pdf(pdf=small_pdf, unit=keys["justice_div"]))
    assert report.signer_common_name == "Sở Tư pháp" and report.ok
    assert report.reason == services.DEFAULT_REASON


def test_the_location_defaults_to_the_signing_units_address(keys, small_pdf):
    from egov.organisations.services import update_organisation

    update_organisation(by=None, organisation=keys["justice"], address="Số 1 đường Lê Lợi, phường Sơn Nam")
    [report] = services.validate_pdf(services.sign_pdf(pdf=small_pdf, unit=keys["justice_div"]))
    assert report.location == "Số 1 đường Lê Lợi, phường Sơn Nam"


def test_a_changed_byte_is_not_intact(keys, small_pdf):
    tampered = flip_signed_byte(services.sign_pdf(pdf=small_pdf, unit=keys["justice_desk"]))
    [report] = services.validate_pdf(tampered)
    assert report.intact is False and report.ok is False


def test_a_pdf_signed_under_another_root_is_not_trusted(keys, small_pdf, settings, tmp_path):
    signed = services.sign_pdf(pdf=small_pdf, unit=keys["justice"])
    # the same file checked by a platform whose trust roots are another CA's
    stranger = pki.create_root_ca(common_name="Tổ chức chứng thực khác")
    (tmp_path / "other.pem").write_bytes(stranger.certificate_pem)
    settings.EGOV_TRUST_ROOTS = [str(tmp_path / "other.pem")]

    [report] = services.validate_pdf(signed)

    assert (report.intact, report.valid, report.trusted) == (True, True, False)
    assert report.trust_problem == "NO_CERTIFICATE_CHAIN_FOUND"


def test_a_key_from_another_root_signs_but_is_not_trusted(keys, small_pdf, settings, tmp_path):
    # a unit key installed from another CA, validated against the demo root only
    data, _ca = _ca_issued_p12(b"pw")
    services.install_unit_key(by=None, unit=keys["finance"], pkcs12=data, passphrase="pw")

    [report] = services.validate_pdf(services.sign_pdf(pdf=small_pdf, unit=keys["finance"]))

    assert (report.intact, report.valid, report.trusted) == (True, True, False)


def test_trust_roots_can_be_given_as_paths_or_certificates(keys, small_pdf, pki_dir):
    signed = services.sign_pdf(pdf=small_pdf, unit=keys["justice"])
    root = pki.load_certificates((pki_dir / "root-ca.pem").read_bytes())[0]
    assert services.validate_pdf(signed, trust_roots=[pki_dir / "root-ca.pem"])[0].trusted
    assert services.validate_pdf(signed, trust_roots=[str(pki_dir / "root-ca.pem")])[0].trusted
    assert services.validate_pdf(signed, trust_roots=[root])[0].trusted
    assert not services.validate_pdf(signed, trust_roots=[])[0].trusted
    assert not services.validate_pdf(signed, trust_roots=[pki_dir / "missing.pem"])[0].trusted


def test_the_settings_are_read_into_a_frozen_dataclass(settings, tmp_path):
    settings.EGOV_PKI_DIR = tmp_path
    settings.EGOV_SIGNING_PASSPHRASE = "bí mật"
    settings.EGOV_TRUST_ROOTS = "/a.pem, /b.pem"
    settings.EGOV_PKCS11_MODULE = "/opt/vendor/libtoken.so"
    settings.EGOV_SOFTHSM_DIR = tmp_path / "softhsm"
    settings.EGOV_TSA_URL = "https://tsa.example.vn/tsr"
    settings.EGOV_CRL_URL = ""
    settings.EGOV_PUBLIC_URL = "https://dichvucong.example.vn/"
    current = conf.current()
    assert current == conf.SigningSettings(
        pki_dir=tmp_path,
        passphrase="bí mật".encode(),
        trust_roots=(Path("/a.pem"), Path("/b.pem")),
        pkcs11_module="/opt/vendor/libtoken.so",
        softhsm_dir=tmp_path / "softhsm",
        tsa_url="https://tsa.example.vn/tsr",
        crl_url="https://dichvucong.example.vn/pki/crl/demo-root.crl",
    )
    del settings.EGOV_PKI_DIR, settings.EGOV_SIGNING_PASSPHRASE, settings.EGOV_TRUST_ROOTS
    default = conf.current()
    assert default.pki_dir == settings.VAR_DIR / "pki"
    assert default.passphrase == b"demo-signing-passphrase"
    assert default.trust_roots == (settings.VAR_DIR / "pki" / "root-ca.pem",)
    with pytest.raises(AttributeError):
        default.pki_dir = tmp_path


def test_an_expired_key_does_not_sign(keys, small_pdf):
    now = timezone.now()
    SigningKey.objects.filter(unit=keys["justice"]).update(
        not_before=now - timedelta(days=400), not_after=now - timedelta(days=1)
    )
    with pytest.raises(KeyNotUsable, match="Khóa ký số của Sở Tư pháp chỉ có hiệu lực từ"):
        services.sign_pdf(pdf=small_pdf, unit=keys["justice_div"])


def test_a_missing_or_foreign_key_file_is_an_invalid_key_file(keys, small_pdf, pki_dir):
    justice = SigningKey.objects.get(unit=keys["justice"])
    finance = SigningKey.objects.get(unit=keys["finance"])
    (pki_dir / finance.p12_path).write_bytes((pki_dir / justice.p12_path).read_bytes())
    with pytest.raises(InvalidKeyFile, match="không khớp"):
        services.sign_pdf(pdf=small_pdf, unit=keys["finance"])
    (pki_dir / justice.p12_path).unlink()
    with pytest.raises(InvalidKeyFile, match="Không tìm thấy tệp khóa"):
        services.sign_pdf(pdf=small_pdf, unit=keys["justice"])


def test_an_unknown_appearance_is_a_programming_error(keys, small_pdf):
    with pytest.raises(ValueError):
        services.sign_pdf(pdf=small_pdf, unit=keys["justice"], appearance="seal")


# --------------------------------------------------------------------------------------------------
# poppler's pdfsig
# --------------------------------------------------------------------------------------------------


@needs_pdfsig
@pytest.mark.parametrize("appearance", [None, "stamp"])
def test_pdfsig_reports_the_signature_valid_and_trusted(keys, small_pdf, pki_dir, pdfsig, appearance):
    signed = services.sign_pdf(pdf=small_pdf, unit=keys["justice_desk"], appearance=appearance)

    output = pdfsig(pki_dir / "root-ca.pem").check(signed)

    assert "Signer Certificate Common Name: Bộ phận Một cửa Sở Tư pháp" in output
    assert "Signature Type: ETSI.CAdES.detached" in output
    assert "Total document signed" in output
    assert "Signature Validation: Signature is Valid." in output
    assert "Certificate Validation: Certificate is Trusted." in output


@needs_pdfsig
def test_pdfsig_reports_a_changed_byte_as_invalid(keys, small_pdf, pki_dir, pdfsig):
    tampered = flip_signed_byte(services.sign_pdf(pdf=small_pdf, unit=keys["justice_desk"]))

    output = pdfsig(pki_dir / "root-ca.pem").check(tampered)

    assert "Signature Validation: Digest Mismatch." in output
    assert "Signature is Valid." not in output


@needs_pdfsig
def test_pdfsig_does_not_trust_a_key_from_another_root(keys, small_pdf, pki_dir, pdfsig, tmp_path):
    signed = services.sign_pdf(pdf=small_pdf, unit=keys["justice"])
    stranger = pki.create_root_ca(common_name="Tổ chức chứng thực khác")
    (tmp_path / "other.pem").write_bytes(stranger.certificate_pem)

    output = pdfsig(tmp_path / "other.pem").check(signed)

    assert "Signature Validation: Signature is Valid." in output
    assert "Certificate Validation: Certificate is Trusted." not in output
    assert "Certificate issuer isn't Trusted." in output


def test_pades_module_is_the_engine(keys, small_pdf):
    # services.validate_pdf is pades.validate with the configured roots
    signed = services.sign_pdf(pdf=small_pdf, unit=keys["justice"])
    assert services.validate_pdf(signed) == pades.validate(signed, trust_roots=services.trust_root_certificates())
