from django.urls import path

from egov.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("nop-ho-so/<str:code>/", views.apply_page, name="apply"),
    path("ca-nhan/ho-so/", views.my_dossiers_page, name="my_dossiers"),
    path("ca-nhan/ho-so/<str:code>/", views.dossier_page, name="dossier"),
    path("ca-nhan/ho-so/<str:code>/bo-sung/", views.supplement, name="supplement"),
    path("ca-nhan/ho-so/<str:code>/rut/", views.withdraw, name="withdraw"),
    path("ca-nhan/kho-du-lieu/", views.store_page, name="store"),
    path("ca-nhan/kho-du-lieu/<int:pk>/tai-ve/", views.store_download, name="store_download"),
    path("ca-nhan/kho-du-lieu/<int:pk>/xoa/", views.store_delete, name="store_delete"),
]
