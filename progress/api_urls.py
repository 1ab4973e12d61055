from django.urls import path

from . import api, learning_api, progress_api

urlpatterns = [
    path("exams/", api.exams, name="api-exams"),
    path("exams/available/", api.exams_available, name="api-exams-available"),
    path("exams/<int:pk>/", api.exam_detail, name="api-exam"),
    path("exams/<int:pk>/items/<int:position>/", api.exam_item, name="api-exam-item"),
    path(
        "exams/<int:pk>/items/<int:position>/miss/",
        learning_api.item_miss,
        name="api-exam-item-miss",
    ),
    path(
        "exams/<int:pk>/items/<int:position>/note/",
        learning_api.item_note,
        name="api-exam-item-note",
    ),
    path("notes/", learning_api.note_list, name="api-notes"),
    path("exams/<int:pk>/clock/", api.exam_clock, name="api-exam-clock"),
    path("exams/<int:pk>/submit/", api.exam_submit, name="api-exam-submit"),
    path("progress/", progress_api.progress, name="api-progress"),
    path("reports/", progress_api.reports, name="api-reports"),
    path("reports/latest/", progress_api.latest, name="api-report-latest"),
    path("review/due/", progress_api.review_due, name="api-review-due"),
    path("groups/", progress_api.groups, name="api-groups"),
    path("groups/join/", progress_api.join_group, name="api-groups-join"),
    path("groups/<int:pk>/", progress_api.group_detail, name="api-group"),
    path("groups/<int:pk>/leave/", progress_api.leave_group, name="api-group-leave"),
]
