import json
from datetime import UTC, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from domains import blueprint
from questions.models import Question, QuestionVersion, VersionChoice

from .scoring import grade_item

# Answers that arrive this long after the deadline still count (network latency), later ones not.
GRACE = timedelta(seconds=10)


class SittingClosed(Exception):
    """The sitting has ended or its deadline has passed: the change was refused."""


class InvalidAnswer(ValueError):
    """A save the item cannot take; `field` names the input at fault ("selected" or "struck")."""

    def __init__(self, message, field="selected"):
        super().__init__(message)
        self.field = field


class StaleRevision(Exception):
    """The client saved over an item state it had not seen (another tab or device changed it
    since): the change was refused. `item` is the stored item, for the client to show."""

    def __init__(self, item):
        super().__init__(f"item {item.position} is at revision {item.revision}")
        self.item = item


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    extra_time = models.BooleanField(
        default=False,
        help_text="ESL accommodation: +30 minutes on mocks started from now on.",
    )
    hide_timer = models.BooleanField(default=False)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA name, e.g. Europe/Berlin; detected by the browser when empty.",
    )

    def __str__(self):
        return f"Profile of {self.user}"

    @classmethod
    def for_user(cls, user):
        profile, _ = cls.objects.get_or_create(user=user)
        return profile

    @property
    def exam_minutes(self):
        return blueprint.EXAM_MINUTES + (blueprint.ACCOMMODATION_MINUTES if self.extra_time else 0)


class SittingQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status=Sitting.Status.IN_PROGRESS)

    def finished(self):
        return self.filter(status=Sitting.Status.FINISHED)

    def mocks(self):
        return self.filter(mode=Sitting.Mode.MOCK)

    def expired(self, now=None):
        return self.in_progress().filter(deadline__lt=(now or timezone.now()) - GRACE)


