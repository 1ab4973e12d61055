from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from domains import blueprint
from examprep.api_errors import Conflict, error_response, query_validation_errors

from . import answers, assembly, blocks
from .access import get_sitting_for_user
from .models import InvalidAnswer, Sitting, SittingClosed, SittingItem, StaleRevision
from .peers import sitting_standing
from .presenters import add_learner_notes, sitting_result, sitting_state, sitting_summary
from .serializers import (
    ClockOutput,
    FeedbackOutput,
    SittingOutput,
    SittingSummaryOutput,
    StartedOutput,
    SubmitOutput,
)


class StartInput(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["mock", "practice", "missed"])
    domains = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=6), required=False
    )
    tasks = serializers.ListField(child=serializers.RegexField(r"^[1-6]\.[1-4]$"), required=False)
    count = serializers.IntegerField(
        min_value=5, max_value=blueprint.QUESTIONS_PER_EXAM, required=False
    )
    timed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Practice only: a timed block at the exam's pace (2.4 minutes a question), "
        "no feedback until the end. Default: untimed (tutor mode).",
    )

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared as a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.ListField(
            child=serializers.ChoiceField(choices=blocks.SOURCES),
            required=False,
            help_text="Practice only: draw from the union of these sources (default all).",
        )
        return fields


OPTION_NAMES = (
    "Options as the item names them (`question.choices[].id`): while a mock or timed block is "
    "open, their places 1..n in the order shown; otherwise option (VersionChoice) ids."
)


class ItemInput(serializers.Serializer):
    selected = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text=OPTION_NAMES
    )
    struck = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text=OPTION_NAMES
    )
    flagged = serializers.BooleanField(required=False)
    seconds = serializers.IntegerField(min_value=0, max_value=3600, required=False, default=0)
    revision = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="The item revision this client last saw; a different stored one is a 409.",
    )
    unsure = serializers.BooleanField(required=False, help_text="The learner is not sure.")


class ItemStateOutput(serializers.Serializer):
    position = serializers.IntegerField()
    selected = serializers.ListField(child=serializers.IntegerField())
    struck = serializers.ListField(child=serializers.IntegerField())
    flagged = serializers.BooleanField()
    revision = serializers.IntegerField()


def _item_state(item):
    return {
        "position": item.position,
        **item.public_answer(),
        "flagged": item.flagged,
        "revision": item.revision,
    }


class ItemSavedOutput(ItemStateOutput):
    answered = serializers.BooleanField(help_text="At least one option is selected.")
    complete = serializers.BooleanField(help_text="As many options selected as asked for.")
    server_time = serializers.DateTimeField()
    remaining_seconds = serializers.IntegerField(allow_null=True)
    feedback = FeedbackOutput(
        required=False,
        help_text="Only for a checked tutor-mode practice answer: what was right and why.",
    )


class ConflictExtra(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="The sitting concerned")
    url = serializers.CharField(
        required=False, help_text="Its page (an open one, or a closed one's results)"
    )
    item = ItemStateOutput(required=False, help_text="stale_revision: the stored item state")


def _no_questions(message):
    return ValidationError({"non_field_errors": [ErrorDetail(message, "no_questions")]})


def _open_sitting(sitting, message):
    return Conflict(
        message, "open_sitting", extra={"id": sitting.id, "url": sitting.get_absolute_url()}
    )


OPEN_SITTING = error_response(
    "OpenSitting",
    ["open_sitting"],
    "open_sitting: a mock or a timed block is already in progress; `extra` names it",
    extra=ConflictExtra(),
)


@extend_schema(
    methods=["GET"], operation_id="exams_list", responses=SittingSummaryOutput(many=True)
)
@extend_schema(
    methods=["POST"],
    operation_id="exams_start",
    request=StartInput,
    responses={
        201: OpenApiResponse(
            StartedOutput,
            description="The new sitting; `finished_practice` is the id of the practice set "
            "that was open and has been finished to make way for it, or null",
        ),
        409: OPEN_SITTING,
    },
)
@extend_validation_errors(["no_questions"], field_name="non_field_errors", methods=["POST"])
@api_view(["GET", "POST"])
def exams(request):
    if request.method == "GET":
        sittings = Sitting.objects.filter(user=request.user).order_by("-started_at")[:200]
        return Response(
            SittingSummaryOutput([sitting_summary(s) for s in sittings], many=True).data
        )
    data = StartInput(data=request.data)
    data.is_valid(raise_exception=True)
    mode = data.validated_data["mode"]
    try:
        if mode == "mock":
            sitting = assembly.start_mock(request.user)
        elif mode == "missed":
            ids = assembly.missed_question_ids(request.user)
            if not ids:
                raise _no_questions("You have no missed questions yet.")
            sitting = assembly.start_practice(
                request.user,
                question_ids=ids,
                count=data.validated_data.get("count", 20),
                title="My missed questions",
                source="missed",
            )
        elif "from" in data.validated_data or data.validated_data["timed"]:
            sitting = blocks.start_block(
                request.user,
                sources=data.validated_data.get("from", []),
                domains=data.validated_data.get("domains", []),
                tasks=data.validated_data.get("tasks", []),
                count=data.validated_data.get("count", 20),
                timed=data.validated_data["timed"],
            )
        else:
            sitting = assembly.start_practice(
                request.user,
                domains=data.validated_data.get("domains", []),
                tasks=data.validated_data.get("tasks", []),
                count=data.validated_data.get("count", 20),
            )
    except assembly.OpenSittingExists as exc:
        what = "A mock exam" if exc.sitting.is_mock else "A timed practice block"
        raise _open_sitting(
            exc.sitting, f"{what} is already in progress; finish it first."
        ) from None
    except ValueError as exc:
        raise _no_questions(str(exc)) from None
    replaced = getattr(sitting, "replaced", None)
    body = sitting_state(sitting)
    # Starting anything while a practice set is open finishes that set (scored on what was
    # checked): say which one, so the client can tell the learner.
    body["finished_practice"] = replaced.id if replaced is not None else None
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(responses=SittingOutput)
@api_view(["GET"])
def exam_detail(request, pk):
    return Response(sitting_state(get_sitting_for_user(request.user, pk)))


