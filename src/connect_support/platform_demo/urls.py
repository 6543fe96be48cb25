from django.urls import path

from connect_support.platform_demo import views

urlpatterns = [
    path("", views.home, name="demo-home"),
    path("accounts", views.create_account, name="demo-create-account"),
]
