from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.db import connection
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from domains import blueprint
from domains.models import Domain


def landing(request):
    if request.user.is_authenticated:
        return redirect("progress:home")
    return render(
        request,
        "landing.html",
        {
            "domains": Domain.objects.with_tasks(),
            "exam": blueprint,
        },
    )


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


def signup(request):
    if request.user.is_authenticated:
        return redirect("progress:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("progress:home")
    return render(request, "registration/signup.html", {"form": form})


def broker_status():
    """'eager' without a broker; 'ok' if Redis answers a PING; else an error string."""
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return "ok"


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok" here
        return f"unreachable: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    body = {"database": database_status(), "broker": broker_status()}
    healthy = body["database"] == "ok" and body["broker"] in ("ok", "eager")
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def session_status(request):
    """{"authenticated": bool, "csrf_token": str}: the current session's CSRF token.

    An open page (the exam) asks for it after a save is refused with 403: logging out and in
    again in another tab rotates the token, and the page then carries a stale one.
    """
    return JsonResponse(
        {"authenticated": request.user.is_authenticated, "csrf_token": get_token(request)}
    )


def wants_json(request):
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a stale form (most often after logging in again in another tab) gets a
    page that says what happened and how to go on, or JSON for API clients; never Django's
    debugging page. 403 either way."""
    if wants_json(request):
        return JsonResponse(
            {
                "detail": "Your session changed (for example you logged in again in another tab). "
                "Reload the page and try again; nothing was saved by this request.",
                "code": "csrf_failed",
            },
            status=403,
        )
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    return render(request, "csrf_failure.html", {"back": back}, status=403)