class Sitting(models.Model):
    class Mode(models.TextChoices):
        MOCK = "mock", "Mock exam"
        PRACTICE = "practice", "Practice"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        FINISHED = "finished", "Finished"

    class ScoringMethod(models.TextChoices):
        LINEAR = "linear", "Linear estimate"
        EQUATED = "equated", "Equated (IRT ability)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sittings"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    title = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)
    current_position = models.PositiveSmallIntegerField(default=1)
    config = models.JSONField(default=dict, blank=True)
    notice = models.TextField(blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    scoring_method = models.CharField(
        max_length=8,
        choices=ScoringMethod.choices,
        default=ScoringMethod.LINEAR,
        help_text="How scaled_score was computed (progress.equating).",
    )
    ability = models.FloatField(
        null=True, blank=True, help_text="Equated mocks: EAP ability on the form, in logits."
    )
    ability_sd = models.FloatField(
        null=True, blank=True, help_text="Posterior SD of `ability`, in logits."
    )
    reference_version = models.ForeignKey(
        "ReferenceFormVersion",
        to_field="number",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sittings",
        help_text="Equated mocks: the reference form version that scored it (a regrade keeps "
        "it); empty for linear scores and mocks equated before versions existed.",
    )

    objects = SittingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="in_progress"), name="one_open_sitting_per_user"
            )
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["user", "-started_at"]),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} #{self.pk} of {self.user}"

    def get_absolute_url(self):
        if self.is_open:
            return reverse("progress:sitting", args=[self.pk])
        return reverse("progress:results", args=[self.pk])

    @property
    def is_mock(self):
        return self.mode == self.Mode.MOCK

    @property
    def is_open(self):
        return self.status == self.Status.IN_PROGRESS

    def remaining_seconds(self, now=None):
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - (now or timezone.now())).total_seconds()))

    @property
    def is_timed(self):
        """Mocks and timed practice blocks run against a deadline."""
        return self.deadline is not None

    @property
    def gives_feedback(self):
        """Untimed ("tutor") practice shows each answer's feedback once checked; mocks and timed
        blocks show nothing until the end."""
        return self.mode == self.Mode.PRACTICE and self.deadline is None

    @property
    def names_options_by_place(self):
        """While a timed sitting (a mock or a timed block) is open, its items carry no question
        id, version, domain or task, and an option is named by its place (1..n) in the order
        shown: ids grow with authoring time and domains count against the blueprint, so either
        would tell a mock's unscored pilot items from the scored ones."""
        return self.is_open and self.is_timed

    def accepts_answers(self, now=None):
        if not self.is_open:
            return False
        return self.deadline is None or (now or timezone.now()) <= self.deadline + GRACE

    def end(self, now=None):
        """The learner ends the sitting (the exam page, the API or the form): score it now.
        Ending between the deadline and the end of its grace counts as running out of time.
        Idempotent, like `finish`."""
        now = now or timezone.now()
        return self.finish(now=now, timed_out=self.deadline is not None and now > self.deadline)

    def finish_if_expired(self, now=None):
        """Finalise the sitting if its deadline plus grace has passed; True if it did."""
        now = now or timezone.now()
        if self.is_open and self.deadline is not None and now > self.deadline + GRACE:
            self.finish(now=now, timed_out=True)
            return True
        return False

    def save_answer(self, position, **changes):
        """Save one item's state in its own transaction; see `SittingItem.save_answer`."""
        with transaction.atomic():
            return SittingItem.save_answer(self.pk, position, **changes)

    def finish(self, now=None, timed_out=False):
        """End the sitting and score it. Idempotent: a finished sitting keeps its result."""
        from .review import record_graded
        from .scoring import score_sitting

        now = now or timezone.now()
        with transaction.atomic():
            sitting = Sitting.objects.select_for_update().get(pk=self.pk)
            if sitting.status == self.Status.FINISHED:
                self.refresh_from_db()
                return False
            sitting._wait_for_regrades()
            result, graded = score_sitting(
                sitting, finished_at=min(now, sitting.deadline) if sitting.deadline else now
            )
            if not sitting.gives_feedback:
                # Tutor-mode practice items were recorded one by one as they were checked.
                record_graded(sitting.user, graded, now, practice=False)
            sitting.status = self.Status.FINISHED
            sitting.finished_at = now
            sitting.timed_out = timed_out
            sitting.record_result(result)
            sitting.save()
            # The report is owed durably, in this transaction; no broker call (progress.outbox).
            add_report_request(sitting.user_id)
        self.refresh_from_db()
        return True

    def _wait_for_regrades(self):
        """Wait until no regrade is being applied to a version this sitting pinned (PostgreSQL).

        An apply holds its version's row FOR UPDATE until it commits, and re-scores only the
        sittings finished when it looked: a sitting scored meanwhile would keep the flawed key
        for good. FOR KEY SHARE waits for that lock only (not for a preview's FOR NO KEY UPDATE,
        nor for other finishes), so the score that follows sees the committed regrade. SQLite
        runs one writer at a time, so nothing overlaps there. One query."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT v.id FROM {QuestionVersion._meta.db_table} v WHERE v.id IN"
                f" (SELECT version_id FROM {SittingItem._meta.db_table} WHERE sitting_id = %s)"
                " FOR KEY SHARE OF v",
                [self.pk],
            )

    RESULT_FIELDS = (
        "correct",
        "total",
        "scaled_score",
        "passed",
        "result",
        "scoring_method",
        "ability",
        "ability_sd",
        "reference_version",
    )

    def record_result(self, result):
        """Copy a `scoring.score_sitting` result onto the sitting (not saved; RESULT_FIELDS are
        the fields it sets). Only an equated score names a reference version."""
        self.scoring_method = result.get("scoring_method", self.ScoringMethod.LINEAR)
        if self.scoring_method != self.ScoringMethod.EQUATED and result.get("reference_version"):
            result = {**result, "reference_version": None}
        self.correct = result["correct"]
        self.total = result["total"]
        self.scaled_score = result["scaled_score"]
        self.passed = result["passed"]
        self.result = result
        self.ability = result.get("ability")
        self.ability_sd = result.get("ability_sd")
        self.reference_version_id = result.get("reference_version")


def add_report_request(user_id):
    from .outbox import add_report_request as add

    return add(user_id)


class SittingItemQuerySet(models.QuerySet):
    def without_pilots(self):
        """Items that count for the learner: everything but unscored pilot items, which feed
        item statistics only (never a score, mastery, readiness, the review queue, the missed
        list or a report)."""
        return self.filter(is_pilot=False)


class SittingItem(models.Model):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="sitting_items")
    version = models.ForeignKey(
        QuestionVersion,
        on_delete=models.PROTECT,
        related_name="sitting_items",
        help_text="The version this item was assembled with: shown, scored and reviewed.",
    )
    choice_order = models.JSONField(default=list)
    selected = models.JSONField(default=list, blank=True)
    struck = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    scored = models.BooleanField(
        default=True, help_text="False once a regrade dropped the item from scoring."
    )
    is_pilot = models.BooleanField(
        default=False,
        help_text="An unscored pilot item of a mock: feeds item statistics, never the score.",
    )
    unsure = models.BooleanField(
        default=False, help_text="The learner marked the answer as a guess while answering."
    )
    # How many options the question asks for, copied at assembly so a save validates without
    # reading the question tables.
    select_count = models.PositiveSmallIntegerField(default=1)
    # Incremented by every accepted save; a client that sends the revision it last saw cannot
    # overwrite a newer state written by another tab or device.
    revision = models.PositiveIntegerField(default=0)

    objects = SittingItemQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["sitting", "position"], name="unique_item_position")
        ]
        indexes = [models.Index(fields=["question", "is_correct"])]

    def __str__(self):
        return f"{self.sitting_id}#{self.position}"

    @property
    def answered(self):
        return bool(self.selected)

    @property
    def complete(self):
        """As many options selected as the question asks for."""
        return len(self.selected) == self.select_count

    def option_places(self, choice_ids):
        """Choice (VersionChoice) ids -> their 1-based places in this item's shown order."""
        place = {cid: n for n, cid in enumerate(self.choice_order, 1)}
        return [place[cid] for cid in choice_ids if cid in place]

    def choice_ids_at(self, places, field="selected"):
        """1-based places in this item's shown order -> choice ids, for an open timed sitting
        (see `Sitting.names_options_by_place`). Raises InvalidAnswer(field) for a place that
        is not an option of the item (0, negative, past the last option, not a number)."""
        ids = []
        for value in places:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= len(self.choice_order):
                raise InvalidAnswer(
                    f"option {value} is not one of this question's {len(self.choice_order)}",
                    field,
                )
            ids.append(self.choice_order[number - 1])
        return ids

    def public_answer(self):
        """{selected, struck} as the learner's client names options: places while the
        sitting names options by place, choice ids otherwise (`sitting` must be loaded)."""
        if self.sitting.names_options_by_place:
            return {
                "selected": self.option_places(self.selected),
                "struck": self.option_places(self.struck),
            }
        return {"selected": list(self.selected), "struck": list(self.struck)}

    @classmethod
    def save_answer(
        cls,
        sitting_id,
        position,
        *,
        user=None,
        selected=None,
        struck=None,
        flagged=None,
        seconds=0,
        revision=None,
        now=None,
        as_shown=False,
    ):
        """The autosave: save one item's state and return the item (its `sitting` loaded).

        `selected`/`struck` are lists of choice ids (validated against the item's stored
        `choice_order` and `select_count`); with `as_shown` they name options as the learner's
        client does (`question.choices[].id`), i.e. by 1-based place in the shown order while
        the sitting names options by place (an open mock or timed block). `seconds` is added to
        the time spent (capped at an hour), `revision` (optional) is the item revision the
        client last saw. With `user`, only that user's sitting is found. A checked practice
        answer is graded here (is_correct set, `graded_now` true); its follow-ups belong to
        `progress.answers.save_answer`.

        Raises SittingItem.DoesNotExist (no such item, or not the user's), SittingClosed,
        StaleRevision, InvalidAnswer. Queries: 2, plus 1 when the position changes and 1 to
        grade a practice answer. Never reads the question tables otherwise.

        Call it inside `transaction.atomic()` (the row locks need one; Django refuses otherwise):
        the caller's transaction, so a save is one BEGIN..COMMIT with no savepoint round trips.
        """
        now = now or timezone.now()
        item = cls._lock_for_save(sitting_id, position, user)
        sitting = item.sitting
        if not sitting.accepts_answers(now):
            raise SittingClosed()
        # Only a change to the answer (choices, strikes, flag) can be stale, and only such a
        # change moves the revision: time spent and "I am on this question" never make another
        # tab's or device's answer stale.
        answer_change = selected is not None or struck is not None or flagged is not None
        if answer_change and revision is not None and revision != item.revision:
            raise StaleRevision(item)
        before = (list(item.selected), list(item.struck), item.flagged)
        item.graded_now = False
        if as_shown and sitting.names_options_by_place:
            if selected is not None:
                selected = item.choice_ids_at(selected, "selected")
            if struck is not None:
                struck = item.choice_ids_at(struck, "struck")
        choice_ids = set(item.choice_order)
        practice = sitting.gives_feedback  # tutor mode; timed blocks are graded at the end
        if selected is not None:
            selected = list(dict.fromkeys(int(c) for c in selected))
            if not set(selected) <= choice_ids:
                raise InvalidAnswer("a selected choice is not an option of this question")
            if len(selected) > item.select_count:
                raise InvalidAnswer(f"select at most {item.select_count} option(s)")
            if practice and item.answered_at:
                if selected != item.selected:
                    raise InvalidAnswer("this practice question has already been checked")
            elif practice and selected and len(selected) < item.select_count:
                # Tutor mode checks only a complete answer; a partial one is kept unchecked.
                item.selected = selected
            else:
                item.selected = selected
                item.answered_at = now if selected else None
                if practice and selected:
                    right = VersionChoice.objects.filter(
                        version_id=item.version_id, is_correct=True
                    ).values_list("id", flat=True)
                    item.is_correct = grade_item(selected, set(right))
                    item.graded_now = True
        if struck is not None:
            struck = list(dict.fromkeys(int(c) for c in struck))
            if not set(struck) <= choice_ids:
                raise InvalidAnswer("a struck choice is not an option of this question", "struck")
            item.struck = struck
        if flagged is not None:
            item.flagged = bool(flagged)
        if seconds:
            item.time_spent_seconds += max(0, min(int(seconds), 3600))
        if (item.selected, item.struck, item.flagged) != before:
            item.revision += 1
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {cls._meta.db_table} SET selected = %s, struck = %s, flagged = %s,"
                " time_spent_seconds = %s, answered_at = %s, is_correct = %s, revision = %s"
                " WHERE id = %s",
                [
                    json.dumps(item.selected),
                    json.dumps(item.struck),
                    item.flagged,
                    item.time_spent_seconds,
                    connection.ops.adapt_datetimefield_value(item.answered_at),
                    item.is_correct,
                    item.revision,
                    item.pk,
                ],
            )
            # The page banks time on the question it leaves: that save doesn't move the learner.
            moved = answer_change or not seconds
            if moved and sitting.current_position != position:
                sitting.current_position = position
                cursor.execute(
                    f"UPDATE {Sitting._meta.db_table} SET current_position = %s WHERE id = %s",
                    [position, sitting.pk],
                )
        return item

    # The autosave runs often enough that the ORM's query building was a third of its cost
    # (profiled: docs/benchmarks.md), so its two statements are written out.
    _SAVE_ITEM_FIELDS = (
        "id",
        "question_id",
        "version_id",
        "choice_order",
        "selected",
        "struck",
        "flagged",
        "time_spent_seconds",
        "answered_at",
        "is_correct",
        "select_count",
        "revision",
    )
    _SAVE_SITTING_FIELDS = ("user_id", "mode", "status", "deadline", "current_position")

    @classmethod
    def _lock_for_save(cls, sitting_id, position, user=None):
        """The item and the little of its sitting a save checks, both rows locked. One query.
        Ids beyond a 64-bit integer find nothing (SQLite would raise on them)."""
        if not (0 < int(sitting_id) < 2**63 and 0 < int(position) < 2**15):
            raise cls.DoesNotExist("No such item in a sitting of this user.")
        columns = ", ".join(
            [f"i.{f}" for f in cls._SAVE_ITEM_FIELDS] + [f"s.{f}" for f in cls._SAVE_SITTING_FIELDS]
        )
        sql = (
            f"SELECT {columns} FROM {cls._meta.db_table} i"
            f" INNER JOIN {Sitting._meta.db_table} s ON s.id = i.sitting_id"
            " WHERE i.sitting_id = %s AND i.position = %s"
        )
        params = [sitting_id, position]
        if user is not None:
            sql += " AND s.user_id = %s"
            params.append(user.pk)
        if connection.features.has_select_for_update_of:
            # The sitting first: a finish locks the sitting and then writes the items, so the
            # same order cannot deadlock; a save waiting behind a finish (or another save)
            # then reads both rows as committed.
            sql += " FOR UPDATE OF s, i"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise cls.DoesNotExist("No such item in a sitting of this user.")
        values = dict(zip(cls._SAVE_ITEM_FIELDS + cls._SAVE_SITTING_FIELDS, row, strict=True))
        for name in ("choice_order", "selected", "struck"):
            if isinstance(values[name], str):
                values[name] = json.loads(values[name])
        for name in ("answered_at", "deadline"):
            values[name] = _aware(values[name])
        for name in ("flagged", "is_correct"):
            if values[name] is not None:
                values[name] = bool(values[name])
        sitting = Sitting.from_db(
            connection.alias,
            ["id", *cls._SAVE_SITTING_FIELDS],
            [
                sitting_id if f.attname == "id" else values[f.attname]
                for f in Sitting._meta.concrete_fields
                if f.attname == "id" or f.attname in cls._SAVE_SITTING_FIELDS
            ],
        )
        values.update(sitting_id=sitting_id, position=position)
        names = [f.attname for f in cls._meta.concrete_fields if f.attname in values]
        item = cls.from_db(connection.alias, names, [values[n] for n in names])
        item.sitting = sitting
        return item

    def ordered_choices(self):
        """The pinned version's options in this item's shuffled order."""
        by_id = {c.id: c for c in self.version.choices.all()}
        return [by_id[cid] for cid in self.choice_order if cid in by_id]


