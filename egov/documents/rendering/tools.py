"""Running the external programs (LibreOffice, ocrmypdf, pdftotext): found on PATH or by path, in
their own process group so a time-out ends the whole tree (soffice starts soffice.bin)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass

__all__ = ["find_program", "run", "Finished"]


def find_program(name: str) -> str | None:
    """The program's path if ``name`` (a name on PATH or a path) is an executable file, else None."""
    return shutil.which(name) if name else None


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool


def run(args: list[str], *, timeout: float, cwd: str | None = None, env: dict[str, str] | None = None) -> Finished:
    """Run ``args`` without a shell; on time-out kill its whole process group and report it."""
    with subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            stdout, stderr = process.communicate()
            return Finished(returncode=-9, stdout=stdout, stderr=stderr, timed_out=True)
        return Finished(returncode=process.returncode, stdout=stdout, stderr=stderr, timed_out=False)
