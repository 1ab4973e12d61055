from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from domains.models import Domain, MisconceptionCard, TaskStatement

from .validation import MULTIPLE, SINGLE, question_problems

NUMBER_WORDS = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}


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
        RETIRED = "retired", "Retired"

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

    objects = QuestionQuerySet.as_manager()

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
        if self.kind == SINGLE:
            return "Choose ONE."
        count = self.select_count
        return f"Choose {NUMBER_WORDS.get(count, count)}."

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
            publishing=status == self.Status.PUBLISHED,
        )

    def check_publishable(self):
        problems = self.problems(status=self.Status.PUBLISHED)
        if problems:
            raise ValidationError(problems)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
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
            models.UniqueConstraint(fields=["question", "position"], name="unique_choice_position")
        ]

    def __str__(self):
        return self.text[:60]


class ProblemReport(models.Model):
    class Reason(models.TextChoices):
        WRONG_ANSWER = "wrong_answer", "The answer key is wrong"
        UNCLEAR = "unclear", "Unclear or ambiguous"
        OUTDATED = "outdated", "Outdated"
        TYPO = "typo", "Typo"
        OTHER = "other", "Something else"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    text = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_reason_display()} on {self.question}"

    def resolve(self, user, note=""):
        self.resolved_at = timezone.now()
        self.resolved_by = user
        self.resolution = note
        self.save(update_fields=["resolved_at", "resolved_by", "resolution"])

    def get_absolute_url(self):
        return reverse("admin:questions_problemreport_change", args=[self.pk])
