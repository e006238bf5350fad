import logging

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = "Nền tảng"

    def ready(self):
        from egov.core.error_pages import OutageLogFilter

        # Here rather than in LOGGING, so that any logging configuration a deployment uses keeps it.
        request_logger = logging.getLogger("django.request")
        if not any(isinstance(f, OutageLogFilter) for f in request_logger.filters):
            request_logger.addFilter(OutageLogFilter())
