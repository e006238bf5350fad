"""The antivirus hook for uploads: every accepted file is shown to a scanner before it is stored.

``EGOV_UPLOAD_SCANNER`` (env ``UPLOAD_SCANNER``) chooses it:

- empty (the embedded default): no scanning;
- ``clamd://host:port`` or ``clamd:///path/to/clamd.ctl``: a ClamAV daemon, spoken to with its
  ``INSTREAM`` command (the file in chunks, each prefixed by its length; the daemon answers
  ``stream: OK`` or ``stream: <signature> FOUND``).

A scanner that cannot be reached refuses the upload (fail closed): a file is never stored unscanned
once a scanner is configured.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings

__all__ = ["ScanResult", "scan", "ScannerUnavailable"]

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """The configured scanner did not answer; the upload must be refused."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def _clamd_socket(url: str, timeout: float) -> socket.socket:
    parsed = urlparse(url)
    if parsed.hostname:
        return socket.create_connection((parsed.hostname, parsed.port or 3310), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(parsed.path)
    return sock


def clamd_instream(url: str, content: bytes, *, timeout: float = 30.0) -> ScanResult:
    """Scan ``content`` with the clamd at ``url`` (INSTREAM)."""
    try:
        with _clamd_socket(url, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(content), CHUNK):
                chunk = content[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith("OK"):
        return ScanResult(clean=True)
    if text.endswith("FOUND"):
        signature = text.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, signature=signature)
    raise ScannerUnavailable(f"unexpected answer from clamd: {text[:200]!r}")


def scan(content: bytes) -> ScanResult:
    """Scan with the configured scanner; clean when none is configured."""
    url = getattr(settings, "EGOV_UPLOAD_SCANNER", "")
    if not url:
        return ScanResult(clean=True)
    if url.startswith("clamd://"):
        return clamd_instream(url, content, timeout=float(getattr(settings, "EGOV_UPLOAD_SCANNER_TIMEOUT", 30)))
    raise ScannerUnavailable(f"unknown scanner {url!r}")
