"""Officers' own signatures on a SoftHSM2 token, and the organisation's seal at issue: enrolment,
signing with the PIN, every refusal leaving the document unsigned, and the two signatures checked by
pyHanko (integrity, modification level, time-stamp, revocation) and by poppler's pdfsig."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.audit.models import AuditRecord
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.signing import officers, services, tokens
from egov.signing.errors import (
    CertificateExpired,
    CertificateRevoked,
    InvalidDocument,
    NoOfficerCredential,
    TokenModuleMissing,
    WrongPin,
)
from egov.signing.models import OfficerCredential
from egov.signing.placement import Placement
from egov.signing.tests.conftest import needs_pdfsig

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("softhsm2-util") is None or not tokens.conf.DEFAULT_PKCS11_MODULE,
        reason="needs SoftHSM2 (apt-get install softhsm2)",
    ),
]

PIN = "246810"
# A5 portrait is 420 x 595 pt: the signature block sits at the bottom right.
OFFICER_BOX = Placement(page=0, box=(250.0, 90.0, 390.0, 140.0))
SEAL_BOX = Placement(page=0, box=(200.0, 70.0, 290.0, 160.0))  # over the left third of the officer's image
NUMBER_BOX = Placement(page=0, box=(40.0, 470.0, 200.0, 486.0))
DATE_BOX = Placement(page=0, box=(210.0, 470.0, 400.0, 486.0))


@pytest.fixture
def signing_env(pki_dir, settings, tmp_path, tree):
    settings.EGOV_SOFTHSM_DIR = tmp_path / "softhsm"
    settings.EGOV_TSA_URL = ""
    settings.EGOV_CRL_URL = "http://egov.test/pki/crl/demo-root.crl"
    services.ensure_demo_root()
    services.ensure_demo_keys([tree["justice"]])
    return pki_dir


@pytest.fixture
def officer(make_officer, tree):
    user = make_officer("specialist", tree["justice"], username="pgd.hung")
    user.full_name = "Nguyễn Văn Hùng"
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def credential(signing_env, admin_user, officer, tree):
    return officers.enrol_officer(by=admin_user, user=officer, unit=tree["justice"], title="Phó Giám đốc", pin=PIN)


def _signature_count(pdf: bytes) -> int:
    return len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)


# --------------------------------------------------------------------------------------------------
# Enrolment
# --------------------------------------------------------------------------------------------------


def test_enrol_creates_a_token_key_certificate_and_row(credential, officer, tree, admin_user):
    assert credential.user == officer and credential.unit == tree["justice"] and credential.active
    assert credential.method == "pkcs11" and credential.token_label.startswith(f"egov-{officer.pk}-")
    cert = x509.load_der_x509_certificate(bytes(credential.certificate))
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nguyễn Văn Hùng"
    assert cert.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Phó Giám đốc"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Sở Tư pháp"
    assert cert.issuer == services.root_certificate().subject
    points = cert.extensions.get_extension_for_oid(ExtensionOID.CRL_DISTRIBUTION_POINTS).value
    assert points[0].full_name[0].value == "http://egov.test/pki/crl/demo-root.crl"
    assert credential.serial == format(cert.serial_number, "X")
    assert bytes(credential.signature_image).startswith(b"\x89PNG")
    # The key lives on the token (with the certificate), never in the database.
    with tokens.open_session(credential.token_label, PIN) as session:
        from pkcs11 import Attribute, ObjectClass

        keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
        certs = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}))
        assert len(keys) == 1 and keys[0][Attribute.EXTRACTABLE] is False
        assert [c[Attribute.VALUE] for c in certs] == [bytes(credential.certificate)]
    assert AuditRecord.objects.filter(action="signing.officer_enrol", target_id=str(credential.pk)).count() == 1


def test_enrol_again_replaces_the_active_credential(credential, admin_user, officer, tree):
    second = officers.enrol_officer(by=admin_user, user=officer, unit=tree["justice"], title="Giám đốc", pin=PIN)

    credential.refresh_from_db()
    assert not credential.active and credential.revoked_at is None
    assert officers.active_credential(officer) == second
    assert OfficerCredential.objects.filter(user=officer, active=True).count() == 1


def test_enrol_refuses_a_short_pin_and_needs_signing_manage(signing_env, admin_user, officer, tree, make_officer):
    with pytest.raises(ValidationFailed) as caught:
        officers.enrol_officer(by=admin_user, user=officer, unit=tree["justice"], title="", pin="12")
    assert {e.field for e in caught.value.errors} == {"title", "pin"}
    clerk = make_officer("specialist", tree["justice"])
    with pytest.raises(PermissionDenied):
        officers.enrol_officer(by=clerk, user=officer, unit=tree["justice"], title="Phó Giám đốc", pin=PIN)
    assert OfficerCredential.objects.count() == 0
    softhsm = signing_env.parent / "softhsm"
    assert not softhsm.exists() or list((softhsm / "tokens").iterdir()) == []  # no token was made


def test_missing_module_is_a_typed_vietnamese_error(signing_env, settings, admin_user, officer, tree):
    settings.EGOV_PKCS11_MODULE = "/nonexistent/libsofthsm2.so"
    with pytest.raises(TokenModuleMissing) as caught:
        officers.enrol_officer(by=admin_user, user=officer, unit=tree["justice"], title="Phó Giám đốc", pin=PIN)
    assert "Không tìm thấy thư viện PKCS#11 /nonexistent/libsofthsm2.so" in caught.value.message
    assert OfficerCredential.objects.count() == 0


# --------------------------------------------------------------------------------------------------
# Signing as the officer
# --------------------------------------------------------------------------------------------------


def test_sign_with_the_right_pin(credential, officer, small_pdf):
    signed = officers.sign_as_officer(by=officer, pdf=small_pdf, pin=PIN, placement=OFFICER_BOX, reason="Ký duyệt")

    (report,) = services.validate_pdf(signed)
    assert report.ok, report.summary
    assert report.signer_common_name == "Nguyễn Văn Hùng" and report.signer_organisation == "Sở Tư pháp"
    assert report.reason == "Ký duyệt"
    assert report.timestamped and report.level == "B-LT" and not report.revoked
    assert report.field_name == "ChuKyCanBo1"
    assert AuditRecord.objects.filter(action="signing.officer_sign").count() == 1


def test_wrong_pin_signs_nothing(credential, officer, small_pdf):
    audit_before = AuditRecord.objects.count()
    with pytest.raises(WrongPin):
        officers.sign_as_officer(by=officer, pdf=small_pdf, pin="999999", placement=OFFICER_BOX)
    with pytest.raises(WrongPin):
        officers.sign_as_officer(by=officer, pdf=small_pdf, pin="", placement=OFFICER_BOX)
    assert AuditRecord.objects.count() == audit_before


def test_no_credential(signing_env, officer, small_pdf):
    with pytest.raises(NoOfficerCredential):
        officers.sign_as_officer(by=officer, pdf=small_pdf, pin=PIN, placement=OFFICER_BOX)


def test_not_a_pdf(credential, officer):
    with pytest.raises(InvalidDocument):
        officers.sign_as_officer(by=officer, pdf=b"hello, not a pdf", pin=PIN, placement=OFFICER_BOX)


def test_revoked_credential_cannot_sign_and_goes_on_the_crl(credential, officer, admin_user, small_pdf):
    signed_before = officers.sign_as_officer(by=officer, pdf=small_pdf, pin=PIN, placement=OFFICER_BOX)

    officers.revoke_officer_credential(by=admin_user, credential=credential, reason="Mất token")

    with pytest.raises(CertificateRevoked):
        officers.sign_as_officer(by=officer, pdf=small_pdf, pin=PIN, placement=OFFICER_BOX)
    crl = x509.load_der_x509_crl(services.current_crl())
    assert crl.get_revoked_certificate_by_serial_number(int(credential.serial, 16)) is not None
    assert crl.is_signature_valid(services.root_certificate().public_key())
    # A document signed before the revocation, checked now against the CRL, is reported revoked.
    (report,) = services.validate_pdf(signed_before)
    assert report.revoked and not report.trusted
    assert "chứng thư đã bị thu hồi" in report.summary


def test_expired_credential_cannot_sign(credential, officer, small_pdf):
    OfficerCredential.objects.filter(pk=credential.pk).update(
        not_before=timezone.now() - timedelta(days=800), not_after=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(CertificateExpired):
        officers.sign_as_officer(by=officer, pdf=small_pdf, pin=PIN, placement=OFFICER_BOX)


# --------------------------------------------------------------------------------------------------
# The seal at issue
# --------------------------------------------------------------------------------------------------


def _issue(small_pdf, officer, tree):
    signed = officers.sign_as_officer(by=officer, pdf=small_pdf, pin=PIN, placement=OFFICER_BOX)
    return signed, services.seal_issued(
        unit=tree["justice"],
        pdf=signed,
        seal=SEAL_BOX,
        number_text="Số: 15/QĐ-STP",
        number=NUMBER_BOX,
        date_text="Sơn Nam, ngày 05 tháng 12 năm 2026",
        date=DATE_BOX,
    )


def test_seal_after_the_officer_keeps_both_signatures_valid(credential, officer, tree, small_pdf):
    signed, issued = _issue(small_pdf, officer, tree)

    assert issued.startswith(signed)  # one incremental revision on top of the officer's
    officer_report, seal_report = services.validate_pdf(issued)
    assert officer_report.signer_common_name == "Nguyễn Văn Hùng"
    assert officer_report.ok and officer_report.modifications_allowed, officer_report.summary
    assert officer_report.modification_level == "form_filling"
    assert seal_report.signer_common_name == "Sở Tư pháp" and seal_report.ok, seal_report.summary
    # B-LT: the revocation info goes into a DSS revision after the signature ("LTA updates").
    assert seal_report.level == "B-LT" and seal_report.modification_level == "lta_updates"
    assert officer_report.timestamped and seal_report.timestamped
    # The seal's field has three widgets: the seal image, the number and the date.
    reader = PdfFileReader(io.BytesIO(issued), strict=False)
    seal_field = next(f for f in reader.root["/AcroForm"]["/Fields"] if f.get_object()["/T"] == "DauCoQuan1")
    assert len(seal_field.get_object()["/Kids"]) == 3


def test_the_number_and_date_are_on_the_page(credential, officer, tree, small_pdf, tmp_path):
    import subprocess

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("needs poppler's pdftotext")
    _signed, issued = _issue(small_pdf, officer, tree)
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    text = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Số: 15/QĐ-STP" in text
    assert "Sơn Nam, ngày 05 tháng 12 năm 2026" in text


@needs_pdfsig
def test_pdfsig_reports_both_signatures_valid(credential, officer, tree, small_pdf, pdfsig, signing_env):
    _signed, issued = _issue(small_pdf, officer, tree)

    output = pdfsig(signing_env / "root-ca.pem").check(issued)

    assert output.count("Signature Validation: Signature is Valid.") == 2, output
    assert output.count("Certificate Validation: Certificate is Trusted.") == 2, output
    assert "Nguyễn Văn Hùng" in output and "Sở Tư pháp" in output


def test_seal_attachment_has_a_stamp_and_a_time_stamp(signing_env, tree, small_pdf):
    sealed = services.seal_attachment(unit=tree["justice"], pdf=small_pdf, label="Kèm theo Quyết định số 15/QĐ-STP")

    (report,) = services.validate_pdf(sealed)
    assert report.ok and report.timestamped and report.signer_common_name == "Sở Tư pháp"


def test_the_crl_is_published_and_lists_revocations(client, credential, admin_user):
    officers.revoke_officer_credential(by=admin_user, credential=credential, reason="Mất token")

    response = client.get("/pki/crl/demo-root.crl")

    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.issuer == services.root_certificate().subject
    assert [r.serial_number for r in crl] == [int(credential.serial, 16)]


def test_the_crl_is_404_without_a_root(client, pki_dir):
    assert client.get("/pki/crl/demo-root.crl").status_code == 404


def test_revocation_needs_signing_manage_or_the_officer_and_a_reason(credential, officer, make_officer, tree):
    clerk = make_officer("specialist", tree["justice"])
    with pytest.raises(PermissionDenied):
        officers.revoke_officer_credential(by=clerk, credential=credential, reason="Không rõ")
    with pytest.raises(ValidationFailed):
        officers.revoke_officer_credential(by=officer, credential=credential, reason="  ")
    credential.refresh_from_db()
    assert credential.active and credential.revoked_at is None

    officers.revoke_officer_credential(by=officer, credential=credential, reason="Mất token")  # own token

    credential.refresh_from_db()
    assert not credential.active and credential.revocation_reason == "Mất token"
    assert officers.active_credential(officer) is None
    assert AuditRecord.objects.filter(action="signing.officer_revoke", target_id=str(credential.pk)).count() == 1


def test_a_failed_enrolment_deletes_the_token_it_made(signing_env, admin_user, officer, tree, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("token full")

    monkeypatch.setattr(tokens, "store_certificate", fail)
    with pytest.raises(RuntimeError):
        officers.enrol_officer(by=admin_user, user=officer, unit=tree["justice"], title="Phó Giám đốc", pin=PIN)

    assert OfficerCredential.objects.count() == 0
    assert list((signing_env.parent / "softhsm" / "tokens").iterdir()) == []


def test_the_back_office_lists_credentials_read_only(client, credential, admin_user, officer):
    client.force_login(admin_user)

    listing = client.get("/admin/signing/officercredential/")
    page = client.get(f"/admin/signing/officercredential/{credential.pk}/change/")

    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == [credential]
    assert page.status_code == 200
    assert (page.context["has_change_permission"], page.context["has_add_permission"]) == (False, False)
    client.force_login(officer)  # a specialist without signing.manage
    assert client.get("/admin/signing/officercredential/").status_code in (302, 403)


def test_active_credential_is_one_query(credential, officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = officers.active_credential(officer)
        assert found.unit.name == "Sở Tư pháp"


def test_a_csc_credential_dispatches_to_the_csc_module(signing_env, admin_user, officer, tree, small_pdf, monkeypatch):
    import sys
    import types

    from cryptography.hazmat.primitives.asymmetric import ec

    from egov.signing import pki
    from egov.signing.errors import RemoteSigningFailed

    cert = pki.issue_officer_certificate(
        services.load_root(),
        public_key=ec.generate_private_key(ec.SECP256R1()).public_key(),
        name="Nguyễn Văn Hùng",
        title="Phó Giám đốc",
        organisation="Sở Tư pháp",
        identifier="pgd.hung",
    )
    credential = officers.enrol_officer(
        by=admin_user,
        user=officer,
        unit=tree["justice"],
        title="Phó Giám đốc",
        method="csc",
        csc_credential_id="cred-42",
        certificate=cert,
    )
    assert (credential.method, credential.csc_credential_id, credential.token_label) == ("csc", "cred-42", "")

    monkeypatch.setitem(sys.modules, "egov.signing.csc", None)  # the module is absent
    monkeypatch.delattr(sys.modules["egov.signing"], "csc", raising=False)
    with pytest.raises(RemoteSigningFailed):
        officers.sign_as_officer(by=officer, pdf=small_pdf, pin="123456", placement=OFFICER_BOX)

    calls = []

    def open_signer(*, credential, pin):
        calls.append((credential.csc_credential_id, pin))
        raise WrongPin()

    monkeypatch.setitem(sys.modules, "egov.signing.csc", types.SimpleNamespace(open_signer=open_signer))
    monkeypatch.setattr(sys.modules["egov.signing"], "csc", sys.modules["egov.signing.csc"], raising=False)
    with pytest.raises(WrongPin):
        officers.sign_as_officer(by=officer, pdf=small_pdf, pin="123456", placement=OFFICER_BOX)
    assert calls == [("cred-42", "123456")]


def test_a_placement_beyond_the_last_page_signs_nothing(credential, officer, small_pdf):
    audit_before = AuditRecord.objects.count()
    with pytest.raises(InvalidDocument) as caught:
        officers.sign_as_officer(by=officer, pdf=small_pdf, pin=PIN, placement=Placement(page=3, box=(1, 1, 50, 50)))
    assert caught.value.message == "Tài liệu chỉ có 1 trang: không đặt được chữ ký ở trang 4."
    assert AuditRecord.objects.count() == audit_before


def test_a_long_number_shrinks_to_fit_its_box():
    from egov.signing import pades

    long = pades._fitting_size("Số: 1234/QĐ-UBND-VP-TTHCC-2026", width=100, italic=False)
    short = pades._fitting_size("Số: 15", width=100, italic=False)
    assert long < 8 < short


def test_the_enrol_officer_command_enrols_and_signs_a_test_page(signing_env, officer, tree, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n")
    out = StringIO()

    call_command(
        "enrol_officer", "pgd.hung", "H98.101", "--title", "Phó Giám đốc", "--pin-file", str(pin_file), stdout=out
    )

    credential = officers.active_credential(officer)
    assert credential is not None and credential.title == "Phó Giám đốc"
    assert "Ký thử: Nguyễn Văn Hùng ký lúc" in out.getvalue()
    assert "chữ ký hợp lệ" in out.getvalue()
    with pytest.raises(CommandError, match="Không có tài khoản khong.co"):
        call_command("enrol_officer", "khong.co", "H98.101", "--title", "Phó Giám đốc", "--pin-file", str(pin_file))


def test_a_unit_certificate_revoked_at_the_ca_cannot_seal(signing_env, tree, small_pdf):
    from egov.signing import pades, pki
    from egov.signing.models import SigningKey

    key = SigningKey.objects.get(unit=tree["justice"])
    root = services.load_root()
    crl = pki.build_crl(root, revoked=[(int(key.serial, 16), timezone.now() - timedelta(minutes=1))])
    from cryptography.hazmat.primitives import serialization

    context = pades.crl_validation_context(
        trust_roots=[root.certificate], crls=[crl.public_bytes(serialization.Encoding.DER)]
    )
    signer = services._signer(key, services.conf.current())
    with pytest.raises(CertificateRevoked):
        pades.sign_placed(
            small_pdf,
            signer=signer,
            signing_time=timezone.now(),
            reason="",
            location="",
            placement=SEAL_BOX,
            image_png=services.seal_image(tree["justice"]),
            validation_context=context,
        )
