from django.urls import path

from egov.documents import views

app_name = "documents"

urlpatterns = [
    path("van-ban/", views.home, name="home"),
    path("van-ban/tim-kiem/", views.search_page, name="search"),
    path("van-ban/so/", views.register_page, name="register"),
    path("van-ban/du-thao-moi/", views.new_draft, name="new_draft"),
    path("van-ban/di/<int:pk>/", views.outgoing_page, name="outgoing"),
    path("van-ban/di/<int:pk>/ban-ky-so.pdf", views.outgoing_pdf, name="outgoing_pdf"),
    path("van-ban/di/<int:pk>/phien-ban/<int:number>.pdf", views.version_pdf, name="version_pdf"),
    path("van-ban/di/<int:pk>/<str:action>/", views.outgoing_action, name="outgoing_action"),
    path("van-ban/den/vao-so-ban-giay/", views.register_paper, name="register_paper"),
    path("van-ban/den/<int:pk>/", views.incoming_page, name="incoming"),
    path("van-ban/den/<int:pk>/van-ban.pdf", views.incoming_pdf, name="incoming_pdf"),
    path("van-ban/den/<int:pk>/<str:action>/", views.incoming_action, name="incoming_action"),
]
