"""API for learning from misses: tag why an answer was missed, keep a private note on a
question, list the notes. Items are addressed like the exam API's (sitting id, position): 404
for anyone else's sitting, 409 while the item's answer data is hidden (an open mock or timed
block, an unchecked practice item)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.response import Response

from examprep.api_errors import Conflict, error_response

from . import misses, notes
from .models import MissTag, Note
from .serializers import MissTagOutput, NoteOutput


class MissInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=MissTag.Reason.choices)


class NoteInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=Note.MAX_LENGTH,
        allow_blank=True,
        trim_whitespace=True,
        help_text="Markdown; empty deletes the note",
    )


class NoteListOutput(NoteOutput):
    question = serializers.IntegerField()
    domain = serializers.IntegerField()
    task = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="Where the note was written")


HIDDEN = "The answer to this question is not shown yet, so it cannot be tagged or noted."


ANSWER_HIDDEN = error_response(
    "AnswerHidden",
    ["answer_hidden"],
    "The answer is not shown yet (an open mock or timed block, an unchecked practice item)",
)


def _item(request, pk, position):
    try:
        return misses.reviewable_item(request.user, pk, position)
    except misses.NotReviewable:
        raise Conflict(HIDDEN, "answer_hidden") from None


@extend_schema(
    methods=["PUT"],
    operation_id="exam_item_miss_tag",
    request=MissInput,
    responses={
        200: MissTagOutput,
        409: ANSWER_HIDDEN,
    },
    description="400 `unfit_reason` (attr `reason`): a reason that does not fit the answer "
    "(`guessed` is for right answers only, the others for wrong ones).",
)
@extend_schema(
    methods=["DELETE"],
    operation_id="exam_item_miss_untag",
    request=None,
    responses={200: MissTagOutput, 409: ANSWER_HIDDEN},
)
@extend_validation_errors(["unfit_reason"], field_name="reason", methods=["PUT"])
@api_view(["PUT", "DELETE"])
def item_miss(request, pk, position):
    item = _item(request, pk, position)
    if request.method == "DELETE":
        misses.untag(request.user, item)
        return Response(MissTagOutput({"reason": None}).data)
    data = MissInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        tag = misses.tag(request.user, item, data.validated_data["reason"])
    except ValueError as exc:
        raise ValidationError({"reason": [ErrorDetail(str(exc), "unfit_reason")]}) from None
    return Response(MissTagOutput({"reason": tag.reason}).data)


@extend_schema(
    methods=["GET"],
    operation_id="exam_item_note",
    responses={
        200: NoteOutput,
        404: OpenApiResponse(
            ErrorResponse404Serializer, description="No such item of yours, or no note on it"
        ),
        409: ANSWER_HIDDEN,
    },
)
@extend_schema(
    methods=["PUT"],
    operation_id="exam_item_note_save",
    request=NoteInput,
    responses={
        200: NoteOutput,
        204: OpenApiResponse(description="Empty text: the note was deleted"),
        409: ANSWER_HIDDEN,
    },
)
@extend_schema(
    methods=["DELETE"],
    operation_id="exam_item_note_delete",
    responses={204: None, 409: ANSWER_HIDDEN},
)
@api_view(["GET", "PUT", "DELETE"])
def item_note(request, pk, position):
    item = _item(request, pk, position)
    if request.method == "GET":
        note = notes.note_for(request.user, item.question_id)
        if note is None:
            raise NotFound("No note on this question.")
        return Response(NoteOutput(notes.note_output(note)).data)
    text = ""
    if request.method == "PUT":
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        text = data.validated_data["text"]
    note = notes.save_note(request.user, item, text)
    if note is None:
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(NoteOutput(notes.note_output(note)).data)


@extend_schema(responses=NoteListOutput(many=True))
@api_view(["GET"])
def note_list(request):
    """Your notes, by domain then newest first, with the link back to where you wrote each."""
    rows = [
        {
            "question": entry["note"].question_id,
            "domain": group["number"],
            "task": entry["task"],
            "text": entry["note"].text,
            "html": entry["html"],
            "updated_at": entry["note"].updated_at,
            "url": entry["url"],
        }
        for group in notes.my_notes(request.user)
        for entry in group["notes"]
    ]
    return Response(NoteListOutput(rows, many=True).data)
