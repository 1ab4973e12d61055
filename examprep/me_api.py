"""The learner's own account in the API: export all their data, delete the account."""

from django.contrib.auth import logout
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from progress.data_rights import delete_account, export_learner_data
from progress.progress_api import WeakDomainReportOutput
from progress.serializers import ResultOutput


class ExportAccount(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


class ExportProfile(serializers.Serializer):
    extra_time = serializers.BooleanField()
    hide_timer = serializers.BooleanField()
    time_zone = serializers.CharField()


class ExportItem(serializers.Serializer):
    position = serializers.IntegerField()
    question = serializers.IntegerField(
        required=False, help_text="Absent while a mock or timed block is open (ids tell age)"
    )
    question_slug = serializers.CharField(
        required=False, help_text="Absent while the sitting is open: a slug names the solution"
    )
    version = serializers.IntegerField(
        allow_null=True, required=False, help_text="Absent while a mock or timed block is open"
    )
    selected = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Option ids; while a mock or timed block is open, places 1..n as shown",
    )
    struck = serializers.ListField(
        child=serializers.IntegerField(), help_text="Named as `selected` is"
    )
    flagged = serializers.BooleanField()
    time_spent_seconds = serializers.IntegerField()
    answered_at = serializers.DateTimeField(allow_null=True)
    is_correct = serializers.BooleanField(
        allow_null=True, required=False, help_text="Absent while the sitting is open"
    )
    is_pilot = serializers.BooleanField(
        required=False, help_text="An unscored pilot item; absent while the sitting is open"
    )
    unsure = serializers.BooleanField()


class ExportConfig(serializers.Serializer):
    domains = serializers.ListField(child=serializers.IntegerField(), required=False)
    tasks = serializers.ListField(child=serializers.CharField(), required=False)
    count = serializers.IntegerField(required=False)
    source = serializers.CharField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.ListField(child=serializers.CharField(), required=False)
        return fields


class ExportSitting(serializers.Serializer):
    id = serializers.IntegerField()
    mode = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    timed_out = serializers.BooleanField()
    correct = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField(allow_null=True)
    scaled_score = serializers.IntegerField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    config = ExportConfig(help_text="How a practice set was drawn (empty for a mock)")
    notice = serializers.CharField()
    result = ResultOutput(allow_null=True)
    items = ExportItem(many=True)


class ExportReport(WeakDomainReportOutput):
    class Meta(WeakDomainReportOutput.Meta):
        fields = [f for f in WeakDomainReportOutput.Meta.fields if f != "miss_advice"]


class ExportReviewItem(serializers.Serializer):
    question_id = serializers.IntegerField(allow_null=True)
    card_slug = serializers.CharField(allow_null=True)
    due = serializers.DateTimeField()
    reviews = serializers.IntegerField()
    lapses = serializers.IntegerField()
    last_reviewed = serializers.DateTimeField(allow_null=True)


class ExportHit(serializers.Serializer):
    card_slug = serializers.CharField()
    item_sitting_id = serializers.IntegerField(allow_null=True)
    item_position = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class ExportProblemReport(serializers.Serializer):
    id = serializers.IntegerField()
    question_id = serializers.IntegerField()
    version_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    text = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    seen_at = serializers.DateTimeField(allow_null=True)


class ExportMembership(serializers.Serializer):
    group_id = serializers.IntegerField()
    group_name = serializers.CharField()
    joined_at = serializers.DateTimeField()
    is_owner = serializers.BooleanField()


class ExportNote(serializers.Serializer):
    question = serializers.IntegerField()
    question_slug = serializers.CharField()
    domain = serializers.IntegerField()
    task = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ExportMiss(serializers.Serializer):
    item_sitting_id = serializers.IntegerField(allow_null=True)
    item_position = serializers.IntegerField(allow_null=True)
    question_slug = serializers.CharField()
    reason = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ExportOutput(serializers.Serializer):
    """`progress.data_rights.export_learner_data` (times as ISO 8601 strings)."""

    format = serializers.IntegerField(help_text="Version of this layout")
    exported_at = serializers.DateTimeField()
    account = ExportAccount()
    profile = ExportProfile()
    sittings = ExportSitting(many=True)
    weak_domain_reports = ExportReport(many=True)
    review_queue = ExportReviewItem(many=True)
    misconceptions_revealed = ExportHit(many=True)
    problem_reports = ExportProblemReport(many=True)
    study_groups = ExportMembership(many=True)
    notes = ExportNote(many=True)
    miss_log = ExportMiss(many=True)


@extend_schema(
    responses=OpenApiResponse(
        ExportOutput,
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
    responses={200: DeleteOutput},
    description="400 `wrong_password` (attr `password`): not your password.",
)
@extend_validation_errors(["wrong_password"], field_name="password", methods=["POST"])
@api_view(["POST"])
def delete(request):
    """Delete your account, confirmed with your password. Cannot be undone."""
    data = DeleteInput(data=request.data)
    data.is_valid(raise_exception=True)
    if not request.user.check_password(data.validated_data["password"]):
        raise ValidationError(
            {"password": [ErrorDetail("That is not your password.", "wrong_password")]}
        )
    summary = delete_account(request.user)
    logout(request._request)
    return Response(summary)


urlpatterns = [
    path("export/", export, name="api-me-export"),
    path("delete/", delete, name="api-me-delete"),
]
