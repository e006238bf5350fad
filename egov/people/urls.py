from django.urls import path

from egov.people import views

app_name = "people"

urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-nhap/xac-thuc/", views.second_factor_view, name="second_factor"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("tai-khoan/", views.my_account, name="account"),
    path("dang-ky/", views.register_view, name="register"),
    path("dang-ky/xac-minh/", views.verify_view, name="verify"),
]
