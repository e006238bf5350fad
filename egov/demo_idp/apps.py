from django.apps import AppConfig


class DemoIdpConfig(AppConfig):
    name = "egov.demo_idp"
    label = "demo_idp"
    verbose_name = "VNeID mô phỏng (trình diễn)"
