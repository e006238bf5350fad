from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "egov.people"
    label = "people"
    verbose_name = "Người dùng và phân quyền"
