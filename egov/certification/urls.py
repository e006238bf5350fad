from django.urls import path

from egov.certification import views

app_name = "certification"

urlpatterns = [
    path("can-bo/chung-thuc/", views.certify_page, name="certify"),
    path("can-bo/chung-thuc/so/", views.register_page, name="register"),
    path("can-bo/chung-thuc/so/<int:year>.xlsx", views.register_xlsx, name="register_xlsx"),
    path("can-bo/chung-thuc/<int:pk>/ban-sao.pdf", views.copy_pdf, name="copy_pdf"),
]
