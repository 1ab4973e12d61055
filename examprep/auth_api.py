"""Account endpoints of the API: register and obtain a token."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

User = get_user_model()


class RegisterInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate_username(self, value):
        if User.objects.filter(username__iexact=value).exists():
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
    token = serializers.CharField()


@extend_schema(request=RegisterInput, responses={201: TokenOutput})
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([])
def register(request):
    data = RegisterInput(data=request.data)
    data.is_valid(raise_exception=True)
    user = User.objects.create_user(
        username=data.validated_data["username"],
        password=data.validated_data["password"],
        email=data.validated_data.get("email", ""),
    )
    token, _ = Token.objects.get_or_create(user=user)
    return Response({"username": user.username, "token": token.key}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("register/", register, name="api-register"),
    path("token/", ObtainAuthToken.as_view(), name="api-token"),
]
