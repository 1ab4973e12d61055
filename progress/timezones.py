"""The learner's local time zone: detected by the browser (static/js/timezone.js), kept in the
profile, activated for every page rendered so templates show local times with the zone's name.

Django stores and computes in UTC (USE_TZ); only display converts.
"""

import json
import zoneinfo
from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Profile

SESSION_KEY = "time_zone"


@cache
def known_zones():
    return frozenset(zoneinfo.available_timezones())


def is_known(name):
    return isinstance(name, str) and name in known_zones()


def remember(request, name):
    """Cache the zone name in the session (one profile query per session, not per request)."""
    request.session[SESSION_KEY] = name or ""


def local_time(request):
    """Context processor: activate the learner's zone for the page being rendered, so |date and
    |when show local times. Only pages pay for it (API responses render no template): one query
    on the first page of a session, none after (the name is cached in the session)."""
    name = None
    if request.user.is_authenticated:
        name = request.session.get(SESSION_KEY)
        if name is None:
            name = (
                Profile.objects.filter(user=request.user)
                .values_list("time_zone", flat=True)
                .first()
                or ""
            )
            remember(request, name)
    if is_known(name):
        timezone.activate(zoneinfo.ZoneInfo(name))
    return {"time_zone": timezone.get_current_timezone_name()}


def local_time_middleware(get_response):
    """Leave no zone activated by a page for the next request this thread serves."""

    def middleware(request):
        try:
            return get_response(request)
        finally:
            timezone.deactivate()

    return middleware


@login_required
@require_POST
def set_time_zone(request):
    """POST {"time_zone": "Europe/Berlin"} (an IANA name, as Intl.DateTimeFormat reports it).
    The browser sends it only while the profile has no zone; the profile page can change it.
    200 {"time_zone"}; 400 {"detail"} for an unknown name."""
    try:
        name = json.loads(request.body or b"{}").get("time_zone")
    except (ValueError, AttributeError):
        name = None
    if not is_known(name):
        return JsonResponse({"detail": "Unknown time zone."}, status=400)
    Profile.objects.update_or_create(user=request.user, defaults={"time_zone": name})
    remember(request, name)
    return JsonResponse({"time_zone": name})
