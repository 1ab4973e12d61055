import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from domains.models import Domain, MisconceptionCard, TaskStatement

from .validation import MULTIPLE, SINGLE, question_problems

NUMBER_WORDS = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}


def choose_label(kind, select_count):
    if kind == SINGLE:
        return "Choose ONE."
    return f"Choose {NUMBER_WORDS.get(select_count, select_count)}."


def normalise_text(text):
    """Text as a learner sees it, for comparing versions: line endings, trailing spaces and
    surrounding blank lines don't count; everything else (including markdown) does."""
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def content_hash(kind, stem, choices):
    """SHA-256 of what a learner sees and how it is scored: kind, stem, and each option's key,
    text and correctness (sorted by key, so reordering options changes nothing)."""
    data = {
        "kind": kind,
        "stem": normalise_text(stem),
        "choices": sorted(
            [str(c["key"]), normalise_text(c["text"]), bool(c["is_correct"])] for c in choices
        ),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class Tag(models.Model):
    """An AWS service name, normalised by slug ("CodeDeploy" and "codedeploy" are one tag)."""

    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def normalise(cls, names):
        """Tags for `names`, created as needed; one query to read, one to create."""
        wanted = {}
        for name in names:
            name = " ".join(str(name).split())
            if name:
                wanted.setdefault(slugify(name), name)
        existing = {tag.slug: tag for tag in cls.objects.filter(slug__in=wanted)}
        new = [cls(slug=slug, name=name) for slug, name in wanted.items() if slug not in existing]
        if new:
            cls.objects.bulk_create(new, ignore_conflicts=True)
            existing = {tag.slug: tag for tag in cls.objects.filter(slug__in=wanted)}
        return [existing[slug] for slug in wanted]


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Question.Status.PUBLISHED)

    def live(self):
        """Questions a learner may be given now: published, with a current version."""
        return self.published().filter(current_version__isnull=False)

    def pilots(self):
        """Pilot questions a mock may carry as unscored items: status pilot, with a current
        version (import and the admin create one whatever the status)."""
        return self.filter(status=Question.Status.PILOT, current_version__isnull=False)

    def for_domain(self, number):
        return self.filter(domain__number=number)

    def with_choices(self):
        return self.select_related("domain", "task").prefetch_related(
            models.Prefetch("choices", queryset=Choice.objects.order_by("position"))
        )


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = SINGLE, "Single response"
        MULTIPLE = MULTIPLE, "Multiple response"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        # Shown in mocks as an unscored item to gather statistics before it counts.
        PILOT = "pilot", "Pilot"
        RETIRED = "retired", "Retired"

    # Statuses learners see (a pilot's explanation is shown after the mock): held to the
    # publishing rules.
    LEARNER_FACING = (Status.PUBLISHED, Status.PILOT)

    slug = models.SlugField(max_length=120, unique=True)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="questions")
    task = models.ForeignKey(TaskStatement, on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    difficulty = models.PositiveSmallIntegerField(
        choices=[(1, "1 - easier"), (2, "2 - medium"), (3, "3 - hard")], default=2
    )
    stem = models.TextField(help_text="The scenario and question (markdown).")
    explanation = models.TextField(blank=True, help_text="Overall explanation (markdown).")
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    enemies = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text="Questions that test the same decision or give this one away: never in the "
        "same mock or practice set.",
    )
    references = models.JSONField(default=list, blank=True, help_text="AWS documentation URLs.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    source_hash = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Fingerprint of the YAML last imported, to tell admin edits from it.",
    )
    from_bank = models.BooleanField(
        default=False, editable=False, help_text="Came from the YAML bank (import_bank)."
    )
    source_file = models.CharField(
        max_length=300, blank=True, editable=False, help_text="Its YAML file inside the bank."
    )
    constraints = models.JSONField(
        default=list, blank=True, help_text="The deciding constraints the stem states."
    )
    verified = models.DateField(
        null=True, blank=True, help_text="When a reviewer last verified it blind against AWS docs."
    )
    current_version = models.ForeignKey(
        "QuestionVersion",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The version new sittings are given.",
    )

    objects = QuestionQuerySet.as_manager()
    # Who changed what and when, field by field (status, explanation, references ...): the
    # audit trail. What learners answered is pinned by QuestionVersion, not by this.
    history = HistoricalRecords(excluded_fields=["updated_at", "source_hash"])

    class Meta:
        indexes = [models.Index(fields=["status", "domain", "task"])]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return self.task.get_absolute_url()

    @property
    def select_count(self):
        if self.kind == SINGLE:
            return 1
        return sum(1 for choice in self.choices.all() if choice.is_correct)

    @property
    def choose_label(self):
        return choose_label(self.kind, self.select_count)

    def learner_hash(self):
        """content_hash of the saved authoring copy (stem and choices)."""
        return content_hash(
            self.kind,
            self.stem,
            [
                {"key": c.key, "text": c.text, "is_correct": c.is_correct}
                for c in self.choices.all()
            ],
        )

    def sync_version(self, user=None, same_item=False, note=""):
        """Make the current version match the saved stem and choices. Returns (version, created).

        A change to what a learner sees or how it is scored (kind, stem, an option's text or
        correctness, the set of option keys) creates version n+1; anything else (why texts,
        misconception links, option order) is updated in place on the current version, so
        importing unchanged content never creates a version. `same_item` keeps the new version in
        the previous one's item (its statistics continue) when only wording changed: same option
        keys and the same correct keys. Raises ValidationError for `same_item` otherwise.
        """
        choices = list(self.choices.all())
        digest = self.learner_hash()
        current = self.current_version
        with transaction.atomic():
            if current is not None and current.content_hash == digest:
                current.refresh_explanations(choices)
                return current, False
            if same_item and (current is None or not current.same_decision(choices, self.kind)):
                raise ValidationError(
                    "Only a wording change (same option keys, same correct options) can be "
                    "marked as the same item."
                )
            number = (current.number if current else 0) + 1
            version = QuestionVersion.objects.create(
                question=self,
                number=number,
                kind=self.kind,
                stem=self.stem,
                select_count=self.select_count,
                content_hash=digest,
                created_by=user if user and user.pk else None,
                note=note,
            )
            version.item_root = current.item_root if same_item else version
            version.save(update_fields=["item_root"])
            VersionChoice.objects.bulk_create(
                [
                    VersionChoice(
                        version=version,
                        key=c.key,
                        position=c.position,
                        text=c.text,
                        is_correct=c.is_correct,
                        why=c.why,
                        misconception_id=c.misconception_id,
                    )
                    for c in choices
                ]
            )
            self.current_version = version
            Question.objects.filter(pk=self.pk).update(current_version=version)
        return version, True

    def correct_choice_ids(self):
        return {choice.id for choice in self.choices.all() if choice.is_correct}

    def problems(self, choices=None, status=None):
        """Validation problems of this question with `choices` (defaults to the saved ones)."""
        if choices is None:
            choices = [
                {
                    "text": c.text,
                    "is_correct": c.is_correct,
                    "why": c.why,
                    "misconception": c.misconception_id,
                }
                for c in self.choices.all()
            ]
        status = status or self.status
        return question_problems(
            kind=self.kind,
            domain_number=self.domain.number if self.domain_id else None,
            task_domain_number=self.task.domain.number if self.task_id else None,
            choices=choices,
            references=self.references,
            publishing=status in self.LEARNER_FACING,
        )

    def check_publishable(self):
        problems = self.problems(status=self.Status.PUBLISHED)
        if problems:
            raise ValidationError(problems)


