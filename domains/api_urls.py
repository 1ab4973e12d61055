from django.urls import path

from . import api

urlpatterns = [
    path("domains/", api.domain_list, name="api-domains"),
    path("misconceptions/", api.misconception_list, name="api-misconceptions"),
    path("misconceptions/<slug:slug>/", api.misconception_detail, name="api-misconception"),
]
