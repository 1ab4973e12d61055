"""The site plus three baselines; see examprep.bench.views."""

from django.urls import path

from examprep.urls import urlpatterns as site

from . import views

urlpatterns = [
    path("bench/bare/", views.bare),
    path("bench/commit/", views.commit),
    path("bench/auth-commit/", views.auth_commit),
    *site,
]
