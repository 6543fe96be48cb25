"""ESP inbound webhooks under ``/mail/esp/``, e.g. ``/mail/esp/mailgun/inbound_mime/``
(django-anymail's views: each checks the ESP's signature or basic auth)."""

from django.urls import include, path

urlpatterns = [path("esp/", include("anymail.urls"))]
