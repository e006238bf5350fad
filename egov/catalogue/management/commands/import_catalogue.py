"""Import the procedure catalogue from an Excel workbook (EXCEL_TEMPLATE.md) or a JSON document.

All or nothing: a file with bad rows writes nothing and every error is printed with its sheet, row
and column. Progress is printed as percentages while the procedures are written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.catalogue import services
from egov.catalogue.exchange import ImportFailed
from egov.core.errors import DomainError


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính từ tệp Excel (.xlsx) hoặc JSON (.json)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp .xlsx hoặc .json")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        suffix = path.suffix.lower()
        if suffix not in (".xlsx", ".json"):
            raise CommandError("Chỉ nhập được tệp .xlsx hoặc .json.")
        last_shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = 100 if total == 0 else done * 100 // total
            step = percent // 10 * 10
            if step > last_shown[0]:
                last_shown[0] = step
                self.stdout.write(f"Đang ghi: {step}% ({done}/{total} thủ tục)")

        try:
            with path.open("rb") as file:
                if suffix == ".json":
                    summary = services.import_json(by=None, data=file, progress=progress)
                else:
                    summary = services.import_excel(by=None, file=file, progress=progress)
        except ImportFailed as exc:
            for error in exc.row_errors:
                self.stderr.write(error.message)
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(f"Không nhập được (không ghi gì): {exc.message}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập {path.name}: thêm {summary.created}, cập nhật {summary.updated}, "
                f"không đổi {summary.unchanged} thủ tục; thêm {summary.fields_created}, "
                f"cập nhật {summary.fields_updated} lĩnh vực."
            )
        )
