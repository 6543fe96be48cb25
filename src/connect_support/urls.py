from django.contrib import admin
from django.urls import include, path

from connect_support import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("v1/", include("connect_support.api.urls")),
    path("demo/", include("connect_support.platform_demo.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "connect_support.views.page_not_found"
