from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .access import learner_has_met
from .models import ProblemReport, Question


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ProblemReport.Reason.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ProblemReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.IntegerField(source="question_id")
    reason = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


@extend_schema(request=ReportInput, responses={201: ProblemReportOutput})
@api_view(["POST"])
def create_report(request, pk):
    question = get_object_or_404(Question, pk=pk)
    if not learner_has_met(request.user, question):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    data = ReportInput(data=request.data)
    data.is_valid(raise_exception=True)
    report = ProblemReport.objects.create(
        question=question, reporter=request.user, **data.validated_data
    )
    return Response(ProblemReportOutput(report).data, status=status.HTTP_201_CREATED)
