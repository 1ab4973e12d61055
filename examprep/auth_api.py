"""Account endpoints of the API: register, obtain a token, log out, log out everywhere."""

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import ErrorDetail
from rest_framework.exceptions import ValidationError as InvalidInput
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .accounts import LoginThrottle, issue_token, log_out_everywhere

User = get_user_model()


class RegisterInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate_username(self, value):
        from progress.data_rights import is_reserved_username

        if is_reserved_username(value) or User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("That username is taken.")
        User.username_validator(value)
        return value

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs.get("email", ""))
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except ValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class TokenOutput(serializers.Serializer):
    username = serializers.CharField()
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(
        help_text="When the token stops working unless used; each use renews it (hourly)."
    )


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})


@extend_schema(request=RegisterInput, responses={201: TokenOutput})
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([LoginThrottle])
def register(request):
    data = RegisterInput(data=request.data)
    data.is_valid(raise_exception=True)
    user = User.objects.create_user(
        username=data.validated_data["username"],
        password=data.validated_data["password"],
        email=data.validated_data.get("email", ""),
    )
    token, expiry = issue_token(user)
    return Response(
        {"username": user.username, "token": token, "expiry": expiry},
        status=status.HTTP_201_CREATED,
    )


@extend_schema(
    request=LoginInput,
    responses={
        200: TokenOutput,
    },
    description="400 `invalid_credentials` (attr `non_field_errors`): wrong username or password. "
    "429 `throttled` (`Retry-After`) or `locked_out` (django-axes, `extra.retry_after_seconds`).",
)
@extend_validation_errors(["invalid_credentials"], field_name="non_field_errors", methods=["POST"])
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([LoginThrottle])
def token(request):
    """A new API token for a username and password. Failures count towards the lock-out of
    that username from this address (django-axes)."""
    data = LoginInput(data=request.data)
    data.is_valid(raise_exception=True)
    # The plain HttpRequest, so django-axes sees the address and can mark a lock-out.
    user = authenticate(
        request._request,
        username=data.validated_data["username"],
        password=data.validated_data["password"],
    )
    if user is None:
        raise InvalidInput(
            {
                "non_field_errors": [
                    ErrorDetail(
                        "Unable to log in with provided credentials.", "invalid_credentials"
                    )
                ]
            }
        )
    token, expiry = issue_token(user)
    return Response({"username": user.username, "token": token, "expiry": expiry})


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
def logout(request):
    """Revoke the token this request was made with (a session: log the session out)."""
    from django.contrib.auth import logout as end_session

    if request.auth is not None and hasattr(request.auth, "delete"):
        request.auth.delete()
    else:
        end_session(request._request)
    return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllOutput(serializers.Serializer):
    tokens = serializers.IntegerField(help_text="API tokens revoked")
    sessions = serializers.IntegerField(help_text="Other browser sessions ended")


@extend_schema(request=None, responses={200: LogoutAllOutput})
@api_view(["POST"])
def logout_all(request):
    """Revoke every API token of the learner and end their other browser sessions."""
    keep = request.session.session_key if request.auth is None else None
    return Response(log_out_everywhere(request.user, keep_session_key=keep))


urlpatterns = [
    path("register/", register, name="api-register"),
    path("token/", token, name="api-token"),
    path("logout/", logout, name="api-logout"),
    path("logout-all/", logout_all, name="api-logout-all"),
]