@extend_schema(responses=ClockOutput)
@api_view(["GET"])
def exam_clock(request, pk):
    """The server's clock, cheap enough to poll every minute."""
    sitting = get_sitting_for_user(request.user, pk)
    return Response(
        ClockOutput(
            {"status": sitting.status, "remaining_seconds": sitting.remaining_seconds()}
        ).data
    )


@extend_schema(
    request=ItemInput,
    responses={
        200: OpenApiResponse(
            ItemSavedOutput,
            description="The saved item (a checked tutor-mode practice answer: feedback, with "
            "peer figures, your miss tag and note)",
        ),
        409: error_response(
            "ItemConflict",
            ["sitting_closed", "stale_revision"],
            "sitting_closed: the sitting has ended or its deadline has passed (`extra`: its id "
            "and results page); stale_revision: the item changed elsewhere since `revision` "
            "(`extra.item`: the stored state). Nothing was saved.",
            extra=ConflictExtra(),
        ),
    },
    description="400 `invalid_answer` (attr `selected`): a choice not in the question, or too "
    "many selected. 404: no such item in a sitting of yours.",
)
@extend_validation_errors(["invalid_answer"], field_name="selected", methods=["PUT"])
@api_view(["PUT"])
def exam_item(request, pk, position):
    """The autosave: as cheap as a correct save allows (see `progress.answers.save_answer`)."""
    data = ItemInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        saved = answers.save_answer(
            request.user, pk, position, as_shown=True, **data.validated_data
        )
    except SittingItem.DoesNotExist:
        raise Http404 from None
    except SittingClosed:
        raise Conflict(
            "This sitting has ended; the change was not saved.",
            "sitting_closed",
            extra={"id": pk, "url": reverse("progress:results", args=[pk])},
        ) from None
    except StaleRevision as exc:
        raise Conflict(
            "This answer was changed in another tab or device; here is the saved state.",
            "stale_revision",
            extra={"item": ItemStateOutput(_item_state(exc.item)).data},
        ) from None
    except InvalidAnswer as exc:
        raise ValidationError({exc.field: [ErrorDetail(str(exc), "invalid_answer")]}) from None
    body = saved.as_dict()
    if "feedback" in body:
        add_learner_notes(request.user.id, [saved.item], [body])
    # The dict has ItemSavedOutput's shape (tests pin the keys); serialising it through DRF
    # again would cost more than the rest of the view.
    return Response(body)


@extend_schema(
    request=None,
    responses=OpenApiResponse(
        SubmitOutput, description="The result (and a mock's standing); the same on repeat"
    ),
)
@api_view(["POST"])
def exam_submit(request, pk):
    sitting = get_sitting_for_user(request.user, pk)
    sitting.end()
    return Response({"result": sitting_result(sitting), "standing": sitting_standing(sitting)})


class AvailableInput(serializers.Serializer):
    domains = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=6), required=False
    )
    tasks = serializers.ListField(child=serializers.RegexField(r"^[1-6]\.[1-4]$"), required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.ListField(
            child=serializers.ChoiceField(choices=blocks.SOURCES), required=False
        )
        return fields


class SourceCountsOutput(serializers.Serializer):
    unused = serializers.IntegerField()
    incorrect = serializers.IntegerField()
    flagged = serializers.IntegerField()
    all = serializers.IntegerField()


class AvailableOutput(serializers.Serializer):
    sources = SourceCountsOutput(help_text="Questions each source holds within the scope")
    selected = serializers.IntegerField(help_text="Questions the union of `from` holds")


@extend_schema(parameters=[AvailableInput], responses=AvailableOutput)
@query_validation_errors(AvailableInput)
@api_view(["GET"])
def exams_available(request):
    """How many questions a custom block could draw: per source and for the chosen union,
    within the domains/task statements given (their union; none = all)."""
    query = {key: request.query_params.getlist(key) for key in ("from", "domains", "tasks")}
    data = AvailableInput(data={k: v for k, v in query.items() if v})
    data.is_valid(raise_exception=True)
    counts = blocks.available_counts(
        request.user,
        domains=data.validated_data.get("domains", []),
        tasks=data.validated_data.get("tasks", []),
        sources=data.validated_data.get("from", []),
    )
    return Response(AvailableOutput(counts).data)
