from django.conf import settings


def platform(request):
    return {
        "platform_name": settings.EGOV_PLATFORM_NAME,
        "oidc_enabled": settings.EGOV_OIDC_ENABLED,
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
    }
