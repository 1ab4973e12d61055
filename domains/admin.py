from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join

from .models import Domain, MisconceptionCard, TaskStatement


class TaskStatementInline(admin.TabularInline):
    model = TaskStatement
    fields = ["number", "title"]
    extra = 0


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "weight_percent"]
    inlines = [TaskStatementInline]


@admin.register(TaskStatement)
class TaskStatementAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "domain"]
    list_filter = ["domain"]
    search_fields = ["number", "title", "notes"]


@admin.register(MisconceptionCard)
class MisconceptionCardAdmin(admin.ModelAdmin):
    list_display = ["slug", "belief", "domain"]
    list_filter = ["domain", "task_statements"]
    search_fields = ["slug", "belief", "correction"]
    filter_horizontal = ["task_statements"]
    readonly_fields = ["linked_questions"]

    @admin.display(description="Questions whose options link this card")
    def linked_questions(self, obj):
        if not obj.pk:
            return "-"
        questions = {c.question for c in obj.choices.select_related("question")}
        if not questions:
            return "None yet."
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:questions_question_change", args=[q.pk]), q.slug)
                for q in sorted(questions, key=lambda q: q.slug)
            ),
        )
