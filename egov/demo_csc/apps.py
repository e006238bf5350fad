from django.apps import AppConfig


class DemoCscConfig(AppConfig):
    name = "egov.demo_csc"
    verbose_name = "Dịch vụ ký số từ xa (mô phỏng)"
