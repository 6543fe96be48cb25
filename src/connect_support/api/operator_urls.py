from django.urls import path, re_path

from connect_support.api import operator_views
from connect_support.api.pipeline import not_found

urlpatterns = [
    path("interventions", operator_views.interventions, name="operator-interventions"),
    path("interventions/<str:intervention_id>", operator_views.intervention, name="operator-intervention"),
    path("interventions/<str:intervention_id>/decisions", operator_views.decisions, name="operator-decisions"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
