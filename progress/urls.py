from django.urls import path

from . import group_views, learning_views, timezones, views

app_name = "progress"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("mock/start/", views.start_mock, name="start-mock"),
    path("practice/", views.practice, name="practice"),
    path("practice/missed/", views.practice_missed, name="practice-missed"),
    path("practice/not-reached/", views.practice_not_reached, name="practice-not-reached"),
    path("sittings/<int:pk>/", views.sitting_page, name="sitting"),
    path("sittings/<int:pk>/end/", views.end_sitting, name="end"),
    path("sittings/<int:pk>/results/", views.results, name="results"),
    path(
        "sittings/<int:pk>/items/<int:position>/miss/",
        learning_views.item_miss,
        name="item-miss",
    ),
    path(
        "sittings/<int:pk>/items/<int:position>/note/",
        learning_views.item_note,
        name="item-note",
    ),
    path("notes/", learning_views.my_notes, name="notes"),
    path("profile/", views.profile, name="profile"),
    path("profile/time-zone/", timezones.set_time_zone, name="time-zone"),
    path("progress/", views.dashboard, name="dashboard"),
    path("practice/review/", views.practice_review, name="practice-review"),
    path("reports/<int:pk>/practice/", views.practice_report, name="practice-report"),
    path("groups/", group_views.group_list, name="groups"),
    path("groups/<int:pk>/", group_views.group_detail, name="group"),
    path("groups/<int:pk>/members/<int:user_id>/", group_views.group_member, name="group-member"),
    path("groups/<int:pk>/leave/", group_views.group_leave, name="group-leave"),
    path(
        "groups/<int:pk>/members/<int:user_id>/remove/",
        group_views.group_remove,
        name="group-remove",
    ),
    path("groups/<int:pk>/code/", group_views.group_rotate_code, name="group-code"),
]
