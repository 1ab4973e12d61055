from django.urls import path

from . import views

app_name = "questions"
urlpatterns = [
    path("questions/<int:pk>/report/", views.report_problem, name="report"),
    path("reports/mine/", views.my_reports, name="my-reports"),
]
