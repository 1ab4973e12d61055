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
