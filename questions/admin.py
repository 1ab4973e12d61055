from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .models import Choice, ProblemReport, Question, Tag


class ChoiceFormSet(BaseInlineFormSet):
    """Checks the question's rules across all its choices (the model can't see unsaved choices)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        choices = [
            {
                "text": form.cleaned_data.get("text"),
                "is_correct": form.cleaned_data.get("is_correct"),
                "why": form.cleaned_data.get("why"),
                "misconception": form.cleaned_data.get("misconception"),
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = self.instance.problems(choices=choices)
        if problems:
            raise ValidationError(problems)


class ChoiceInline(admin.StackedInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0
    min_num = 4
    fields = ["position", "text", "is_correct", "why", "misconception"]
    autocomplete_fields = ["misconception"]


class ItemAnalysisFilter(admin.SimpleListFilter):
    """Find broken questions from the nightly item statistics."""

    title = "item analysis"
    parameter_name = "analysis"
    MIN_ANSWERS = 20

    def lookups(self, request, model_admin):
        return [
            ("negative", "Negative discrimination"),
            ("easy", "Too easy (over 90 % right)"),
            ("hard", "Too hard (under 25 % right)"),
            ("wrong_beats_right", "A wrong option picked more than the right one"),
            ("unanswered", "Not answered yet"),
        ]

    def queryset(self, request, queryset):
        enough = Q(stats__answered__gte=self.MIN_ANSWERS)
        return {
            "negative": queryset.filter(stats__discrimination__lt=0),
            "easy": queryset.filter(enough, stats__facility__gt=0.9),
            "hard": queryset.filter(enough, stats__facility__lt=0.25),
            "wrong_beats_right": queryset.filter(stats__wrong_beats_right=True),
            "unanswered": queryset.filter(Q(stats__isnull=True) | Q(stats__answered=0)),
        }.get(self.value(), queryset)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "slug",
        "domain_number",
        "task",
        "kind",
        "difficulty",
        "status",
        "open_reports",
        "times_answered",
        "facility",
        "discrimination",
        "updated_at",
    ]
    list_filter = [ItemAnalysisFilter, "domain", "task", "kind", "status", "difficulty", "tags"]
    search_fields = ["slug", "stem", "choices__text"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["created_at", "updated_at", "preview_link", "item_statistics"]
    inlines = [ChoiceInline]
    actions = ["publish", "send_to_review", "retire"]
    list_select_related = ["domain", "task", "stats"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "status",
                    "preview_link",
                    ("domain", "task"),
                    ("kind", "difficulty"),
                    "tags",
                ]
            },
        ),
        ("Content", {"fields": ["stem", "explanation", "references"]}),
        ("Item analysis", {"fields": ["item_statistics"]}),
        ("History", {"fields": ["author", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True))
            )
        )

    @admin.display(description="Domain", ordering="domain__number")
    def domain_number(self, obj):
        return obj.domain.number

    @admin.display(description="Open reports", ordering="open_report_count")
    def open_reports(self, obj):
        return obj.open_report_count

    @admin.display(description="Answered", ordering="stats__answered")
    def times_answered(self, obj):
        return getattr(getattr(obj, "stats", None), "answered", 0)

    @admin.display(description="Facility", ordering="stats__facility")
    def facility(self, obj):
        stats = getattr(obj, "stats", None)
        return "-" if stats is None or stats.facility is None else f"{stats.facility:.0%}"

    @admin.display(description="Discrimination", ordering="stats__discrimination")
    def discrimination(self, obj):
        stats = getattr(obj, "stats", None)
        return (
            "-" if stats is None or stats.discrimination is None else f"{stats.discrimination:+.2f}"
        )

    @admin.display(description="Statistics (nightly)")
    def item_statistics(self, obj):
        stats = getattr(obj, "stats", None) if obj.pk else None
        if stats is None:
            return "No answers analysed yet."
        rows = format_html_join(
            "",
            "<li>{} {}: picked by {}</li>",
            (
                (
                    "✔" if c.is_correct else "✘",
                    c.text[:80],
                    f"{stats.option_pick_rates.get(str(c.id), 0):.0%}",
                )
                for c in obj.choices.all()
            ),
        )
        return format_html(
            "<p>{} answers · facility {} · discrimination {}</p><ul>{}</ul>",
            stats.answered,
            self.facility(obj),
            self.discrimination(obj),
            rows,
        )

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save first."
        url = reverse("admin:questions_question_preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview as learner</a>', url
        )

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="questions_question_preview",
            ),
        ] + super().get_urls()

    def preview_view(self, request, pk):
        question = get_object_or_404(Question.objects.with_choices(), pk=pk)
        # The preview reveals answers: only for staff who may view or change questions.
        if not self.has_view_or_change_permission(request, question):
            raise PermissionDenied
        reveal = request.GET.get("reveal") == "1"
        return render(
            request,
            "questions/preview.html",
            {
                "question": question,
                "choices": list(question.choices.all()),
                "reveal": reveal,
                "opts": self.model._meta,
                "title": f"Preview: {question.slug}",
            },
        )

    @admin.action(description="Publish selected questions (only those that validate)")
    def publish(self, request, queryset):
        done, failed = 0, []
        for question in queryset.prefetch_related("choices").select_related(
            "domain", "task__domain"
        ):
            problems = question.problems(status=Question.Status.PUBLISHED)
            if problems:
                failed.append(f"{question.slug}: {'; '.join(problems)}")
                continue
            question.status = Question.Status.PUBLISHED
            question.save(update_fields=["status", "updated_at"])
            done += 1
        self.message_user(request, f"Published {done} question(s).", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, f"Not published: {failure}", messages.ERROR)

    @admin.action(description="Send selected questions to review")
    def send_to_review(self, request, queryset):
        count = queryset.update(status=Question.Status.IN_REVIEW, updated_at=timezone.now())
        self.message_user(request, f"Sent {count} question(s) to review.")

    @admin.action(description="Retire selected questions (kept for past attempts)")
    def retire(self, request, queryset):
        count = queryset.update(status=Question.Status.RETIRED, updated_at=timezone.now())
        self.message_user(request, f"Retired {count} question(s).")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    list_display = [
        "question_link",
        "reason",
        "reporter",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter), "reason"]
    search_fields = ["question__slug", "text"]
    readonly_fields = [
        "question",
        "reporter",
        "reason",
        "text",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]
    fields = readonly_fields + ["resolution"]
    actions = ["mark_resolved"]
    list_select_related = ["question", "reporter", "resolved_by"]

    @admin.display(description="Question", ordering="question__slug")
    def question_link(self, obj):
        url = reverse("admin:questions_question_change", args=[obj.question_id])
        return format_html('<a href="{}">{}</a>', url, obj.question.slug)

    @admin.action(description="Mark selected reports resolved")
    def mark_resolved(self, request, queryset):
        count = 0
        for report in queryset.filter(resolved_at__isnull=True):
            report.resolve(request.user)
            count += 1
        self.message_user(request, f"Resolved {count} report(s).")

    def save_model(self, request, obj, form, change):
        if obj.resolution and obj.resolved_at is None:
            obj.resolved_at = timezone.now()
            obj.resolved_by = request.user
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        return False