def _aware(value):
    """A datetime column as the ORM would return it (SQLite hands back text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


class MisconceptionHit(models.Model):
    """A learner picked a wrong option linked to a misconception card (recorded when graded)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    card = models.ForeignKey(
        "domains.MisconceptionCard", on_delete=models.CASCADE, related_name="hits"
    )
    item = models.ForeignKey(
        SittingItem, on_delete=models.CASCADE, related_name="misconception_hits"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "card"], name="one_hit_per_item_and_card")
        ]
        indexes = [models.Index(fields=["user", "card"])]

    def __str__(self):
        return f"{self.user} revealed {self.card_id}"


class WeakDomainReport(models.Model):
    """What to study next, ranked by expected points gained. One per distinct state of the
    learner's answers (`fingerprint`), so building it twice for the same data gives one report."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weak_domain_reports"
    )
    created_at = models.DateTimeField(default=timezone.now)
    fingerprint = models.CharField(max_length=64)
    answers = models.PositiveIntegerField(default=0)
    domains = models.JSONField(default=list)
    tasks = models.JSONField(default=list)
    misconceptions = models.JSONField(default=list)
    readiness = models.JSONField(null=True, blank=True)
    practice_tasks = models.JSONField(default=list)
    miss_advice = models.JSONField(
        default=list,
        blank=True,
        help_text="[{reason, label, count, advice}] from the learner's miss log (test-taking).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="one_report_per_state")
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"Report #{self.pk} for {self.user}"

    def top_actions(self, count=3):
        return self.tasks[:count]


class ReviewItem(models.Model):
    """A question or a misconception card in a learner's review queue, scheduled by FSRS."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_items"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="review_items"
    )
    card = models.ForeignKey(
        "domains.MisconceptionCard",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_items",
    )
    due = models.DateTimeField()
    fsrs_card = models.JSONField(default=dict)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    last_reviewed = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=Q(question__isnull=False),
                name="one_review_per_question",
            ),
            models.UniqueConstraint(
                fields=["user", "card"], condition=Q(card__isnull=False), name="one_review_per_card"
            ),
            models.CheckConstraint(
                condition=Q(question__isnull=False, card__isnull=True)
                | Q(question__isnull=True, card__isnull=False),
                name="review_item_is_question_or_card",
            ),
        ]
        indexes = [models.Index(fields=["user", "due"])]

    def __str__(self):
        what = f"question {self.question_id}" if self.question_id else f"card {self.card_id}"
        return f"Review of {what}"


