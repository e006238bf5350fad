from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from egov.access.back_office import can_use_back_office
from egov.api import api
from egov.security.metrics import metrics_view

admin.site.site_header = "Quản trị hệ thống"
admin.site.site_title = "Quản trị"
admin.site.index_title = "Danh mục quản trị"
# Back-office access follows the user's roles (egov.access.back_office), not Django's is_staff flag.
admin.site.has_permission = lambda request: can_use_back_office(request.user)

urlpatterns = [
    # Back-office sign-in goes through the platform's login (password + TOTP), not Django's form.
    path("admin/login/", RedirectView.as_view(pattern_name="people:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Prometheus scrape endpoint, behind METRICS_TOKEN (egov.security.metrics).
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("", include("egov.people.urls")),
    path("", include("egov.catalogue.urls")),
    path("", include("egov.dossiers.urls")),
    path("", include("egov.documents.urls")),
    path("", include("egov.payments.urls")),
    path("", include("egov.feedback.urls")),
    path("", include("egov.portal.urls")),
    path("", include("egov.reports.urls")),
    path("", include("egov.certification.urls")),
    path("", include("egov.signing.urls")),
    path("", include("egov.core.urls")),
]

if "egov.demo_idp" in settings.INSTALLED_APPS:
    # Every page answers 404 unless EGOV_DEMO_IDP is on (egov.demo_idp.views.demo_only).
    from egov.demo_idp.urls import provider_patterns

    urlpatterns += [
        path("demo-vneid/", include("egov.demo_idp.urls")),
        path("demo-vneid/", include(provider_patterns)),
    ]

if "egov.demo_csc" in settings.INSTALLED_APPS and settings.EGOV_DEMO_CSC:
    # The stand-in remote signing service (CSC API v2) that EGOV_CSC_URL points at in the demo.
    urlpatterns += [path("demo-csc/csc/v2/", include("egov.demo_csc.urls"))]

# Uploaded files are never served from MEDIA_URL, not even with DEBUG: each is personal data and is
# served by a view that checks who may see it (egov.core.files).

handler400 = "egov.core.error_pages.bad_request"
handler500 = "egov.core.error_pages.server_error"
