"""Rebuild the documents' search index (egov.documents.search) from the documents themselves."""

from django.core.management.base import BaseCommand

from egov.documents.search import reindex_all


class Command(BaseCommand):
    help = "Xây dựng lại chỉ mục tìm kiếm văn bản (văn bản đi, văn bản đến)."

    def handle(self, *args, **options):
        count = reindex_all()
        self.stdout.write(f"Đã lập chỉ mục {count} văn bản.")
