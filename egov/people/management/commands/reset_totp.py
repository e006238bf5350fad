"""``manage.py reset_totp <username> --reason "..."``: an officer lost their TOTP device (docs/operations.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError
from egov.people.models import User
from egov.people.services import reset_totp


class Command(BaseCommand):
    help = (
        "Đặt lại thiết bị xác thực hai lớp (TOTP) của một cán bộ bị mất điện thoại: xóa thiết bị, thu hồi "
        "token API; lần đăng nhập sau cán bộ đăng ký thiết bị mới. Xác minh danh tính cán bộ trước khi chạy."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Lý do (ghi vào nhật ký), ví dụ số phiếu yêu cầu.")

    def handle(self, *args, username: str, reason: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản '{username}'.")
        try:
            removed = reset_totp(by=None, user=user, reason=reason)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Đã xóa {removed} thiết bị xác thực của {username}; lần đăng nhập sau sẽ yêu cầu đăng ký thiết bị mới."
        )
