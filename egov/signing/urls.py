from django.urls import path

from egov.signing import views

app_name = "signing"

urlpatterns = [
    path("kiem-tra-chu-ky/", views.verify_page, name="verify"),
    path("pki/crl/demo-root.crl", views.demo_root_crl, name="demo_root_crl"),
]
