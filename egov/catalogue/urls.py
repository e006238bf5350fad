from django.urls import path

from egov.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("thu-tuc/", views.search_page, name="search"),
    path("thu-tuc/<str:code>/", views.procedure_page, name="procedure"),
    path("thu-tuc/<str:code>/mau/<int:pk>/", views.component_template, name="component_template"),
]
