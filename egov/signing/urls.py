from django.urls import path

from egov.signing import views

app_name = "signing"

urlpatterns = [
    path("kiem-tra-chu-ky/", views.verify_page, name="verify"),
]
