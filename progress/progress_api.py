"""API for progress, weak-domain reports and the review queue."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.response import Response

from examprep.api_errors import Conflict, error_response

from .groups import GroupError, get_group_for_member, group_progress, join, leave
from .mastery import learner_progress
from .misses import misses_by_reason_and_domain
from .models import StudyGroup, WeakDomainReport
from .pacing import pacing_trend
from .peers import latest_mock_standing
from .review import due_items
from .serializers import MasteryOutput, ProgressOutput, ReadinessOutput
from .tasks import enqueue_report


class ReportDomainOutput(MasteryOutput):
    number = serializers.IntegerField()
    name = serializers.CharField()
    test_taking_misses = serializers.IntegerField(
        required=False, help_text="Misses tagged misread or time (reports since the miss log)"
    )
    expected_points = serializers.FloatField(
        help_text="Exam points (of 100) to gain here: weight x room to improve"
    )


class ReportTaskOutput(MasteryOutput):
    number = serializers.CharField()
    title = serializers.CharField()
    domain = serializers.IntegerField()
    url = serializers.CharField(required=False)
    test_taking_misses = serializers.IntegerField(required=False)
    expected_points = serializers.FloatField()


class ReportMisconceptionOutput(serializers.Serializer):
    slug = serializers.CharField()
    belief = serializers.CharField()
    domain = serializers.IntegerField()
    url = serializers.CharField()
    times = serializers.IntegerField(help_text="How often you fell for it")
    last = serializers.DateTimeField(help_text="When you last did")


class MissAdviceOutput(serializers.Serializer):
    reason = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    advice = serializers.CharField()


def _stored_json(shape, **kwargs):
    """A JSONField returned as stored, documented as `shape` (the report builder wrote it)."""
    return extend_schema_field(shape)(type("StoredJSON", (serializers.JSONField,), {}))(**kwargs)


class WeakDomainReportOutput(serializers.ModelSerializer):
    domains = _stored_json(ReportDomainOutput(many=True), help_text="Most to gain first")
    tasks = _stored_json(ReportTaskOutput(many=True), help_text="Most to gain first")
    misconceptions = _stored_json(ReportMisconceptionOutput(many=True))
    readiness = _stored_json(ReadinessOutput(allow_null=True), allow_null=True)
    practice_tasks = _stored_json(
        serializers.ListField(child=serializers.CharField()),
        help_text="Task statement numbers to practise next",
    )
    miss_advice = _stored_json(MissAdviceOutput(many=True))

    class Meta:
        model = WeakDomainReport
        fields = [
            "id",
            "created_at",
            "answers",
            "domains",
            "tasks",
            "misconceptions",
            "readiness",
            "practice_tasks",
            "miss_advice",
        ]


@extend_schema(responses=ProgressOutput)
@api_view(["GET"])
def progress(request):
    body = learner_progress(request.user)
    body["standing"] = latest_mock_standing(request.user)
    body["misses"] = misses_by_reason_and_domain(request.user)
    body["pacing_trend"] = pacing_trend(request.user)
    return Response(body)


class QueuedOutput(serializers.Serializer):
    queued = serializers.BooleanField(help_text="True: a report is owed and will be built")


@extend_schema(
    methods=["GET"], operation_id="reports_list", responses=WeakDomainReportOutput(many=True)
)
@extend_schema(
    methods=["POST"],
    operation_id="reports_request",
    request=None,
    responses={
        202: OpenApiResponse(
            QueuedOutput,
            description="Report owed: recorded durably, built by the worker (never waits on it)",
        )
    },
)
@api_view(["GET", "POST"])
def reports(request):
    if request.method == "POST":
        queued = enqueue_report(request.user.id)
        return Response(QueuedOutput({"queued": queued}).data, status=status.HTTP_202_ACCEPTED)
    rows = WeakDomainReport.objects.filter(user=request.user).order_by("-created_at", "-id")[:50]
    return Response(WeakDomainReportOutput(rows, many=True).data)


@extend_schema(
    responses={
        200: WeakDomainReportOutput,
        404: OpenApiResponse(ErrorResponse404Serializer, description="No report yet"),
    }
)
@api_view(["GET"])
def latest(request):
    report = (
        WeakDomainReport.objects.filter(user=request.user).order_by("-created_at", "-id").first()
    )
    if report is None:
        raise NotFound("No report yet: finish a mock or a practice set.")
    return Response(WeakDomainReportOutput(report).data)


class ReviewDueOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[("question", "question"), ("misconception", "misconception")]
    )
    question = serializers.IntegerField(allow_null=True, help_text="kind question: its id")
    task = serializers.CharField(allow_null=True, help_text="kind question: its task statement")
    card = serializers.CharField(allow_null=True, help_text="kind misconception: the card's slug")
    due = serializers.DateTimeField()
    reviews = serializers.IntegerField()
    lapses = serializers.IntegerField()


@extend_schema(responses=ReviewDueOutput(many=True))
@api_view(["GET"])
def review_due(request):
    """Your due review items (spaced repetition), soonest first."""
    now = timezone.now()
    items = due_items(request.user, now).select_related("question__task", "card").order_by("due")
    rows = ReviewDueOutput(
        [
            {
                "kind": "question" if item.question_id else "misconception",
                "question": item.question_id,
                "task": item.question.task.number if item.question_id else None,
                "card": item.card.slug if item.card_id else None,
                "due": item.due,
                "reviews": item.reviews,
                "lapses": item.lapses,
            }
            for item in items
        ],
        many=True,
    )
    return Response(rows.data)


class GroupInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)


class JoinInput(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class GroupOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_owner = serializers.BooleanField()
    join_code = serializers.CharField(required=False, help_text="The owner's only")


class MemberDomainOutput(MasteryOutput):
    number = serializers.IntegerField()


class MemberOutput(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    is_owner = serializers.BooleanField()
    domains = MemberDomainOutput(many=True)
    answered = serializers.IntegerField()
    readiness = ReadinessOutput(allow_null=True)
    latest_mock_score = serializers.IntegerField(allow_null=True)


class GroupProgressOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    domains = serializers.ListField(child=serializers.IntegerField(), help_text="Domain numbers")
    members = MemberOutput(many=True, help_text="By username")


def _group_summary(group, user):
    summary = {"id": group.id, "name": group.name, "is_owner": group.owner_id == user.id}
    if summary["is_owner"]:
        summary["join_code"] = group.join_code
    return summary


@extend_schema(methods=["GET"], operation_id="groups_list", responses=GroupOutput(many=True))
@extend_schema(
    methods=["POST"],
    operation_id="groups_create",
    request=GroupInput,
    responses={201: GroupOutput},
)
@api_view(["GET", "POST"])
def groups(request):
    if request.method == "POST":
        data = GroupInput(data=request.data)
        data.is_valid(raise_exception=True)
        group = StudyGroup.create(request.user, data.validated_data["name"])
        body = GroupOutput(_group_summary(group, request.user)).data
        return Response(body, status=status.HTTP_201_CREATED)
    mine = StudyGroup.objects.for_member(request.user).order_by("name")
    return Response(GroupOutput([_group_summary(g, request.user) for g in mine], many=True).data)


@extend_schema(
    request=JoinInput,
    responses=GroupOutput,
    description="400 `cannot_join` (attr `code`): no group has that code, or the group is full.",
)
@extend_validation_errors(["cannot_join"], field_name="code", methods=["POST"])
@api_view(["POST"])
def join_group(request):
    data = JoinInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        group = join(request.user, data.validated_data["code"])
    except GroupError as exc:
        raise ValidationError({"code": [ErrorDetail(str(exc), "cannot_join")]}) from None
    return Response(GroupOutput(_group_summary(group, request.user)).data)


@extend_schema(
    responses=OpenApiResponse(
        GroupProgressOutput, description="Members' progress; 404 unless you are a member"
    )
)
@api_view(["GET"])
def group_detail(request, pk):
    return Response(group_progress(get_group_for_member(request.user, pk)))


@extend_schema(
    request=None,
    responses={
        204: None,
        409: error_response(
            "OwnerLeaving", ["owner_has_members"], "The owner cannot leave members behind"
        ),
    },
)
@api_view(["POST"])
def leave_group(request, pk):
    group = get_group_for_member(request.user, pk)
    try:
        leave(request.user, group)
    except GroupError as exc:
        raise Conflict(str(exc), "owner_has_members") from None
    return Response(status=status.HTTP_204_NO_CONTENT)
