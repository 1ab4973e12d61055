"""Accounts: API tokens that expire and are revoked, lock-out answers, throttles that fail open.

Tokens are django-rest-knox tokens: stored hashed, expiring API_TOKEN_TTL_HOURS after their last
renewal (renewed at most once an hour while used, so an autosave costs no write), deleted when
the password changes and by "log out everywhere".
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

log = logging.getLogger(__name__)
User = get_user_model()


def issue_token(user):
    """(token string, expiry datetime) for a new API token of `user`."""
    from knox.models import AuthToken

    instance, token = AuthToken.objects.create(user)
    return token, instance.expiry


def revoke_tokens(user):
    """Delete every API token of `user`; returns how many."""
    from knox.models import AuthToken

    return AuthToken.objects.filter(user=user).delete()[0]


def end_other_sessions(user, keep_session_key=None):
    """Delete the user's browser sessions except `keep_session_key`; returns how many.

    Scans unexpired sessions (the database session store has no index by user)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep_session_key:
            continue
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def log_out_everywhere(user, keep_session_key=None):
    """Revoke all API tokens and end every other browser session. {tokens, sessions}."""
    return {
        "tokens": revoke_tokens(user),
        "sessions": end_other_sessions(user, keep_session_key),
    }


@receiver(pre_save, sender=User)
def _revoke_tokens_when_the_password_changes(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    old = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        user = instance
        transaction.on_commit(lambda: revoke_tokens(user))


def client_ip(request):
    """The learner's address: REMOTE_ADDR, or behind NUM_PROXIES trusted proxies the entry they
    appended to X-Forwarded-For (never one the client could forge)."""
    import ipaddress

    proxies = settings.NUM_PROXIES
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            try:  # never store a forged non-address (PostgreSQL's inet would refuse it)
                return str(ipaddress.ip_address(hops[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """django-axes: what a locked-out username+address gets: 429 with the wait, JSON for the API
    and a page for the site and the admin."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed sign-ins for this username from your network. Try again in "
        f"{minutes} minutes, or reset your password. An administrator can unlock you sooner."
    )
    headers = {"Retry-After": str(int(settings.AXES_COOLOFF_TIME.total_seconds()))}
    if request.path.startswith("/api/"):
        from .api_errors import error_body  # DRF imports this module while it loads

        return JsonResponse(
            error_body("locked_out", message, extra={"retry_after_seconds": minutes * 60}),
            status=429,
            headers=headers,
        )
    html = render_to_string("registration/locked_out.html", {"message": message}, request)
    return HttpResponse(html, status=429, headers=headers)


class FailOpen:
    """A DRF throttle that lets the request through when its cache (Redis) is down: a cache
    outage must not lock learners out."""

    def allow_request(self, request, view):
        from .resilience import throttle_cache

        return throttle_cache.call(lambda: super(FailOpen, self).allow_request(request, view), True)

    def get_ident(self, request):
        return client_ip(request) or super().get_ident(request)


class AnonThrottle(FailOpen, AnonRateThrottle):
    pass


class LoginThrottle(FailOpen, AnonRateThrottle):
    """Per address, on the token and register endpoints (rate 'login')."""

    scope = "login"


def attempted_username(request, credentials=None):
    """django-axes: the username a sign-in tried, as stored with the attempt. Cut to the longest
    a username can be (150): axes keeps 255 characters, and a longer one made PostgreSQL fail
    the whole request with a 500."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username", "") if hasattr(request, "POST") else ""
    return str(name).replace("\x00", "")[:150]
