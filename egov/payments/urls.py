from django.urls import path

from egov.payments import views

app_name = "payments"

urlpatterns = [
    path("thanh-toan/ket-qua/", views.return_page, name="return"),
    path("thanh-toan/<str:code>/", views.start_payment, name="start"),
    path("sandbox-gateway/pay/", views.sandbox_pay, name="sandbox_pay"),
    path("can-bo/doi-soat-thanh-toan/", views.reconciliation_page, name="reconciliation"),
]
