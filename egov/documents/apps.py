from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "egov.documents"
    verbose_name = "Văn bản và điều hành"
