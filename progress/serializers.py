"""Output serializers: the shapes the exam and progress endpoints return, so the OpenAPI schema
(and a generated client) see the same fields the code builds. Bodies are built by presenters;
these types describe them and render the new figures."""

from rest_framework import serializers

from .models import MissTag, Sitting


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


class CardLinkOutput(serializers.Serializer):
    slug = serializers.CharField()
    belief = serializers.CharField()
    correction_html = serializers.CharField()
    url = serializers.CharField(help_text="The card's page")


class FeedbackChoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    is_correct = serializers.BooleanField()
    why_html = serializers.CharField()
    misconception = CardLinkOutput(allow_null=True, help_text="The misconception this option baits")


class FeedbackOutput(serializers.Serializer):
    correct = serializers.BooleanField()
    scored = serializers.BooleanField()
    pilot = serializers.BooleanField(
        help_text="An unscored pilot question (told only once the sitting has ended)"
    )
    unsure = serializers.BooleanField(help_text="Marked unsure while answering")
    correct_choice_ids = serializers.ListField(child=serializers.IntegerField())
    choices = FeedbackChoiceOutput(many=True)
    revealed_misconceptions = CardLinkOutput(
        many=True, help_text="Misconceptions behind the wrong options you chose"
    )
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


class ChoicePublicOutput(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="What `selected` and `struck` hold: while a mock or timed block is open, the "
        "option's place (1..n) in the order shown; otherwise its option (VersionChoice) id"
    )
    text_html = serializers.CharField()


class QuestionPublicOutput(serializers.Serializer):
    """A question as shown while answering: nothing about which option is right. While a mock
    or timed block is open, nothing that tells one question from another either: `id`,
    `version`, `domain` and `task` are absent (ids grow with authoring time and domain counts
    can be held against the blueprint: either would single out a mock's unscored pilots)."""

    id = serializers.IntegerField(required=False, help_text="Absent while a timed sitting is open")
    version = serializers.IntegerField(
        required=False, help_text="The version pinned for this sitting; absent while timed and open"
    )
    domain = serializers.IntegerField(
        required=False, help_text="Domain number, 1-6; absent while timed and open"
    )
    task = serializers.CharField(
        required=False, help_text='Task statement number, e.g. "1.4"; absent while timed and open'
    )
    kind = serializers.CharField(help_text="single or multiple")
    select_count = serializers.IntegerField(help_text="How many options a complete answer has")
    choose_label = serializers.CharField(help_text='e.g. "Choose two."')
    stem_html = serializers.CharField()
    choices = ChoicePublicOutput(many=True, help_text="In this sitting's order")


class ItemOutput(serializers.Serializer):
    position = serializers.IntegerField()
    question = QuestionPublicOutput()
    selected = serializers.ListField(
        child=serializers.IntegerField(), help_text="Option ids as `question.choices[].id`"
    )
    struck = serializers.ListField(
        child=serializers.IntegerField(), help_text="Option ids as `question.choices[].id`"
    )
    flagged = serializers.BooleanField()
    time_spent_seconds = serializers.IntegerField()
    revision = serializers.IntegerField(help_text="Send it back with a save (see `revision`)")
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
    """A finished sitting's result. The scoring fields are absent from results stored before
    equated scoring existed, and `calibrated_items`/`linear_reason` from practice sets."""

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
    scoring_method = serializers.ChoiceField(
        choices=Sitting.ScoringMethod.choices,
        required=False,
        help_text="equated: from the IRT ability on the mock's calibrated questions; linear:"
        " 100 + 900 x share correct (practice sets, and mocks not yet calibrated)",
    )
    ability = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="Equated mocks: the ability estimate (EAP), in logits",
    )
    ability_sd = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="Equated mocks: the posterior SD of the ability, in logits",
    )
    calibrated_items = serializers.IntegerField(
        allow_null=True, required=False, help_text="Mocks: how many scored questions are calibrated"
    )
    linear_reason = serializers.ChoiceField(
        choices=["form", "bank"],
        allow_null=True,
        required=False,
        help_text="Why a mock kept the linear estimate: form (under 90 % of its questions"
        " calibrated) or bank (under 65 calibrated live questions to define the reference form)",
    )
    reference_version = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="Equated mocks: the reference form version that scored it (a later version"
        " never re-scores a finished mock)",
    )


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
    mode = serializers.ChoiceField(choices=Sitting.Mode.choices)
    status = serializers.ChoiceField(choices=Sitting.Status.choices)
    title = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    remaining_seconds = serializers.IntegerField(allow_null=True)
    timed = serializers.BooleanField(help_text="A mock or a timed block: no feedback until the end")
    current_position = serializers.IntegerField()
    notice = serializers.CharField()
    items = ItemOutput(many=True)
    result = ResultOutput(required=False, help_text="Finished sittings only")
    standing = StandingOutput(
        required=False, allow_null=True, help_text="Finished sittings only; null but for mocks"
    )
    pacing = PacingOutput(required=False, help_text="Finished sittings only")


