"""An SMS backend for the fault tests: slow, and it shows which message it is sending.

Before it appends a message to the file (``FileSmsBackend``), it writes ``<reference>.sending`` into
``$SLOW_SMS_MARKERS`` and waits ``$SLOW_SMS_SECONDS``, so a test can kill the worker while a send is
in flight, before the message left.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from egov.notifications.sms import FileSmsBackend


class SlowFileSmsBackend(FileSmsBackend):
    def send(self, *, to: str, text: str, reference: str = "") -> str:
        markers = Path(os.environ["SLOW_SMS_MARKERS"])
        (markers / f"{reference}.sending").write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(float(os.environ.get("SLOW_SMS_SECONDS", "0.3")))
        return super().send(to=to, text=text, reference=reference)
