"""A Content-Security-Policy for the learner-facing pages: scripts, styles and images come from
this site only; no inline script can run even if sanitising ever missed one.

The Django admin and the API docs page keep their own inline bits, so they are left out.
"""

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
EXEMPT_PREFIXES = ("/admin/", "/api/v1/docs/")


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        if not request.path.startswith(EXEMPT_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response

    return middleware


NUL_MARKERS = (b"\x00", b"%00", b"\\u0000")


def reject_nul_bytes(get_response):
    """400 for a NUL in the path, the query string, a header or a form body, before any view
    runs: PostgreSQL rejects NUL in text parameters (500; django-axes stores the User-Agent),
    and no real input ever contains one. JSON bodies are checked by BoundedJSONParser."""
    from django.http import HttpResponseBadRequest, JsonResponse

    def middleware(request):
        suspect = (
            "\x00" in request.path_info
            or any(
                marker in request.META.get("QUERY_STRING", "").encode().lower()
                for marker in NUL_MARKERS
            )
            or any(
                "\x00" in value
                for key, value in request.META.items()
                if key.startswith("HTTP_") and isinstance(value, str)
            )
        )
        if not suspect and request.content_type == "application/x-www-form-urlencoded":
            suspect = any(marker in request.body.lower() for marker in NUL_MARKERS)
        if suspect:
            if request.path_info.startswith("/api/"):
                from .api_errors import error_body

                body = error_body("parse_error", "NUL characters are not allowed.")
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest("NUL characters are not allowed.")
        return get_response(request)

    return middleware


def no_store_when_personal(get_response):
    """`Cache-Control: no-store` on every API response and every page seen signed in: a shared
    or back-button cache must not keep a finished sitting's answers or a profile."""
    from django.utils.cache import add_never_cache_headers

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        personal = request.path_info.startswith("/api/") or (user and user.is_authenticated)
        if personal and not request.path_info.startswith("/static/"):
            add_never_cache_headers(response)
        return response

    return middleware
