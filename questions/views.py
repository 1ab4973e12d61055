from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .access import learner_has_met
from .forms import ProblemReportForm
from .models import Question


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
        report.reporter = request.user
        report.save()
        messages.success(request, "Thank you: the report is in the authors' queue.")
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
