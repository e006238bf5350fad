from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "egov.access"
    label = "access"
    verbose_name = "Phân quyền và đăng nhập"
