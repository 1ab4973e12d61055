from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from progress.models import Sitting, SittingItem

from .access import learner_has_met, version_seen_by
from .forms import ProblemReportForm
from .models import ProblemReport, Question


@login_required
@require_http_methods(["GET", "POST"])
def report_problem(request, pk):
    question = get_object_or_404(Question.objects.select_related("task__domain"), pk=pk)
    if not learner_has_met(request.user, question):
        raise Http404
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = ProblemReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.question = question
        report.version_id = version_seen_by(request.user, question)
        report.reporter = request.user
        report.save()
        messages.success(
            request,
            "Thank you: the report is in the authors' review queue. You'll see their reply "
            "under My reports.",
        )
        return redirect(next_url or "progress:home")
    return render(
        request,
        "questions/report_problem.html",
        {
            "question": question,
            "form": form,
            "next": next_url,
        },
    )


@login_required
def my_reports(request):
    """The learner's problem reports with their status and the author's reply. Opening the
    page marks replies as seen (that ends the notice). 3 queries + the update."""
    reports = list(
        ProblemReport.objects.filter(reporter=request.user)
        .select_related("question__task", "version")
        .order_by("-created_at")[:200]
    )
    unseen = [r.pk for r in reports if r.is_resolved and r.seen_at is None]
    # Slugs name the solution: none of a question in an open mock or timed block.
    hidden = set(
        SittingItem.objects.filter(
            sitting__user=request.user,
            sitting__status=Sitting.Status.IN_PROGRESS,
            sitting__deadline__isnull=False,
        ).values_list("question_id", flat=True)
    )
    if unseen:
        ProblemReport.objects.filter(pk__in=unseen).update(seen_at=timezone.now())
    return render(
        request,
        "questions/my_reports.html",
        {"reports": reports, "new_replies": set(unseen), "hidden": hidden},
    )
