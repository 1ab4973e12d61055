from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

api_v1 = [
    path("", include("domains.api_urls")),
    path("", include("questions.api_urls")),
    path("", include("progress.api_urls")),
    path("auth/", include("examprep.auth_api")),
    path("me/", include("examprep.me_api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("session/", views.session_status, name="session"),
    # Resolved per request: with the manifest storage of production, static() needs the
    # collected manifest, which `check --deploy` (run before collectstatic) doesn't have.
    path("favicon.ico", views.favicon),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("profile/logout-everywhere/", views.logout_everywhere, name="logout-everywhere"),
    path("profile/export/", views.export_my_data, name="export-my-data"),
    path("profile/delete/", views.delete_my_account, name="delete-account"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("domains.urls")),
    path("", include("questions.urls")),
    path("", include("progress.urls")),
]

# Under /api/, an address no route matches answers in the API's error shape, not a page.
handler404 = "examprep.views.not_found"
