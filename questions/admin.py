import difflib
import string

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from .models import Choice, ProblemReport, Question, Tag, VersionChoice
from .publishing import READY_TO_PUBLISH, pilot_shortfalls


def _small_number(text, digits=6):
    """A version number from a query string: ASCII digits only ('²'.isdigit() is true)."""
    return text.isascii() and text.isdigit() and len(text) <= digits


def _int_or_none(text):
    return int(text) if _small_number(text) else None


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
    fields = ["key", "position", "text", "is_correct", "why", "misconception"]
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
            ("reported", "Reported by learners (open reports): the review queue"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "reported":
            return queryset.filter(open_report_count__gt=0)
        stats = "current_version__stats__"
        enough = Q(**{stats + "answered__gte": self.MIN_ANSWERS})
        return {
            "negative": queryset.filter(**{stats + "discrimination__lt": 0}),
            "easy": queryset.filter(enough, **{stats + "facility__gt": 0.9}),
            "hard": queryset.filter(enough, **{stats + "facility__lt": 0.25}),
            "wrong_beats_right": queryset.filter(**{stats + "wrong_beats_right": True}),
            "unanswered": queryset.filter(
                Q(current_version__stats__isnull=True) | Q(**{stats + "answered": 0})
            ),
        }.get(self.value(), queryset)


class PilotFilter(admin.SimpleListFilter):
    """Pilot questions the statistics propose for publishing (questions.publishing)."""

    title = "pilot"
    parameter_name = "pilot"

    def lookups(self, request, model_admin):
        return [("ready", "Ready to publish"), ("not_yet", "Still gathering answers")]

    def queryset(self, request, queryset):
        if self.value() == "ready":
            return queryset.filter(READY_TO_PUBLISH)
        if self.value() == "not_yet":
            return queryset.filter(status=Question.Status.PILOT).exclude(READY_TO_PUBLISH)
        return queryset


class QuestionAdminForm(forms.ModelForm):
    same_item = forms.BooleanField(
        required=False,
        label="Wording-only edit (same item)",
        help_text="Same options and same key, only reworded: the new version keeps the previous "
        "one's statistics. Refused if the options or the key changed.",
    )
    version_note = forms.CharField(
        required=False, max_length=300, help_text="Why this version (shown in its history)."
    )


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
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
        "median_time",
        "ready_to_publish",
        "updated_at",
    ]
    list_filter = [
        ItemAnalysisFilter,
        PilotFilter,
        "domain",
        "task",
        "kind",
        "status",
        "difficulty",
        "tags",
    ]
    search_fields = ["slug", "stem", "choices__text"]
    autocomplete_fields = ["tags"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "preview_link",
        "learner_reports",
        "item_statistics",
    ]
    inlines = [ChoiceInline]
    actions = ["publish", "publish_pilots", "send_to_review", "retire", "regrade"]
    form = QuestionAdminForm
    list_select_related = ["domain", "task", "current_version__stats"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "status",
                    "preview_link",
                    "learner_reports",
                    ("domain", "task"),
                    ("kind", "difficulty"),
                    "tags",
                ]
            },
        ),
        ("Content", {"fields": ["stem", "explanation", "references", "constraints", "verified"]}),
        ("New version", {"fields": ["same_item", "version_note"]}),
        ("Versions and item analysis", {"fields": ["item_statistics"]}),
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

    @staticmethod
    def _stats(obj):
        version = obj.current_version
        return getattr(version, "stats", None) if version else None

    @admin.display(description="Answered", ordering="current_version__stats__answered")
    def times_answered(self, obj):
        return getattr(self._stats(obj), "answered", 0)

    @admin.display(description="Facility", ordering="current_version__stats__facility")
    def facility(self, obj, stats=None):
        stats = stats or self._stats(obj)
        return "-" if stats is None or stats.facility is None else f"{stats.facility:.0%}"

    @admin.display(description="Discrimination", ordering="current_version__stats__discrimination")
    def discrimination(self, obj, stats=None):
        stats = stats or self._stats(obj)
        return (
            "-" if stats is None or stats.discrimination is None else f"{stats.discrimination:+.2f}"
        )

    @admin.display(description="Median time", ordering="current_version__stats__median_seconds")
    def median_time(self, obj, stats=None):
        stats = stats or self._stats(obj)
        seconds = getattr(stats, "median_seconds", None)
        return "-" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"

    @admin.display(description="Ready to publish")
    def ready_to_publish(self, obj):
        """Pilots only: ✔ when the statistics meet questions.publishing's rule, else why not."""
        if obj.status != Question.Status.PILOT:
            return ""
        shortfalls = pilot_shortfalls(self._stats(obj))
        return "✔ yes" if not shortfalls else "no: " + "; ".join(shortfalls)

    @admin.display(description="Versions (newest first) and their nightly statistics")
    def item_statistics(self, obj):
        if not obj.pk:
            return "Save first."
        versions = list(
            obj.versions.select_related("stats", "created_by", "calibration")
            .prefetch_related("choices")
            .order_by("-number")
        )
        if not versions:
            return "No version yet."
        blocks = []
        for index, version in enumerate(versions):
            stats = getattr(version, "stats", None)
            rows = format_html_join(
                "",
                "<li>{} [{}] {}: picked by {}</li>",
                (
                    (
                        "✔" if c.is_correct else "✘",
                        c.key,
                        c.text[:90],
                        f"{stats.option_pick_rates.get(str(c.id), 0):.0%}" if stats else "-",
                    )
                    for c in version.choices.all()
                ),
            )
            summary = (
                format_html(
                    "{} answers · facility {} · discrimination {} · median time {}",
                    stats.answered,
                    self.facility(obj, stats),
                    self.discrimination(obj, stats),
                    self.median_time(obj, stats),
                )
                if stats
                else "no answers analysed yet"
            )
            older = versions[index + 1] if index + 1 < len(versions) else None
            blocks.append(
                format_html(
                    "<h4>Version {}{} · {} · {}{}</h4><p>{}</p>{}<ul>{}</ul>{}",
                    version.number,
                    " (current)" if version.pk == obj.current_version_id else "",
                    version.created_at.strftime("%Y-%m-%d %H:%M"),
                    version.created_by or "import",
                    (
                        f" · same item as v{version.item_root.number}"
                        if version.item_root_id and version.item_root_id != version.pk
                        else ""
                    ),
                    summary,
                    self._calibration(version),
                    rows,
                    self._diff(older, version),
                )
            )
        return format_html_join("", "{}", ((b,) for b in blocks))

    @staticmethod
    def _calibration(version):
        """The version's nightly IRT parameters (progress.calibration) and information curve."""
        from progress.charts import information_curve_svg

        cal = getattr(version, "calibration", None)
        if cal is None:
            return mark_safe("<p>IRT: not calibrated yet (nightly).</p>")

        def se(value):
            return "fixed" if value is None else f"{value:.2f}"

        return format_html(
            "<p>IRT ({}, {} first-exposure answers, {}): discrimination a = {} (SE {}) · "
            "difficulty b = {} logits (SE {})</p>{}",
            cal.get_model_display(),
            cal.responses,
            cal.fitted_at.strftime("%Y-%m-%d %H:%M"),
            f"{cal.discrimination:.2f}",
            se(cal.discrimination_se),
            f"{cal.difficulty:+.2f}",
            se(cal.difficulty_se),
            information_curve_svg(cal.discrimination, cal.difficulty),
        )

    @staticmethod
    def _lines(version):
        lines = [f"kind: {version.kind}", *version.stem.splitlines(), ""]
        for c in sorted(version.choices.all(), key=lambda c: c.key):
            lines.append(f"[{c.key}]{' (correct)' if c.is_correct else ''} {c.text}")
        return lines

    def _diff(self, older, newer):
        if older is None:
            return ""
        diff = difflib.unified_diff(
            self._lines(older),
            self._lines(newer),
            f"v{older.number}",
            f"v{newer.number}",
            lineterm="",
        )
        return format_html(
            "<details><summary>Changes from v{}</summary><pre>{}</pre></details>",
            older.number,
            "\n".join(diff),
        )

    @admin.display(description="Learners' reports")
    def learner_reports(self, obj):
        if not obj.pk:
            return "-"
        reports = list(
            obj.reports.unresolved().select_related("version", "reporter").order_by("created_at")
        )
        if not reports:
            return "No open reports."
        return format_html_join(
            "",
            '<p><a href="{}">{} · {}</a> on v{}: {}</p>',
            (
                (
                    reverse("admin:questions_problemreport_change", args=[r.pk]),
                    r.get_reason_display(),
                    r.get_status_display(),
                    r.version.number if r.version else "?",
                    r.text or "(no details)",
                )
                for r in reports
            ),
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

    def save_formset(self, request, form, formset, change):
        if formset.model is not Choice:
            return super().save_formset(request, form, formset, change)
        choices = formset.save(commit=False)
        for choice in formset.deleted_objects:
            choice.delete()
        # A key once used by any version stays that option's: never hand it to a new option.
        used = {c.key for c in form.instance.choices.all() if c.key}
        used |= set(
            VersionChoice.objects.filter(version__question=form.instance).values_list(
                "key", flat=True
            )
        )
        used |= {c.key for c in choices if c.key}
        free = (letter for letter in string.ascii_lowercase if letter not in used)
        for choice in choices:
            if not choice.key:
                choice.key = next(free)
            choice.save()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = Question.objects.prefetch_related("choices").get(pk=form.instance.pk)
        # Same rule as import: a learner-visible change is a new version; sittings keep theirs.
        note = form.cleaned_data.get("version_note", "")
        try:
            version, created = question.sync_version(
                user=request.user, same_item=form.cleaned_data.get("same_item", False), note=note
            )
        except ValidationError as exc:
            version, created = question.sync_version(user=request.user, note=note)
            self.message_user(
                request, f"Not kept as the same item: {' '.join(exc.messages)}", messages.WARNING
            )
        if created and version.number > 1:
            previous = question.versions.get(number=version.number - 1)
            key_changed = previous.correct_keys() != version.correct_keys()
            url = reverse("admin:questions_question_regrade", args=[question.pk])
            self.message_user(
                request,
                format_html(
                    "Saved as version {}: sittings already given version {} keep it.{}",
                    version.number,
                    previous.number,
                    format_html(
                        ' The key changed: <a href="{}?flawed={}">regrade the finished '
                        "sittings of version {}</a>.",
                        url,
                        previous.number,
                        previous.number,
                    )
                    if key_changed
                    else "",
                ),
                messages.WARNING if key_changed else messages.INFO,
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="questions_question_preview",
            ),
            path(
                "<int:pk>/regrade/",
                self.admin_site.admin_view(self.regrade_view),
                name="questions_question_regrade",
            ),
        ] + super().get_urls()

    def regrade_view(self, request, pk):
        """Preview (dry run) and apply a regrade of finished sittings that used a version, each
        run by a worker as a RegradeJob (progress.regrading), never inside this request.

        Needs the change permission on questions. GET shows the form (preset by ?flawed=N);
        POST queues a preview (action=preview, the default), applies a finished preview
        (action=apply, job=ID; once, however often it is posted) or retries a failed step
        (action=retry, job=ID), then redirects to ?job=ID. That page refreshes itself while the
        job is queued or running, then shows the plan or the outcome: a fixed number of
        queries, however many sittings the job covers."""
        from progress import regrading
        from progress.models import Regrade, RegradeJob

        question = get_object_or_404(Question, pk=pk)
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        url = reverse("admin:questions_question_regrade", args=[question.pk])
        versions = list(question.versions.annotate(item_count=Count("sitting_items")))
        versions.sort(key=lambda v: v.number)
        params = request.POST if request.method == "POST" else request.GET
        job = None
        if _small_number(params.get("job", ""), digits=12):
            job = get_object_or_404(
                RegradeJob.objects.select_related("version", "corrected", "requested_by"),
                pk=int(params["job"]),
                version__question=question,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "question": question,
            "versions": versions,
            "methods": Regrade.Method.choices,
            "title": f"Regrade: {question.slug}",
            "job": job,
            "past": Regrade.objects.filter(version__question=question).select_related(
                "version", "corrected", "created_by"
            ),
            "jobs": RegradeJob.objects.filter(version__question=question)
            .select_related("version", "corrected", "requested_by")
            .order_by("-created_at", "-pk")[:10],
        }
        try:
            if request.method == "POST":
                action = request.POST.get("action", "preview")
                if action in ("apply", "retry") and job is None:
                    raise regrading.RegradeError("choose the preview to apply")
                if action == "apply":
                    if not regrading.request_apply(job):
                        self.message_user(
                            request,
                            "This regrade was applied (or queued) before: nothing was done twice.",
                            messages.WARNING,
                        )
                elif action == "retry":
                    regrading.request_retry(job)
                else:
                    flawed, method, corrected = self._regrade_request(question, versions, params)
                    job = regrading.request_preview(flawed, method, corrected, user=request.user)
                return redirect(f"{url}?job={job.pk}")
        except regrading.RegradeError as exc:
            context["error"] = str(exc)
        if job is not None:
            context.update(self._regrade_job_context(job))
        else:
            context.update(
                flawed_number=_int_or_none(params.get("flawed", "")),
                method=params.get("method", ""),
                corrected_number=_int_or_none(params.get("corrected", "")),
            )
        return render(request, "admin/questions/regrade.html", context)

    @staticmethod
    def _regrade_request(question, versions, params):
        """(flawed, method, corrected) versions from the form; RegradeError if incomplete."""
        from progress.models import Regrade
        from progress.regrading import RegradeError

        by_number = {v.number: v for v in versions}
        flawed = by_number.get(_int_or_none(params.get("flawed", "")))
        method = params.get("method", "")
        if flawed is None:
            raise RegradeError("choose the flawed version")
        corrected_number = _int_or_none(params.get("corrected", ""))
        corrected = by_number.get(
            corrected_number
            if corrected_number is not None
            else next((v.number for v in versions if v.pk == question.current_version_id), None)
        )
        if method == Regrade.Method.DROP:
            corrected = None
        return flawed, method, corrected

    @staticmethod
    def _regrade_job_context(job):
        """What the page shows of `job`: its state, and the plan or outcome as table rows."""
        from progress.models import RegradeJob

        applying = job.step == RegradeJob.Step.APPLY
        shown = job.outcome if applying and job.status == RegradeJob.Status.DONE else job.plan
        rows = [{**c, "delta": c["after"] - c["before"]} for c in shown or []]
        return {
            "flawed_number": job.version.number,
            "method": job.method,
            "corrected_number": job.corrected.number if job.corrected else None,
            "applying": applying,
            "rows": rows if job.plan is not None else None,
            "changed": sum(1 for r in rows if r["delta"]),
            "refresh": job.pending,
            "can_retry": job.status == RegradeJob.Status.FAILED or job.is_stuck(),
        }

    @admin.action(description="Regrade finished sittings of an earlier version…")
    def regrade(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one question to regrade.", messages.ERROR)
            return None
        return redirect("admin:questions_question_regrade", queryset.get().pk)

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

    @admin.action(description="Publish selected pilots (those ready to publish)")
    def publish_pilots(self, request, queryset):
        """Publish the selected pilots whose statistics meet the rule (questions.publishing);
        say why each other selected question was left as it is."""
        ready = set(queryset.filter(READY_TO_PUBLISH).values_list("pk", flat=True))
        done = 0
        for question in queryset.select_related("current_version__stats").order_by("slug"):
            if question.pk not in ready:
                why = (
                    "; ".join(pilot_shortfalls(self._stats(question)))
                    if question.status == Question.Status.PILOT
                    else f"not a pilot ({question.get_status_display().lower()})"
                )
                self.message_user(request, f"Not published: {question.slug}: {why}", messages.ERROR)
                continue
            question.status = Question.Status.PUBLISHED
            question.save(update_fields=["status", "updated_at"])
            done += 1
        self.message_user(request, f"Published {done} pilot question(s).", messages.SUCCESS)

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
class ProblemReportAdmin(SimpleHistoryAdmin):
    """The report queue. Resolving (fixed / declined, with a reply) notifies the learner on
    their My reports page; a fix is usually a new version of the question (edit it, then
    regrade if the key changed)."""

    list_display = [
        "question_link",
        "version",
        "reason",
        "status",
        "reporter",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]
    list_filter = ["status", "reason"]
    search_fields = ["question__slug", "text"]
    readonly_fields = [
        "question_link",
        "version",
        "reporter",
        "reason",
        "text",
        "created_at",
        "resolved_at",
        "resolved_by",
        "seen_at",
    ]
    fields = readonly_fields + ["status", "resolution"]
    actions = ["mark_in_review", "mark_fixed", "mark_declined"]
    list_select_related = ["question", "version", "reporter", "resolved_by"]

    @admin.display(description="Question", ordering="question__slug")
    def question_link(self, obj):
        url = reverse("admin:questions_question_change", args=[obj.question_id])
        return format_html('<a href="{}">{}</a>', url, obj.question.slug)

    @admin.action(description="Mark selected reports in review")
    def mark_in_review(self, request, queryset):
        count = queryset.filter(status=ProblemReport.Status.OPEN).update(
            status=ProblemReport.Status.IN_REVIEW
        )
        self.message_user(request, f"{count} report(s) in review.")

    def _resolve(self, request, queryset, status):
        count = 0
        for report in queryset.unresolved():
            report.resolve(request.user, status)
            count += 1
        self.message_user(
            request,
            f"Resolved {count} report(s) as {ProblemReport.Status(status).label.lower()}. "
            "Add a reply on each report so the learner knows what changed.",
        )

    @admin.action(description="Resolve selected reports: fixed")
    def mark_fixed(self, request, queryset):
        self._resolve(request, queryset, ProblemReport.Status.FIXED)

    @admin.action(description="Resolve selected reports: declined")
    def mark_declined(self, request, queryset):
        self._resolve(request, queryset, ProblemReport.Status.DECLINED)

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.is_resolved:
            obj.resolved_at = timezone.now()
            obj.resolved_by = request.user
            obj.seen_at = None
        elif "resolution" in form.changed_data and obj.is_resolved:
            obj.seen_at = None  # a new reply is news again
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        return False
