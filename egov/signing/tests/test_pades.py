"""PAdES signing and validation as a library (no database): what pyHanko and poppler's pdfsig say."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import pdf_cms

from egov.signing import pades, pki
from egov.signing.errors import InvalidDocument, NoSignatures
from egov.signing.pki import VIETNAM_TZ
from egov.signing.tests.conftest import flip_signed_byte, needs_pdfsig

AT = datetime(2026, 3, 15, 9, 30, 12, tzinfo=VIETNAM_TZ)
UNIT = "Bộ phận Một cửa Sở Tư pháp"


@pytest.fixture(scope="module")
def root() -> pki.RootCA:
    return pki.create_root_ca(now=AT - timedelta(days=1))


@pytest.fixture(scope="module")
def signer(root):
    issued = pki.issue_unit_certificate(
        root, name=UNIT, identifier="H99.103.01", passphrase=b"pw", now=AT - timedelta(days=1)
    )
    return pades.load_signer(issued.pkcs12, passphrase=b"pw")


@pytest.fixture
def root_pem(tmp_path, root):
    path = tmp_path / "root-ca.pem"
    path.write_bytes(root.certificate_pem)
    return path


def _sign(pdf: bytes, signer, **kw) -> bytes:
    kw.setdefault("signing_time", AT)
    kw.setdefault("reason", "Phát hành phiếu tiếp nhận")
    kw.setdefault("location", "Tỉnh Sơn Nam")
    return pades.sign(pdf, signer=signer, **kw)


def test_a_signed_pdf_is_intact_valid_and_trusted(small_pdf, signer, root):
    signed = _sign(small_pdf, signer)

    [report] = pades.validate(signed, trust_roots=[root.certificate], moment=AT + timedelta(hours=1))

    assert report.field_name == "ChuKy1"
    assert (report.signer_common_name, report.signer_organisation, report.signer_identifier) == (
        UNIT,
        UNIT,
        "H99.103.01",
    )
    assert report.signing_time == AT and report.signing_time.utcoffset() == timedelta(hours=7)
    assert report.timestamped is False
    assert (report.reason, report.location) == ("Phát hành phiếu tiếp nhận", "Tỉnh Sơn Nam")
    assert (report.intact, report.valid, report.trusted, report.ok) == (True, True, True, True)
    assert (report.coverage, report.modification_level, report.trust_problem) == ("entire_file", "none", None)
    assert report.summary == (
        "Bộ phận Một cửa Sở Tư pháp ký lúc 09:30:12 ngày 15/03/2026 (giờ Việt Nam): chữ ký hợp lệ, "
        "tài liệu không bị thay đổi sau khi ký, chứng thư được tin cậy."
    )


def test_the_signature_is_pades_with_the_chain_and_vietnam_time(small_pdf, signer, root):
    signed = _sign(small_pdf, signer)

    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_regular_signatures
    assert str(embedded.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"
    assert str(embedded.sig_object["/M"]) == "D:20260315093012+07'00'"
    embedded_subjects = sorted(c.chosen.subject.native["common_name"] for c in embedded.signed_data["certificates"])
    assert embedded_subjects == sorted([UNIT, "Demo Root CA — Tỉnh Sơn Nam (không dùng thật)"])
    # PAdES baseline: no CMS signing-time attribute, the time is /M
    signed_attrs = {a["type"].native for a in embedded.signer_info["signed_attrs"]}
    assert "signing_time" not in signed_attrs
    assert "signing_certificate_v2" in signed_attrs


def test_a_changed_byte_breaks_integrity_but_not_the_certificate(small_pdf, signer, root):
    tampered = flip_signed_byte(_sign(small_pdf, signer))

    [report] = pades.validate(tampered, trust_roots=[root.certificate], moment=AT)

    assert report.intact is False and report.ok is False
    assert report.summary.endswith("tài liệu ĐÃ BỊ THAY ĐỔI sau khi ký, chữ ký không còn giá trị.")


def test_a_certificate_from_another_root_is_not_trusted(small_pdf, signer):
    stranger = pki.create_root_ca(common_name="Một tổ chức chứng thực khác")

    [report] = pades.validate(_sign(small_pdf, signer), trust_roots=[stranger.certificate], moment=AT)

    assert (report.intact, report.valid, report.trusted) == (True, True, False)
    assert report.trust_problem == "NO_CERTIFICATE_CHAIN_FOUND"
    assert report.summary.endswith("nhưng chứng thư không thuộc tổ chức chứng thực được tin cậy.")


def test_no_trust_roots_trust_nothing(small_pdf, signer):
    [report] = pades.validate(_sign(small_pdf, signer), trust_roots=[], moment=AT)
    assert report.trusted is False


def test_an_expired_certificate_is_reported_as_such(small_pdf, signer, root):
    later = AT + pki.UNIT_VALIDITY + timedelta(days=2)
    [report] = pades.validate(_sign(small_pdf, signer), trust_roots=[root.certificate], moment=later)
    assert report.trusted is False
    assert report.summary.endswith("nhưng chứng thư đã hết hạn.")


def test_a_second_signature_keeps_the_first_one_intact(small_pdf, signer, root):
    twice = _sign(_sign(small_pdf, signer), signer, signing_time=AT + timedelta(minutes=5))

    first, second = pades.validate(twice, trust_roots=[root.certificate], moment=AT + timedelta(hours=1))

    assert (first.field_name, second.field_name) == ("ChuKy1", "ChuKy2")
    assert (first.coverage, first.modification_level, first.intact, first.ok) == (
        "entire_revision",
        "form_filling",
        True,
        True,
    )
    assert "sau khi ký tài liệu chỉ được thêm chữ ký hoặc điền biểu mẫu" in first.summary
    assert (second.coverage, second.ok) == ("entire_file", True)


def test_a_named_field_is_used(small_pdf, signer, root):
    signed = _sign(small_pdf, signer, field_name="PhieuTiepNhan")
    assert [r.field_name for r in pades.validate(signed, trust_roots=[root.certificate], moment=AT)] == [
        "PhieuTiepNhan"
    ]


def test_the_stamp_sits_at_the_top_right_of_page_one(small_pdf, signer, root):
    signed = _sign(small_pdf, signer, stamp=pades.Stamp(signer_name=UNIT))

    reader = PdfFileReader(io.BytesIO(signed))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    width, height = float(page["/MediaBox"][2]), float(page["/MediaBox"][3])
    [widget] = [a.get_object() for a in page["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    mm = 72 / 25.4
    assert x2 == pytest.approx(width - 6 * mm) and y2 == pytest.approx(height - 6 * mm)
    assert x2 - x1 == pytest.approx(64 * mm) and y2 - y1 == pytest.approx(11 * mm)
    assert "/N" in widget["/AP"]
    [report] = pades.validate(signed, trust_roots=[root.certificate], moment=AT)
    assert report.ok


def test_the_stamp_shows_the_unit_and_the_time_in_vietnamese():
    stamp_pdf = pades.render_stamp(pades.Stamp(signer_name=UNIT), signing_time=AT.astimezone(UTC))
    page = PdfFileReader(io.BytesIO(stamp_pdf)).root["/Pages"]["/Kids"][0].get_object()
    assert [round(float(v) / (72 / 25.4), 1) for v in page["/MediaBox"]] == [0, 0, 64.0, 11.0]
    text = _pdf_text(stamp_pdf)
    assert "Ký bởi: Bộ phận Một cửa Sở Tư pháp" in text
    assert "Thời gian ký: 2026-03-15T09:30:12+07:00" in text


def _pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler's pdftotext")
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30)
    return " ".join(result.stdout.decode("utf-8").split())


def test_a_naive_signing_time_is_refused(small_pdf, signer):
    with pytest.raises(ValueError):
        _sign(small_pdf, signer, signing_time=datetime(2026, 3, 15, 9, 30))


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.7\n garbage", b"\x00" * 100])
def test_bytes_that_are_not_a_pdf_are_refused_in_vietnamese(data, signer):
    with pytest.raises(InvalidDocument) as validating:
        pades.validate(data, trust_roots=[])
    assert validating.value.message == "Tệp không phải là tệp PDF hợp lệ."
    assert validating.value.status == 422
    with pytest.raises(InvalidDocument):
        _sign(data, signer)


def test_an_unsigned_pdf_has_no_signatures(small_pdf):
    with pytest.raises(NoSignatures) as error:
        pades.validate(small_pdf, trust_roots=[])
    assert (error.value.code, error.value.message) == ("pdf_not_signed", "Tệp PDF không có chữ ký số nào.")


def test_a_damaged_signature_container_is_reported_not_raised(small_pdf, signer, root):
    signed = bytearray(_sign(small_pdf, signer))
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    signed[start + 40 : start + 60] = b"0" * 20  # inside the CMS (DER), outside the signed ranges

    [report] = pades.validate(bytes(signed), trust_roots=[root.certificate], moment=AT)

    assert (report.valid, report.intact, report.trusted) == (False, False, False)


@needs_pdfsig
@pytest.mark.parametrize("algorithm", list(pki.KeyAlgorithm))
def test_pdfsig_accepts_ecdsa_and_rsa_signatures(small_pdf, root, root_pem, pdfsig, algorithm):
    issued = pki.issue_unit_certificate(root, name=UNIT, identifier="H99.103.01", passphrase=b"pw", algorithm=algorithm)
    signer = pades.load_signer(issued.pkcs12, passphrase=b"pw")
    signed = _sign(small_pdf, signer, signing_time=datetime.now(VIETNAM_TZ))

    output = pdfsig(root_pem).check(signed)

    assert "Signature Field Name: ChuKy1" in output
    assert f"Signer Certificate Common Name: {UNIT}" in output
    assert "Signature Type: ETSI.CAdES.detached" in output
    assert "Total document signed" in output
    assert "Signature Validation: Signature is Valid." in output
    assert "Certificate Validation: Certificate is Trusted." in output


@pytest.mark.parametrize("algorithm", list(pki.KeyAlgorithm))
def test_the_private_key_is_parsed_once_not_per_signature(small_pdf, root, monkeypatch, algorithm):
    issued = pki.issue_unit_certificate(
        root, name=UNIT, identifier="H99.103.01", passphrase=b"pw", algorithm=algorithm, now=AT - timedelta(days=1)
    )
    signer = pades.load_signer(issued.pkcs12, passphrase=b"pw")

    def refuse(*args, **kwargs):
        raise AssertionError("the key was parsed again")

    monkeypatch.setattr(pdf_cms.serialization, "load_der_private_key", refuse)

    [report] = pades.validate(_sign(small_pdf, signer), trust_roots=[root.certificate], moment=AT)
    assert report.ok
