from django.urls import path

from egov.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("can-bo/", views.worklist_page, name="worklist"),
    path("can-bo/tiep-nhan/", views.reception_page, name="reception"),
    path("can-bo/ho-so/<str:code>/", views.dossier_page, name="detail"),
    path("can-bo/ho-so/<str:code>/ket-qua/", views.attach_result, name="attach_result"),
    path("ho-so/<str:code>/tep/<int:pk>/", views.dossier_file, name="file"),
    path("can-bo/ho-so/<str:code>/<str:action>/", views.dossier_action, name="action"),
    path("can-bo/ket-qua/<int:pk>.pdf", views.result_pdf, name="result_pdf"),
    path("can-bo/bieu-mau/<int:pk>.pdf", views.issued_form_pdf, name="form_pdf"),
    path("can-bo/ho-so/<str:code>/phieu-kiem-soat.pdf", views.control_slip_pdf, name="control_slip"),
    path("can-bo/so-theo-doi/", views.register_xlsx, name="register"),
    path("tra-cuu/", views.lookup_page, name="lookup"),
    path("thong-ke/", views.statistics_page, name="statistics"),
    path("tra-cuu/<str:code>/", views.lookup_page, name="lookup_code"),
]
