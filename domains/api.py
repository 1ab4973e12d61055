from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from questions.markdown import render_markdown

from .models import Domain, MisconceptionCard


class TaskOutput(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()


class DomainOutput(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    weight_percent = serializers.IntegerField()
    task_statements = TaskOutput(many=True, source="task_statements.all")


class CardOutput(serializers.Serializer):
    slug = serializers.CharField()
    domain = serializers.IntegerField(source="domain.number")
    tasks = serializers.SerializerMethodField()
    belief = serializers.CharField()
    correction = serializers.CharField()
    correction_html = serializers.SerializerMethodField()
    references = serializers.ListField(child=serializers.CharField())

    def get_tasks(self, card) -> list[str]:
        return [t.number for t in card.task_statements.all()]

    def get_correction_html(self, card) -> str:
        return str(render_markdown(card.correction))


@extend_schema(responses=DomainOutput(many=True))
@api_view(["GET"])
@permission_classes([AllowAny])
def domain_list(request):
    return Response(DomainOutput(Domain.objects.with_tasks(), many=True).data)


def _cards():
    return MisconceptionCard.objects.select_related("domain").prefetch_related("task_statements")


@extend_schema(
    responses=CardOutput(many=True),
    parameters=[
        OpenApiParameter(
            "domain", int, description="Only this domain's cards (1-6)", required=False
        )
    ],
)
@extend_validation_errors(["invalid"], field_name="domain", methods=["GET"])
@api_view(["GET"])
@permission_classes([AllowAny])
def misconception_list(request):
    cards = _cards()
    domain = request.query_params.get("domain")
    if domain:
        if not (domain.isascii() and domain.isdigit() and len(domain) <= 2):
            raise ValidationError(
                {"domain": [ErrorDetail("Give a domain number, 1 to 6.", "invalid")]}
            )
        cards = cards.filter(domain__number=int(domain))
    return Response(CardOutput(cards, many=True).data)


@extend_schema(responses=CardOutput)
@api_view(["GET"])
@permission_classes([AllowAny])
def misconception_detail(request, slug):
    return Response(CardOutput(get_object_or_404(_cards(), slug=slug)).data)
