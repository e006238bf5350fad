"""The antivirus hook, against a fake clamd that speaks the INSTREAM protocol."""

from __future__ import annotations

import socket
import struct
import threading

import pytest

from egov.core import scanning
from egov.core.errors import FieldError
from egov.core.uploads import check_upload

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class FakeClamd:
    """Reads one INSTREAM per connection; answers FOUND when the stream holds the EICAR string."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"clamd://127.0.0.1:{self.server.getsockname()[1]}"

    def _read(self, conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError
            data += part
        return data

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                assert self._read(conn, len(b"zINSTREAM\0")) == b"zINSTREAM\0"
                stream = b""
                while True:
                    (size,) = struct.unpack("!L", self._read(conn, 4))
                    if size == 0:
                        break
                    stream += self._read(conn, size)
                self.received.append(stream)
                answer = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in stream else b"stream: OK\0"
                conn.sendall(answer)

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    fake = FakeClamd()
    settings.EGOV_UPLOAD_SCANNER = fake.url
    yield fake
    fake.close()


def test_no_scanner_configured_means_clean(settings):
    settings.EGOV_UPLOAD_SCANNER = ""
    assert scanning.scan(EICAR).clean


def test_clean_file_passes_and_is_streamed_whole(clamd):
    big = PDF + b"0" * (3 * scanning.CHUNK + 17)  # several chunks
    checked = check_upload(field="file", name="don.pdf", content=big)
    assert not isinstance(checked, FieldError)
    assert clamd.received == [big]


def test_infected_file_is_refused_with_the_signature(clamd):
    refused = check_upload(field="components.0.files", name="don.pdf", content=PDF + EICAR)
    assert isinstance(refused, FieldError)
    assert refused.field == "components.0.files"
    assert "diệt virus" in refused.message and "Eicar-Test-Signature" in refused.message


def test_unreachable_scanner_refuses_the_upload(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    settings.EGOV_UPLOAD_SCANNER = f"clamd://127.0.0.1:{port}"
    settings.EGOV_UPLOAD_SCANNER_TIMEOUT = 2
    refused = check_upload(field="file", name="don.pdf", content=PDF)
    assert isinstance(refused, FieldError)
    assert "thử lại sau" in refused.message