class StartedOutput(SittingOutput):
    finished_practice = serializers.IntegerField(
        allow_null=True,
        help_text="The open practice set that was finished to make way for this one, or null",
    )


class SittingSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Sitting.Mode.choices)
    status = serializers.ChoiceField(choices=Sitting.Status.choices)
    title = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    remaining_seconds = serializers.IntegerField(allow_null=True, help_text="Open sittings only")
    scaled_score = serializers.IntegerField(allow_null=True, help_text="100-1000; once finished")
    passed = serializers.BooleanField(allow_null=True)
    correct = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField(allow_null=True)


class ClockOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Sitting.Status.choices)
    remaining_seconds = serializers.IntegerField(
        allow_null=True, help_text="Seconds to the deadline; null without one (untimed)"
    )


class MissCountOutput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=MissTag.Reason.choices)
    domain = serializers.IntegerField()
    count = serializers.IntegerField()


class MasteryOutput(serializers.Serializer):
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()
    mastery = serializers.FloatField(help_text="Estimated share (0-1) answered right")
    mastery_low = serializers.FloatField(help_text="Its pessimistic bound (0-1)")


class DomainMasteryOutput(MasteryOutput):
    number = serializers.IntegerField()
    name = serializers.CharField()
    weight_percent = serializers.IntegerField()


class TaskMasteryOutput(MasteryOutput):
    number = serializers.CharField()
    title = serializers.CharField()
    domain = serializers.IntegerField()


class ReadinessOutput(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=["irt", "mastery"],
        help_text="irt: from the ability posterior on calibrated mock answers, scored as an"
        " equated mock; mastery: from domain mastery (Beta posteriors)",
    )
    predicted_score = serializers.IntegerField(help_text="Scaled (100-1000); irt: the median")
    low = serializers.IntegerField(help_text="10th percentile of the next mock's score")
    high = serializers.IntegerField(help_text="90th percentile of the next mock's score")
    pass_probability = serializers.FloatField(help_text="Chance (0-1) of scoring 750 or more")
    unanswered_share = serializers.FloatField(
        help_text="Share (0-1) left unanswered in mocks of the last 90 days"
    )
    ability = serializers.FloatField(required=False, help_text="irt only: EAP ability, logits")
    ability_sd = serializers.FloatField(required=False, help_text="irt only: its posterior SD")
    answers = serializers.IntegerField(
        required=False, help_text="irt only: calibrated mock answers behind the ability"
    )


class ProgressOutput(serializers.Serializer):
    domains = DomainMasteryOutput(many=True)
    tasks = TaskMasteryOutput(many=True)
    readiness = ReadinessOutput(
        allow_null=True, help_text="Null below 30 answers (or 3 in any domain): not enough data"
    )
    standing = LatestStandingOutput(
        allow_null=True, help_text="The latest mock's percentile among first attempts"
    )
    misses = MissCountOutput(many=True, help_text="Your miss log: tagged misses by reason, domain")
    pacing_trend = PaceTrendOutput(many=True, help_text="Your finished mocks' pace, oldest first")
