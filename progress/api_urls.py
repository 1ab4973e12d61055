from django.urls import path

from . import api, progress_api

urlpatterns = [
    path("exams/", api.exams, name="api-exams"),
    path("exams/<int:pk>/", api.exam_detail, name="api-exam"),
    path("exams/<int:pk>/items/<int:position>/", api.exam_item, name="api-exam-item"),
    path("exams/<int:pk>/clock/", api.exam_clock, name="api-exam-clock"),
    path("exams/<int:pk>/submit/", api.exam_submit, name="api-exam-submit"),
    path("progress/", progress_api.progress, name="api-progress"),
    path("reports/", progress_api.reports, name="api-reports"),
    path("reports/latest/", progress_api.latest, name="api-report-latest"),
    path("review/due/", progress_api.review_due, name="api-review-due"),
]
