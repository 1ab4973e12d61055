"""API for progress, weak-domain reports and the review queue."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .groups import GroupError, get_group_for_member, group_progress, join, leave
from .mastery import learner_progress
from .misses import misses_by_reason_and_domain
from .models import StudyGroup, WeakDomainReport
from .pacing import pacing_trend
from .peers import latest_mock_standing
from .review import due_items
from .serializers import ProgressOutput
from .tasks import enqueue_report


class WeakDomainReportOutput(serializers.ModelSerializer):
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


@extend_schema(
    methods=["GET"], operation_id="reports_list", responses=WeakDomainReportOutput(many=True)
)
@extend_schema(
    methods=["POST"],
    operation_id="reports_request",
    request=None,
    responses={
        202: OpenApiResponse(
            description="Report owed: recorded durably, built by the worker (never waits on it)"
        )
    },
)
@api_view(["GET", "POST"])
def reports(request):
    if request.method == "POST":
        queued = enqueue_report(request.user.id)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)
    rows = WeakDomainReport.objects.filter(user=request.user).order_by("-created_at", "-id")[:50]
    return Response(WeakDomainReportOutput(rows, many=True).data)


@extend_schema(responses=WeakDomainReportOutput)
@api_view(["GET"])
def latest(request):
    report = (
        WeakDomainReport.objects.filter(user=request.user).order_by("-created_at", "-id").first()
    )
    if report is None:
        return Response({"detail": "No report yet: finish a mock or a practice set."}, status=404)
    return Response(WeakDomainReportOutput(report).data)


@extend_schema(responses=OpenApiResponse(OpenApiTypes.OBJECT, description="Due review items"))
@api_view(["GET"])
def review_due(request):
    now = timezone.now()
    items = due_items(request.user, now).select_related("question__task", "card").order_by("due")
    return Response(
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
        ]
    )


class GroupInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)


class JoinInput(serializers.Serializer):
    code = serializers.CharField(max_length=12)


def _group_summary(group, user):
    summary = {"id": group.id, "name": group.name, "is_owner": group.owner_id == user.id}
    if summary["is_owner"]:
        summary["join_code"] = group.join_code
    return summary


@extend_schema(methods=["GET"], operation_id="groups_list", responses=OpenApiTypes.OBJECT)
@extend_schema(
    methods=["POST"],
    operation_id="groups_create",
    request=GroupInput,
    responses={201: OpenApiTypes.OBJECT},
)
@api_view(["GET", "POST"])
def groups(request):
    if request.method == "POST":
        data = GroupInput(data=request.data)
        data.is_valid(raise_exception=True)
        group = StudyGroup.create(request.user, data.validated_data["name"])
        return Response(_group_summary(group, request.user), status=status.HTTP_201_CREATED)
    mine = StudyGroup.objects.for_member(request.user).order_by("name")
    return Response([_group_summary(g, request.user) for g in mine])


@extend_schema(request=JoinInput, responses=OpenApiTypes.OBJECT)
@api_view(["POST"])
def join_group(request):
    data = JoinInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        group = join(request.user, data.validated_data["code"])
    except GroupError as exc:
        return Response({"code": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    return Response(_group_summary(group, request.user))


@extend_schema(
    responses=OpenApiResponse(
        OpenApiTypes.OBJECT, description="Members' progress; 404 unless you are a member"
    )
)
@api_view(["GET"])
def group_detail(request, pk):
    return Response(group_progress(get_group_for_member(request.user, pk)))


@extend_schema(
    request=None,
    responses={
        204: None,
        409: OpenApiResponse(description="The owner cannot leave members behind"),
    },
)
@api_view(["POST"])
def leave_group(request, pk):
    group = get_group_for_member(request.user, pk)
    try:
        leave(request.user, group)
    except GroupError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return Response(status=status.HTTP_204_NO_CONTENT)
