"""Output serializers: the shapes the exam and progress endpoints return, so the OpenAPI schema
(and a generated client) see the same fields the code builds. Bodies are built by presenters;
these types describe them and render the new figures."""

from rest_framework import serializers

from .models import MissTag


class PeerOptionOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="Option (VersionChoice) id")
    share = serializers.FloatField(help_text="Share (0-1) of answers that picked it")


class PeerStatsOutput(serializers.Serializer):
    enough = serializers.BooleanField(
        help_text="False below 20 learners: the figures are withheld (not enough answers yet)"
    )
    learners = serializers.IntegerField(help_text="Distinct learners who answered this version")
    right_share = serializers.FloatField(
        allow_null=True, help_text="Share (0-1) of answers that were right"
    )
    options = PeerOptionOutput(many=True, help_text="Per option, in the order shown")
    updated_at = serializers.DateTimeField(
        allow_null=True, help_text="When the nightly statistics ran"
    )


class StandingOutput(serializers.Serializer):
    enough = serializers.BooleanField(help_text="False below 30 first attempts: withheld")
    first_attempts = serializers.IntegerField(help_text="Learners' first mocks compared with")
    percentile = serializers.IntegerField(
        allow_null=True, help_text="Percentile rank (0-100) among learners' first attempts"
    )
    median = serializers.FloatField(
        allow_null=True, help_text="Median scaled score of first attempts"
    )


class LatestStandingOutput(StandingOutput):
    sitting = serializers.IntegerField(help_text="The learner's latest finished mock")
    scaled_score = serializers.IntegerField()


class MissTagOutput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=MissTag.Reason.choices, allow_null=True)


class NoteOutput(serializers.Serializer):
    text = serializers.CharField(help_text="Markdown as written")
    html = serializers.CharField(help_text="Sanitised HTML")
    updated_at = serializers.DateTimeField()


class FeedbackChoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    is_correct = serializers.BooleanField()
    why_html = serializers.CharField()
    misconception = serializers.DictField(allow_null=True)


class FeedbackOutput(serializers.Serializer):
    correct = serializers.BooleanField()
    scored = serializers.BooleanField()
    pilot = serializers.BooleanField(
        help_text="An unscored pilot question (told only once the sitting has ended)"
    )
    unsure = serializers.BooleanField(help_text="Marked unsure while answering")
    correct_choice_ids = serializers.ListField(child=serializers.IntegerField())
    choices = FeedbackChoiceOutput(many=True)
    revealed_misconceptions = serializers.ListField(child=serializers.DictField())
    explanation_html = serializers.CharField()
    references = serializers.ListField(child=serializers.CharField())
    topic_url = serializers.CharField()
    peers = PeerStatsOutput(help_text="How other learners answered this version")
    miss_reason = serializers.ChoiceField(
        choices=MissTag.Reason.choices, allow_null=True, help_text="Your miss-log tag"
    )
    miss_reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=MissTag.Reason.choices),
        help_text="The tags that fit this answer",
    )
    note = NoteOutput(allow_null=True, help_text="Your private note on the question")


class ItemOutput(serializers.Serializer):
    position = serializers.IntegerField()
    question = serializers.DictField()
    selected = serializers.ListField(child=serializers.IntegerField())
    struck = serializers.ListField(child=serializers.IntegerField())
    flagged = serializers.BooleanField()
    time_spent_seconds = serializers.IntegerField()
    feedback = FeedbackOutput(
        required=False, help_text="Checked tutor-mode practice items and finished sittings only"
    )


class DomainResultOutput(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    correct = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    verdict = serializers.CharField()


class ResultOutput(serializers.Serializer):
    scaled_score = serializers.IntegerField()
    passed = serializers.BooleanField()
    correct = serializers.IntegerField()
    total = serializers.IntegerField()
    duration_seconds = serializers.IntegerField()
    pilot_positions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Positions of the unscored pilot items; they count nowhere",
    )
    domains = DomainResultOutput(many=True)


class PaceDomainOutput(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    questions = serializers.IntegerField()
    seconds = serializers.IntegerField()
    average_seconds = serializers.FloatField(allow_null=True, help_text="Seconds a question")
    over_pace = serializers.BooleanField(help_text="Slower than 144 s a question")


class PaceThirdOutput(serializers.Serializer):
    first = serializers.IntegerField(help_text="First position of this third of the sitting")
    last = serializers.IntegerField()
    questions = serializers.IntegerField()
    seconds = serializers.IntegerField()
    average_seconds = serializers.FloatField(allow_null=True)
    over_pace = serializers.BooleanField()
    running_seconds = serializers.IntegerField(help_text="Seconds used up to `last`")
    running_allowance = serializers.IntegerField(help_text="144 s x questions up to `last`")


class SlowItemOutput(serializers.Serializer):
    position = serializers.IntegerField()
    seconds = serializers.IntegerField()
    domain = serializers.IntegerField()


class PacingOutput(serializers.Serializer):
    pace_seconds = serializers.IntegerField(help_text="The real exam's pace: 144 s a question")
    questions = serializers.IntegerField()
    seconds = serializers.IntegerField(help_text="Time spent on all items (progress.pacing)")
    average_seconds = serializers.FloatField(allow_null=True)
    over_pace = serializers.BooleanField()
    domains = PaceDomainOutput(many=True)
    thirds = PaceThirdOutput(many=True)
    fell_behind = serializers.IntegerField(
        allow_null=True, help_text="Index (0-2) of the third where the running total went over"
    )
    slow_items = SlowItemOutput(many=True, help_text="Items over twice the pace, slowest first")


class PaceTrendOutput(serializers.Serializer):
    sitting = serializers.IntegerField()
    finished_at = serializers.DateTimeField()
    questions = serializers.IntegerField()
    seconds = serializers.IntegerField()
    average_seconds = serializers.FloatField(allow_null=True, help_text="Seconds a question")


class SubmitOutput(serializers.Serializer):
    result = ResultOutput()
    standing = StandingOutput(
        allow_null=True, help_text="Mocks only: percentile among learners' first attempts"
    )


class SittingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    mode = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    remaining_seconds = serializers.IntegerField(allow_null=True)
    timed = serializers.BooleanField(help_text="A mock or a timed block: no feedback until the end")
    current_position = serializers.IntegerField()
    notice = serializers.CharField()
    items = ItemOutput(many=True)
    result = ResultOutput(required=False)
    standing = StandingOutput(required=False, allow_null=True)
    pacing = PacingOutput(required=False, help_text="Finished sittings only")


class MissCountOutput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=MissTag.Reason.choices)
    domain = serializers.IntegerField()
    count = serializers.IntegerField()


class ProgressOutput(serializers.Serializer):
    domains = serializers.ListField(child=serializers.DictField())
    tasks = serializers.ListField(child=serializers.DictField())
    readiness = serializers.DictField(allow_null=True)
    standing = LatestStandingOutput(
        allow_null=True, help_text="The latest mock's percentile among first attempts"
    )
    misses = MissCountOutput(many=True, help_text="Your miss log: tagged misses by reason, domain")
    pacing_trend = PaceTrendOutput(many=True, help_text="Your finished mocks' pace, oldest first")
