from django.urls import path

from egov.feedback import views

app_name = "feedback"

urlpatterns = [
    path("danh-gia/<str:code>/", views.rate_page, name="rate"),
    path("phan-anh/", views.submit_page, name="submit"),
    path("phan-anh/tra-cuu/", views.track_page, name="track"),
    path("phan-anh/cong-khai/", views.published_page, name="published"),
    path("can-bo/phan-anh/", views.officer_list, name="officer_list"),
    path("can-bo/phan-anh/<str:code>/", views.officer_detail, name="officer_detail"),
    path("can-bo/phan-anh/<str:code>/cong-khai/", views.officer_publish, name="officer_publish"),
]
