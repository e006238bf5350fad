"""Fixtures of the signing tests: a PKI directory per test, a small Vietnamese PDF, and poppler's
``pdfsig`` with a throw-away NSS database that trusts a given root."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSPHRASE = "mat-khau-thu-nghiem"

PDFSIG = shutil.which("pdfsig")
CERTUTIL = shutil.which("certutil")
needs_pdfsig = pytest.mark.skipif(
    PDFSIG is None or CERTUTIL is None,
    reason="needs poppler's pdfsig and NSS's certutil (apt-get install poppler-utils libnss3-tools)",
)


@pytest.fixture
def pki_dir(settings, tmp_path) -> Path:
    """An empty PKI directory and a test passphrase; trust roots default to the directory's root."""
    directory = tmp_path / "pki"
    settings.EGOV_PKI_DIR = directory
    settings.EGOV_SIGNING_PASSPHRASE = PASSPHRASE
    if hasattr(settings, "EGOV_TRUST_ROOTS"):
        del settings.EGOV_TRUST_ROOTS
    return directory


@pytest.fixture(scope="session")
def small_pdf() -> bytes:
    """A one-page A5 receipt-like PDF with Vietnamese text, as the forms will produce."""
    from weasyprint import HTML

    html = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
      @page { size: A5; margin: 15mm } body { font-family: "Noto Serif", serif; font-size: 11pt }
    </style></head><body>
      <p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>
      <h1 style="font-size:14pt;text-align:center">GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>
      <p>Mã hồ sơ: H99.103-260315-0001</p>
      <p>Bộ phận Một cửa Sở Tư pháp tiếp nhận hồ sơ của bà Nguyễn Thị Hồng.</p>
    </body></html>"""
    return HTML(string=html).write_pdf()


def flip_signed_byte(signed: bytes) -> bytes:
    """``signed`` with one byte of the original document changed (inside the first signed range)."""
    at = signed.index(b"WeasyPrint") + 1
    assert at < signed.index(b"/ByteRange")
    tampered = bytearray(signed)
    tampered[at] ^= 0x01
    return bytes(tampered)


@dataclass(frozen=True)
class PdfSig:
    nss_dir: Path
    workdir: Path

    def check(self, pdf: bytes, name: str = "signed.pdf") -> str:
        path = self.workdir / name
        path.write_bytes(pdf)
        result = subprocess.run(
            [PDFSIG, "-nssdir", f"sql:{self.nss_dir}", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return result.stdout + result.stderr


@pytest.fixture
def pdfsig(tmp_path):
    """``pdfsig(root_pem_path)`` -> a :class:`PdfSig` whose NSS database trusts that root.

    The trust flags are ",C,": NSS checks a PDF signer as an e-mail (S/MIME) signer, so the root must be
    trusted for e-mail; "C,," (TLS only) leaves pdfsig saying "Certificate issuer isn't Trusted."
    """

    def make(root_pem: Path) -> PdfSig:
        nss_dir = tmp_path / "nss"
        nss_dir.mkdir()
        run = dict(capture_output=True, text=True, timeout=60, check=True)
        subprocess.run([CERTUTIL, "-N", "-d", f"sql:{nss_dir}", "--empty-password"], **run)
        subprocess.run(
            [CERTUTIL, "-A", "-n", "demo-root", "-t", ",C,", "-i", str(root_pem), "-d", f"sql:{nss_dir}"], **run
        )
        return PdfSig(nss_dir=nss_dir, workdir=tmp_path)

    return make
