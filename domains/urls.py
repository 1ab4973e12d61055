from django.urls import path

from . import views

app_name = "domains"
urlpatterns = [
    path("domains/", views.domain_list, name="list"),
    path("domains/<slug:slug>/", views.domain_detail, name="domain"),
    path("domains/<slug:slug>/<str:number>/", views.topic_detail, name="topic"),
    path("misconceptions/", views.misconception_list, name="misconceptions"),
    path("misconceptions/<slug:slug>/", views.misconception_detail, name="misconception"),
]
