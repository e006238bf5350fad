from django.conf import settings


def platform(request):
    from egov.access.back_office import can_use_back_office

    user = getattr(request, "user", None)
    return {
        "can_use_back_office": can_use_back_office(user) if user is not None else False,
        "platform_name": settings.EGOV_PLATFORM_NAME,
        "oidc_enabled": settings.EGOV_OIDC_ENABLED,
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
    }