class Choice(models.Model):
    """An option of the authoring copy of a question. What learners answer is its snapshot in a
    QuestionVersion (VersionChoice), matched across versions by `key`."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(
        max_length=8,
        blank=True,
        help_text="Stable option key (a, b, c ...); reordering keeps it. Blank: the next free one.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    is_correct = models.BooleanField(default=False)
    why = models.TextField(help_text="Why this option is right or wrong (markdown).")
    misconception = models.ForeignKey(
        MisconceptionCard,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="choices",
        help_text="The wrong belief that picking this option reveals.",
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="unique_choice_position"),
            models.UniqueConstraint(fields=["question", "key"], name="unique_choice_key"),
        ]

    def __str__(self):
        return self.text[:60]


class QuestionVersion(models.Model):
    """What learners were shown and how it was scored, frozen: a sitting item pins one.

    Statistics are kept per version; versions an author marked as the same item (a wording
    change) share `item_root`, so their statistics can be pooled.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    stem = models.TextField()
    select_count = models.PositiveSmallIntegerField()
    content_hash = models.CharField(max_length=64)
    item_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.question.slug} v{self.number}"

    @property
    def choose_label(self):
        return choose_label(self.kind, self.select_count)

    def correct_choice_ids(self):
        return {choice.id for choice in self.choices.all() if choice.is_correct}

    def correct_keys(self):
        return {choice.key for choice in self.choices.all() if choice.is_correct}

    def same_decision(self, choices, kind):
        """True if `choices` (authoring Choice rows) have this version's keys and key."""
        return (
            kind == self.kind
            and {c.key for c in choices} == {c.key for c in self.choices.all()}
            and {c.key for c in choices if c.is_correct} == self.correct_keys()
        )

    def refresh_explanations(self, choices):
        """Copy why texts, misconception links and order from the authoring choices, in place."""
        by_key = {c.key: c for c in choices}
        changed = []
        for vc in self.choices.all():
            source = by_key.get(vc.key)
            if source is None:
                continue
            new = (source.why, source.misconception_id, source.position)
            if (vc.why, vc.misconception_id, vc.position) != new:
                vc.why, vc.misconception_id, vc.position = new
                changed.append(vc)
        if changed:
            VersionChoice.objects.bulk_update(changed, ["why", "misconception", "position"])


