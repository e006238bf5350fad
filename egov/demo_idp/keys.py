"""The stand-in provider's RS256 signing key: made once under ``var/``, never committed."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["load_or_create_signing_key"]


def load_or_create_signing_key(path: Path) -> str:
    """The PEM private key at ``path``; a new 2048-bit RSA key is written there (mode 0600) if absent."""
    if path.exists():
        return path.read_text(encoding="ascii")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Two processes starting at once (server and worker): the first writer wins, the other reads it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii")
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(pem)
    return pem