class QuestionStats(models.Model):
    """Item analysis, computed nightly: how one version of a question performs across learners."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="version_stats")
    version = models.OneToOneField(QuestionVersion, on_delete=models.CASCADE, related_name="stats")
    answered = models.PositiveIntegerField(default=0)
    facility = models.FloatField(
        null=True, blank=True, help_text="Share of answers that were right."
    )
    discrimination = models.FloatField(
        null=True,
        blank=True,
        help_text="Point-biserial correlation of being right with the learner's mock score.",
    )
    learners = models.PositiveIntegerField(
        default=0, help_text="Distinct learners behind `answered` (peer figures need 20)."
    )
    option_pick_rates = models.JSONField(
        default=dict, help_text="{choice id: share of answers picking it}"
    )
    wrong_beats_right = models.BooleanField(
        default=False, help_text="A wrong option is picked more often than a right one."
    )
    median_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Median time learners spent on it (seconds; answers with time recorded).",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "question stats"

    def __str__(self):
        return f"Stats of {self.version}"


class ItemCalibration(models.Model):
    """The two-parameter logistic (2PL) IRT parameters of one question version, fitted nightly.

    P(right | ability θ) = 1 / (1 + exp(-a (θ - b))), θ and b in logits (Birnbaum 1968, in Lord
    & Novick, *Statistical Theories of Mental Test Scores*). Versions an author marked as the same
    item (`QuestionVersion.item_root`) are fitted as one item and each gets the same row.
    """

    class Model(models.TextChoices):
        TWO_PL = "2pl", "2PL"
        RASCH = "rasch", "Rasch (a = 1)"
        PRIOR = "prior", "Author's difficulty tag only"

    version = models.OneToOneField(
        QuestionVersion, on_delete=models.CASCADE, related_name="calibration"
    )
    discrimination = models.FloatField(help_text="a, per logit of ability.")
    difficulty = models.FloatField(help_text="b, in logits.")
    discrimination_se = models.FloatField(null=True, blank=True)
    difficulty_se = models.FloatField(null=True, blank=True)
    responses = models.PositiveIntegerField(
        default=0, help_text="First-exposure mock and pilot answers behind the fit."
    )
    model = models.CharField(max_length=5, choices=Model.choices, default=Model.PRIOR)
    fitted_at = models.DateTimeField(default=timezone.now)
    # The fit's own estimates on the base scale, before the author-tag prior: what the next
    # night's fit is linked to (a prior-shrunk b would pull the scale toward the tags).
    fit_discrimination = models.FloatField(
        null=True, blank=True, help_text="The fit's a on the base scale, before the prior."
    )
    fit_difficulty = models.FloatField(
        null=True, blank=True, help_text="The fit's b on the base scale, before the prior."
    )

    def __str__(self):
        return f"IRT of {self.version}: a={self.discrimination:.2f} b={self.difficulty:.2f}"


class CalibrationRun(models.Model):
    """One nightly (or manual) calibration and how it was put on the base scale.

    The fit puts its learners on N(0, 1), so its θ (and every b) is moved onto the base scale,
    the first calibration's: θ_base = slope × θ_fit + intercept, b_base = slope × b + intercept,
    a_base = a / slope (progress.calibration, "Linking").
    """

    class Linking(models.TextChoices):
        BASE = "base", "Base scale (first calibration)"
        STOCKING_LORD = "stocking_lord", "Stocking–Lord on common items"
        MEAN_SHIFT = "mean_shift", "Mean shift on common items (Rasch)"
        UNLINKED = "unlinked", "Too few common items: not linked"
        NONE = "none", "Nothing fitted"

    fitted_at = models.DateTimeField(default=timezone.now)
    fit_model = models.CharField(max_length=5, blank=True, help_text="2pl, rasch or empty.")
    versions = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    fitted = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    mocks = models.PositiveIntegerField(default=0)
    linking = models.CharField(max_length=13, choices=Linking.choices)
    slope = models.FloatField(default=1.0, help_text="A: θ_base = A θ_fit + B.")
    intercept = models.FloatField(default=0.0, help_text="B, in logits.")
    anchors = models.PositiveIntegerField(
        default=0, help_text="Common items the linking used (fitted in both runs, 50+ answers)."
    )
    anchor_drift = models.FloatField(
        null=True,
        blank=True,
        help_text="Mean |b − previous b| of the anchors after linking, in logits.",
    )
    seconds = models.FloatField(default=0.0)

    def __str__(self):
        return f"Calibration of {self.fitted_at:%Y-%m-%d %H:%M} ({self.get_linking_display()})"


class ReferenceFormVersionQuerySet(models.QuerySet):
    def current(self):
        """The version that scores new mocks (the highest number), or None. One query."""
        return self.order_by("-number").first()


class ReferenceFormVersion(models.Model):
    """A frozen reference form: the items (a, b on the base scale) whose mean P(θ) puts an
    ability on the 100–1000 scale (progress.equating). New mocks are scored by the current
    (latest) version; a version is never edited, and a new one is made only on purpose
    (`manage.py new_reference_form`), so the nightly calibration cannot move where 750 sits.
    """

    number = models.PositiveIntegerField(unique=True, help_text="The version: 1, 2, …")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why this version was made.")
    calibration_run = models.ForeignKey(
        CalibrationRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The calibration its parameters were taken from.",
    )
    items = models.JSONField(
        help_text="[[question version id, a, b], …]: the live versions with a fitted calibration."
    )
    cut_ability = models.FloatField(help_text="The ability (logits) that scores 750 on it.")

    objects = ReferenceFormVersionQuerySet.as_manager()

    def __str__(self):
        return f"Reference form v{self.number} ({len(self.items)} items)"

    @property
    def discrimination(self):
        return tuple(a for _, a, _ in self.items)

    @property
    def difficulty(self):
        return tuple(b for _, _, b in self.items)

    @classmethod
    def create_next(cls, items, cut_ability, number=None, **fields):
        """Store `items` ([(version id, a, b)]) as the next version, or as version `number`
        exactly, and return it. Two authors creating one at the same moment get an
        IntegrityError (the number is unique), not two versions with one number; so does a
        `number` that exists."""
        with transaction.atomic():
            if number is None:
                number = (cls.objects.aggregate(last=models.Max("number"))["last"] or 0) + 1
            return cls.objects.create(
                number=number,
                items=[[int(v), float(a), float(b)] for v, a, b in items],
                cut_ability=cut_ability,
                **fields,
            )


class StudyGroupQuerySet(models.QuerySet):
    def for_member(self, user):
        return self.filter(memberships__user=user)


class StudyGroup(models.Model):
    """Learners who share their progress dashboards with each other, and with nobody else."""

    name = models.CharField(max_length=80)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    join_code = models.CharField(max_length=12, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = StudyGroupQuerySet.as_manager()

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("progress:group", args=[self.pk])

    @staticmethod
    def new_code():
        import secrets

        return secrets.token_urlsafe(6)[:8].upper().replace("-", "X").replace("_", "Y")

    @classmethod
    def create(cls, owner, name):
        with transaction.atomic():
            group = cls.objects.create(owner=owner, name=name, join_code=cls.new_code())
            Membership.objects.create(group=group, user=owner)
        return group

    def rotate_code(self):
        self.join_code = self.new_code()
        self.save(update_fields=["join_code"])


class Membership(models.Model):
    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_membership")]

    def __str__(self):
        return f"{self.user} in {self.group}"


class Regrade(models.Model):
    """A re-scoring of finished sittings that used a flawed version of a question."""

    class Method(models.TextChoices):
        CORRECTED = "corrected", "Score with the corrected key"
        BOTH = "both", "Accept the old and the corrected key"
        DROP = "drop", "Drop the item from scoring"

    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="regrades")
    corrected = models.ForeignKey(
        QuestionVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(
        default=list,
        help_text="[{sitting, user, before, after}] scaled scores before and after, per sitting.",
    )

    def __str__(self):
        return f"Regrade of {self.version} ({self.method})"

    def accepted_keys(self):
        """The option-key sets that count as right for items of `version`; None = dropped."""
        if self.method == self.Method.DROP:
            return None
        corrected = self.corrected.correct_keys()
        if self.method == self.Method.CORRECTED:
            return [corrected]
        return [self.version.correct_keys(), corrected]


class RegradeJob(models.Model):
    """A regrade asked for in the admin, run by a worker (`progress.regrading.run_job`) so it
    never meets the web request's timeout: first its preview (`plan`), then, once the author
    confirms, the apply (`outcome`). Each step goes queued → running → done or failed; a failed
    step keeps everything before it and can be retried."""

    class Step(models.TextChoices):
        PREVIEW = "preview", "Preview"
        APPLY = "apply", "Apply"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class NotReady(Exception):
        """The job can't be applied (its preview isn't done, or is out of date)."""

    # Longer than the task's hard time limit: a job still queued or running after this was lost
    # (its worker killed, the broker down for long) and may be queued again.
    STUCK_AFTER = timedelta(minutes=40)

    version = models.ForeignKey(
        QuestionVersion, on_delete=models.CASCADE, related_name="regrade_jobs"
    )
    corrected = models.ForeignKey(
        QuestionVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(max_length=10, choices=Regrade.Method.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.PREVIEW)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    plan = models.JSONField(
        null=True, blank=True, help_text="The preview: ScoreChange.as_dict() per sitting."
    )
    outcome = models.JSONField(
        null=True, blank=True, help_text="What the apply did: ScoreChange.as_dict() per sitting."
    )
    regrade = models.OneToOneField(
        Regrade, null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    previewed_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["version", "created_at"])]

    def __str__(self):
        return f"Regrade job {self.pk} of {self.version} ({self.method}): {self.step} {self.status}"

    @property
    def pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def is_stuck(self, now=None):
        return self.pending and self.updated_at < (now or timezone.now()) - self.STUCK_AFTER

    def superseded(self):
        """True if `version` was regraded after this preview ran: its before-scores are stale."""
        return Regrade.objects.filter(
            version_id=self.version_id, created_at__gt=self.previewed_at
        ).exists()

    def _set(self, **fields):
        fields["updated_at"] = timezone.now()
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=list(fields))

    def _locked(self):
        return type(self).objects.select_for_update().get(pk=self.pk)

    def queue_apply(self):
        """Preview done → apply queued, once: True if this call queued it, False if the apply
        was queued before (a second click, another tab). Raises RegradeJob.NotReady if the
        preview isn't done or the version was regraded since."""
        # The row lock makes two concurrent clicks queue one apply between them.
        with transaction.atomic():
            job = self._locked()
            if job.step == self.Step.APPLY:
                self.refresh_from_db()
                return False
            if job.status != self.Status.DONE:
                raise self.NotReady("the preview has not finished: wait for it, then apply")
            if job.superseded():
                raise self.NotReady(
                    f"v{self.version.number} was regraded after this preview: preview again"
                )
            job._set(step=self.Step.APPLY, status=self.Status.QUEUED, error="")
        self.refresh_from_db()
        return True

    def queue_retry(self, now=None):
        """Failed (or stuck) → queued again, same step: True if this call queued it."""
        with transaction.atomic():
            job = self._locked()
            if job.status != self.Status.FAILED and not job.is_stuck(now):
                self.refresh_from_db()
                return False
            job._set(status=self.Status.QUEUED, error="")
        self.refresh_from_db()
        return True

    def begin(self):
        """Queued → running. False (nothing to do) if the job is done or failed already: a
        task delivered twice runs once. A job found running was lost by a killed worker (whose
        transaction rolled back) or is being run by another: it may run, under the row lock."""
        with transaction.atomic():
            job = self._locked()
            if not job.pending:
                self.refresh_from_db()
                return False
            job._set(status=self.Status.RUNNING)
        self.refresh_from_db()
        return True

    def record_plan(self, plan, now=None):
        self._set(status=self.Status.DONE, plan=plan, previewed_at=now or timezone.now())

    def record_outcome(self, regrade):
        self._set(
            status=self.Status.DONE,
            regrade=regrade,
            outcome=regrade.changes,
            applied_at=regrade.created_at,
        )

    def record_failure(self, message):
        """Running → failed with `message`; a job another delivery finished stays done."""
        with transaction.atomic():
            job = self._locked()
            if job.pending:
                job._set(status=self.Status.FAILED, error=message)
        self.refresh_from_db()


