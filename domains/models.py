from django.db import models
from django.urls import reverse


class DomainQuerySet(models.QuerySet):
    def with_tasks(self):
        return self.prefetch_related(
            models.Prefetch("task_statements", queryset=TaskStatement.objects.order_by("number"))
        )


class Domain(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    weight_percent = models.PositiveSmallIntegerField()

    objects = DomainQuerySet.as_manager()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"Domain {self.number}: {self.name}"

    def get_absolute_url(self):
        return reverse("domains:domain", args=[self.slug])


class TaskStatementQuerySet(models.QuerySet):
    def by_number(self):
        return {task.number: task for task in self.select_related("domain")}


class TaskStatement(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="task_statements")
    number = models.CharField(max_length=8, unique=True, help_text='e.g. "1.4"')
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True, help_text="Topic study note (markdown).")
    references = models.JSONField(default=list, blank=True)
    source_hash = models.CharField(max_length=32, blank=True, editable=False)

    objects = TaskStatementQuerySet.as_manager()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("domains:topic", args=[self.domain.slug, self.number])


class MisconceptionCard(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="misconceptions")
    task_statements = models.ManyToManyField(
        TaskStatement, blank=True, related_name="misconceptions"
    )
    belief = models.CharField(max_length=300, help_text="The wrong idea, in one sentence.")
    correction = models.TextField(help_text="What is actually true (markdown).")
    references = models.JSONField(default=list, blank=True)
    source_hash = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["domain__number", "slug"]

    def __str__(self):
        return self.belief

    def get_absolute_url(self):
        return reverse("domains:misconception", args=[self.slug])
