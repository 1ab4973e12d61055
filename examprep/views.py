from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import connection
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import page_not_found

from domains import blueprint
from domains.models import Domain

from .api_errors import error_body


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
    def clean_username(self):
        from progress.data_rights import is_reserved_username

        username = super().clean_username()
        if is_reserved_username(username):
            raise forms.ValidationError("That username is taken.")
        return username

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
    """'eager' without a broker; 'ok' if Redis answers a PING within half a second; else
    'unreachable: <error class>'."""
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        client.ping()
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
    """200 when the database and the broker answer; else 503 with `failing` naming which.

    Body: {"database": "ok"|"unreachable: ...", "broker": "ok"|"eager"|"unreachable: ...",
    "outbox_pending": int|null (work waiting for a worker), "failing": [names]}."""
    body = {"database": database_status(), "broker": broker_status()}
    body["outbox_pending"] = outbox_pending() if body["database"] == "ok" else None
    body["failing"] = [
        name
        for name, state in (("database", body["database"]), ("broker", body["broker"]))
        if state not in ("ok", "eager")
    ]
    return JsonResponse(body, status=503 if body["failing"] else 200)


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


def not_found(request, exception=None):
    """handler404: the API's error body under /api/ (a client reads `errors[0].code`), the
    site's 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return page_not_found(request, exception)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a stale form (most often after logging in again in another tab) gets a
    page that says what happened and how to go on, or JSON for API clients; never Django's
    debugging page. 403 either way."""
    if wants_json(request):
        detail = (
            "Your session changed (for example you logged in again in another tab). "
            "Reload the page and try again; nothing was saved by this request."
        )
        return JsonResponse(error_body("csrf_failed", detail), status=403)
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    return render(request, "csrf_failure.html", {"back": back}, status=403)


def outbox_pending():
    from progress.models import Outbox

    return Outbox.objects.count()


@login_required
@require_POST
def logout_everywhere(request):
    """Profile button: revoke every API token and end every other browser session."""
    from .accounts import log_out_everywhere

    done = log_out_everywhere(request.user, keep_session_key=request.session.session_key)
    messages.success(
        request,
        f"Signed out everywhere else: {done['sessions']} other session(s) ended, "
        f"{done['tokens']} API token(s) revoked.",
    )
    return redirect("progress:profile")


@login_required
@require_GET
def export_my_data(request):
    """Download everything held about the learner as one JSON file."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import HttpResponse

    from progress.data_rights import export_learner_data

    body = json.dumps(export_learner_data(request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    name = f"examprep-{request.user.username}-{timezone.now():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password, to confirm",
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("That is not your password.")
        return self.cleaned_data["password"]


@login_required
def delete_my_account(request):
    """GET: what deletion does, and a password field. POST: delete, sign out, say so."""
    from django.contrib.auth import logout

    from progress.data_rights import delete_account

    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        delete_account(request.user)
        logout(request)
        messages.success(request, "Your account and personal data have been deleted.")
        return redirect("landing")
    return render(request, "registration/delete_account.html", {"form": form})


@require_GET
def favicon(request):
    """/favicon.ico for browsers that ask for it: a permanent redirect to the SVG icon."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))
