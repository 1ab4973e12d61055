"""The learner's own account in the API: export all their data, delete the account."""

from django.contrib.auth import logout
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from progress.data_rights import delete_account, export_learner_data


@extend_schema(
    responses=OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Everything held about you: account, profile, sittings with items and "
        "answers, weak-domain reports, review queue, misconceptions revealed, problem reports, "
        "study groups.",
    )
)
@api_view(["GET"])
def export(request):
    return Response(export_learner_data(request.user))


class DeleteInput(serializers.Serializer):
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class DeleteOutput(serializers.Serializer):
    sittings_kept_anonymously = serializers.IntegerField()
    groups_handed_over = serializers.IntegerField()
    groups_closed = serializers.IntegerField()


@extend_schema(
    request=DeleteInput,
    responses={200: DeleteOutput, 400: OpenApiResponse(description="Wrong password")},
)
@api_view(["POST"])
def delete(request):
    """Delete your account, confirmed with your password. Cannot be undone."""
    data = DeleteInput(data=request.data)
    data.is_valid(raise_exception=True)
    if not request.user.check_password(data.validated_data["password"]):
        return Response(
            {"password": ["That is not your password."]}, status=status.HTTP_400_BAD_REQUEST
        )
    summary = delete_account(request.user)
    logout(request._request)
    return Response(summary)


urlpatterns = [
    path("export/", export, name="api-me-export"),
    path("delete/", delete, name="api-me-delete"),
]