class Outbox(models.Model):
    """Work owed after a commit (see progress.outbox): written in the same transaction as the
    change that needs it, done and deleted by `progress.outbox.drain`."""

    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "outbox"
        indexes = [models.Index(fields=["available_at"])]

    def __str__(self):
        return f"{self.kind} {self.payload}"


class MissTag(models.Model):
    """Why the learner missed a question (or got it right by luck): the miss log."""

    class Reason(models.TextChoices):
        DIDNT_KNOW = "didnt_know", "Didn't know it"
        MISREAD = "misread", "Misread the scenario"
        REASONING = "reasoning", "Wrong reasoning"
        TIME = "time", "Ran out of time"
        GUESSED = "guessed", "Guessed right"

    # Reasons about how the exam was taken rather than what is known: they get test-taking
    # advice in the weak-domain report, not more content.
    TEST_TAKING = frozenset({Reason.MISREAD, Reason.TIME})

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.OneToOneField(SittingItem, on_delete=models.CASCADE, related_name="miss_tag")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "reason"])]

    def __str__(self):
        return f"{self.item} missed: {self.reason}"


class Note(models.Model):
    """A learner's private markdown note on a question (one per learner and question)."""

    MAX_LENGTH = 10000

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        SittingItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where the note was last edited: the link back.",
    )
    text = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="one_note_per_question")
        ]

    def __str__(self):
        return f"Note of {self.user} on {self.question_id}"
