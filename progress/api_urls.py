from django.urls import path

from . import api

urlpatterns = [
    path("exams/", api.exams, name="api-exams"),
    path("exams/<int:pk>/", api.exam_detail, name="api-exam"),
    path("exams/<int:pk>/items/<int:position>/", api.exam_item, name="api-exam-item"),
    path("exams/<int:pk>/clock/", api.exam_clock, name="api-exam-clock"),
    path("exams/<int:pk>/submit/", api.exam_submit, name="api-exam-submit"),
]
