"""One error body for the whole API (drf-standardized-errors' shape), and the schema pieces that
describe the errors it does not know about (409 conflicts, lock-outs).

Every 4xx/5xx body is

    {"type": "validation_error" | "client_error" | "server_error",
     "errors": [{"code": str, "detail": str, "attr": str | null}, ...],
     "extra": {...}}          # only on some errors, documented per operation

`code` is what a client branches on (`stale_revision`, `sitting_closed`, `not_found`, `required`
...), `detail` is a sentence for a person, `attr` the input field at fault (validation errors).
Only validation errors carry more than one entry. `extra` holds data that belongs to the error,
not to any field: the sitting a conflict is about, the stored item of a stale save, the wait of
a lock-out.
"""

from django.core.exceptions import SuspiciousOperation
from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import serializers, status
from rest_framework.exceptions import APIException


class Conflict(APIException):
    """409: the request is valid but the state of the thing forbids it (a closed sitting, a
    stale revision). `code` names the case; `extra` (a dict) goes to the body's `extra`."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"

    def __init__(self, detail=None, code=None, extra=None):
        super().__init__(detail, code)
        self.extra = extra


class BadRequest(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request could not be read (too large, or too many fields)."
    default_code = "bad_request"


class ErrorHandler(ExceptionHandler):
    """drf-standardized-errors' handler, plus Django's refusals of a request it cannot read (a
    body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields: SuspiciousOperation): a 400 in the
    error shape, where the library would answer them as a 500 server_error."""

    def convert_known_exceptions(self, exc):
        if isinstance(exc, SuspiciousOperation):
            return BadRequest()
        return super().convert_known_exceptions(exc)


class ErrorFormatter(ExceptionFormatter):
    """drf-standardized-errors' body, plus `extra` for exceptions that carry one."""

    def format_error_response(self, error_response):
        body = super().format_error_response(error_response)
        extra = getattr(self.exc, "extra", None)
        if extra is not None:
            body["extra"] = extra
        return body


def error_body(code, detail, extra=None, kind="client_error"):
    """The standard body for errors answered outside DRF views (middleware, django-axes, the
    CSRF failure view): the same shape as `ErrorFormatter`'s."""
    body = {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}
    if extra is not None:
        body["extra"] = extra
    return body


def error_response(name, codes, description, extra=None):
    """An OpenAPI response for a client error whose `code` is one of `codes`, with `extra` (a
    serializer instance) when the body carries one. `name` makes the component names unique.

    The entry component ends in "ErrorComponent" so drf-standardized-errors' enum hook leaves
    its `code` enum alone (the same rule as its own error components)."""
    entry = type(
        f"{name}ErrorComponent",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=[(c, c) for c in codes]),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    fields = {
        "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
        "errors": entry(many=True),
    }
    if extra is not None:
        fields["extra"] = extra
    body = type(f"{name}ErrorResponse", (serializers.Serializer,), fields)
    return OpenApiResponse(body, description=description)


class LockoutExtra(serializers.Serializer):
    retry_after_seconds = serializers.IntegerField(help_text="The same wait as `Retry-After`")


class ThrottledError(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[("throttled", "throttled"), ("locked_out", "locked_out")]
    )
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "ThrottledErrorComponent"


class ThrottledErrorResponse(serializers.Serializer):
    """429 everywhere: `throttled` (too many requests; `Retry-After` says how long) or, on the
    sign-in endpoints, `locked_out` (django-axes; `extra.retry_after_seconds`)."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = ThrottledError(many=True)
    extra = LockoutExtra(required=False)


def _attr_pattern(attr):
    """ "domains.INDEX" -> ^domains\\.[0-9]+$ (drf-standardized-errors' placeholders for a list
    index or a dict key, made into what the API really sends)."""
    import re

    parts = []
    for part in attr.split("."):
        if part == "INDEX":
            parts.append("[0-9]+")
        elif part == "KEY":
            parts.append("[^.]+")
        else:
            parts.append(re.escape(part))
    return "^" + r"\.".join(parts) + "$"


def postprocess_error_attrs(result, generator, request, public):
    """drf-spectacular hook: an error's `attr` for a list item or a dict entry is named in the
    schema with a placeholder ("domains.INDEX") but sent with the real index ("domains.0").
    Describe those as patterns, and drop the discriminator that maps the placeholder names,
    so the schema tells the truth (schemathesis holds the server to it)."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        attr = schema.get("properties", {}).get("attr", {})
        values = attr.get("enum") or []
        if len(values) == 1 and values[0] and {"INDEX", "KEY"} & set(values[0].split(".")):
            schema["properties"]["attr"] = {"type": "string", "pattern": _attr_pattern(values[0])}
        mapping = schema.get("discriminator", {}).get("mapping", {})
        if any({"INDEX", "KEY"} & set(key.split(".")) for key in mapping):
            del schema["discriminator"]
    return result


def query_validation_errors(serializer_class):
    """View decorator: document the 400s that validating the query string with
    `serializer_class` can give (drf-standardized-errors only infers them for request bodies)."""
    from drf_standardized_errors.openapi_utils import (
        get_flat_serializer_fields,
        get_serializer_fields_with_error_codes,
    )
    from drf_standardized_errors.openapi_validation_errors import extend_validation_errors

    fields = get_serializer_fields_with_error_codes(get_flat_serializer_fields(serializer_class()))

    def decorate(view):
        for field in fields:
            view = extend_validation_errors(
                sorted(field.error_codes), field_name=field.name, methods=["GET"]
            )(view)
        return view

    return decorate


def postprocess_non_blank_strings(result, generator, request, public):
    """drf-spectacular hook: a request string declared `minLength: 1` is a DRF CharField that
    refuses blank values after trimming whitespace (the default; no input here turns trimming
    off), so "  " gets 400 `blank` too. Say so with a pattern (`\\S`: at least one non-space)."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for prop in schema.get("properties", {}).values():
            if (
                prop.get("type") == "string"
                and prop.get("minLength") == 1
                and not {"pattern", "format", "enum"} & set(prop)
            ):
                prop["pattern"] = r"\S"
    return result
