from django.urls import path

from . import api

urlpatterns = [
    path("questions/<int:pk>/reports/", api.create_report, name="api-question-reports"),
]
