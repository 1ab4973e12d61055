"""API for progress, weak-domain reports and the review queue."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .mastery import learner_progress
from .models import WeakDomainReport
from .review import due_items
from .tasks import enqueue_report


class ReportOutput(serializers.ModelSerializer):
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
        ]


@api_view(["GET"])
def progress(request):
    return Response(learner_progress(request.user))


@extend_schema(responses=ReportOutput(many=True))
@api_view(["GET", "POST"])
def reports(request):
    if request.method == "POST":
        queued = enqueue_report(request.user.id)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)
    rows = WeakDomainReport.objects.filter(user=request.user).order_by("-created_at", "-id")[:50]
    return Response(ReportOutput(rows, many=True).data)


@extend_schema(responses=ReportOutput)
@api_view(["GET"])
def latest(request):
    report = (
        WeakDomainReport.objects.filter(user=request.user).order_by("-created_at", "-id").first()
    )
    if report is None:
        return Response({"detail": "No report yet: finish a mock or a practice set."}, status=404)
    return Response(ReportOutput(report).data)


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