class VersionChoice(models.Model):
    """An option as a version shows it. Sitting items refer to these ids."""

    version = models.ForeignKey(QuestionVersion, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(max_length=8)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    is_correct = models.BooleanField(default=False)
    why = models.TextField()
    misconception = models.ForeignKey(
        MisconceptionCard,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="version_choices",
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_version_choice_key")
        ]

    def __str__(self):
        return self.text[:60]


class ProblemReportQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(status__in=[ProblemReport.Status.OPEN, ProblemReport.Status.IN_REVIEW])

    def answered_unseen(self, user):
        """The learner's reports an author resolved that the learner hasn't looked at yet."""
        return self.filter(
            reporter=user,
            status__in=[ProblemReport.Status.FIXED, ProblemReport.Status.DECLINED],
            seen_at__isnull=True,
        )


class ProblemReport(models.Model):
    """A learner's report of a problem with a question: a queue for authors, and a reply the
    learner sees on "My reports" (with a notice until they have read it)."""

    class Reason(models.TextChoices):
        WRONG_ANSWER = "wrong_answer", "The answer key is wrong"
        UNCLEAR = "unclear", "Unclear or ambiguous"
        OUTDATED = "outdated", "Outdated"
        TYPO = "typo", "Typo"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_REVIEW = "in_review", "In review"
        FIXED = "fixed", "Fixed"
        DECLINED = "declined", "Declined"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    version = models.ForeignKey(
        "QuestionVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="The version the learner saw.",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(
        "reply to the learner", blank=True, help_text="Shown to the learner on My reports."
    )
    seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the learner first saw the resolution."
    )

    objects = ProblemReportQuerySet.as_manager()
    # A deleted report (an account deletion) takes its history with it: it is personal data.
    history = HistoricalRecords(excluded_fields=["seen_at"], cascade_delete_history=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["reporter", "status"])]

    def __str__(self):
        return f"{self.get_reason_display()} on {self.question}"

    @property
    def is_resolved(self):
        return self.status in (self.Status.FIXED, self.Status.DECLINED)

    def resolve(self, user, status=Status.FIXED, note=""):
        """Close the report as fixed or declined with a reply; the learner is notified."""
        if status not in (self.Status.FIXED, self.Status.DECLINED):
            raise ValueError("a report is resolved as fixed or declined")
        self.status = status
        self.resolved_at = timezone.now()
        self.resolved_by = user
        if note:
            self.resolution = note
        self.seen_at = None
        self.save(update_fields=["status", "resolved_at", "resolved_by", "resolution", "seen_at"])

    def get_absolute_url(self):
        return reverse("admin:questions_problemreport_change", args=[self.pk])
