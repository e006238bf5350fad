"""Deliver every outbox message that is due: the safety net under the task queue.

Run it periodically (``--loop``, a systemd timer or cron). It finds messages committed whose task
never ran (the process died between the commit and the enqueue), retries when the task backend
cannot defer, and messages whose sender died mid-send.
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from egov.notifications.services import deliver_due

logger = logging.getLogger(__name__)


def _close_old_connections() -> None:
    """Drop broken or expired connections between passes, as Django does between requests; a
    connection inside a transaction (a caller's, or a test's) is left alone."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class Command(BaseCommand):
    help = "Gửi các thông báo đến hạn trong hộp thư đi (kể cả tin đã lưu mà chưa được đưa vào hàng đợi)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Chạy lặp lại mãi, mỗi --interval giây một lượt.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Số giây giữa hai lượt khi --loop (mặc định 60)."
        )
        parser.add_argument("--limit", type=int, default=500, help="Số thông báo tối đa mỗi lượt (mặc định 500).")

    def handle(self, *args, loop: bool, interval: float, limit: int, **options):
        if interval <= 0 or limit <= 0:
            raise CommandError("--interval và --limit phải lớn hơn 0.")
        while True:
            _close_old_connections()
            more = False
            try:
                counts = deliver_due(limit=limit)
            except Exception:
                if not loop:
                    raise
                logger.exception("deliver_outbox: lượt gửi bị lỗi; thử lại sau %s giây", interval)
            else:
                # A full batch means more may be waiting: go again without sleeping.
                more = counts["sent"] + counts["retry"] + counts["failed"] >= limit
                if not loop or any(counts.values()) or options["verbosity"] > 1:
                    self.stdout.write(
                        f"Đã gửi {counts['sent']}, hẹn gửi lại {counts['retry']}, thất bại {counts['failed']}, "
                        f"bỏ qua {counts['skipped']}."
                    )
            if not loop:
                return
            _close_old_connections()
            if not more:
                time.sleep(interval)
