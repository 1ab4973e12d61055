from django.urls import path

from . import api

urlpatterns = [
    path("questions/<int:pk>/reports/", api.create_report, name="api-question-reports"),
    path("problem-reports/", api.my_reports, name="api-problem-reports"),
]
