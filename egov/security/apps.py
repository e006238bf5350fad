from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "egov.security"
    label = "security"
    verbose_name = "Giám sát an ninh"

    def ready(self) -> None:
        from egov.security import receivers  # noqa: F401 (connects the sign-in signals)
