from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from .access import learner_has_met, version_seen_by
from .models import ProblemReport, Question


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ProblemReport.Reason.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ProblemReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.IntegerField(source="question_id")
    version = serializers.IntegerField(source="version.number", allow_null=True, default=None)
    reason = serializers.ChoiceField(choices=ProblemReport.Reason.choices)
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=ProblemReport.Status.choices)
    reply = serializers.CharField(source="resolution")
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    new_reply = serializers.SerializerMethodField()

    def get_new_reply(self, report) -> bool:
        return report.is_resolved and report.seen_at is None


@extend_schema(
    operation_id="problem_reports_mine",
    responses={200: ProblemReportOutput(many=True)},
    description="Your problem reports, newest first, with status and the authors' reply. "
    "Reading them here does not mark replies seen (the My reports page does).",
)
@api_view(["GET"])
def my_reports(request):
    reports = (
        ProblemReport.objects.filter(reporter=request.user)
        .select_related("version")
        .order_by("-created_at")[:200]
    )
    return Response(ProblemReportOutput(reports, many=True).data)


@extend_schema(request=ReportInput, responses={201: ProblemReportOutput})
@api_view(["POST"])
def create_report(request, pk):
    question = get_object_or_404(Question, pk=pk)
    if not learner_has_met(request.user, question):
        raise NotFound()
    data = ReportInput(data=request.data)
    data.is_valid(raise_exception=True)
    report = ProblemReport.objects.create(
        question=question,
        version_id=version_seen_by(request.user, question),
        reporter=request.user,
        **data.validated_data,
    )
    return Response(ProblemReportOutput(report).data, status=status.HTTP_201_CREATED)
