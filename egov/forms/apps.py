from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "egov.forms"
    label = "forms"
    verbose_name = "Biểu mẫu"
