from django.urls import path

from egov.reports import views

app_name = "reports"

urlpatterns = [
    path("bao-cao/diem/", views.scores_page, name="scores"),
    path("bao-cao/diem.xlsx", views.scores_xlsx, name="scores_xlsx"),
    path("bao-cao/diem/ho-so/", views.drilldown_page, name="drilldown"),
    path("bao-cao/dieu-hanh/", views.dashboard_page, name="dashboard"),
    path("bao-cao/dieu-hanh/du-lieu.json", views.dashboard_json, name="dashboard_json"),
    path("bao-cao/dieu-hanh/ho-so/", views.dashboard_list, name="dashboard_list"),
    path("thong-ke/du-lieu.csv", views.open_data_csv, name="open_data_csv"),
    path("thong-ke/du-lieu.json", views.open_data_json, name="open_data_json"),
]
