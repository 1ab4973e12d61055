from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from domains import blueprint
from domains.models import Domain

from . import assembly
from .access import get_sitting_for_user
from .charts import domain_bars_svg, mastery_bars_svg, score_trend_svg
from .forms import PracticeForm, ProfileForm
from .mastery import learner_progress
from .models import Profile, Sitting, WeakDomainReport
from .presenters import sitting_state
from .reports import latest_report
from .review import due_items, due_question_ids


@login_required
def home(request):
    user = request.user
    open_sitting = assembly.open_sitting(user)
    if open_sitting and open_sitting.finish_if_expired():
        messages.info(request, "Your mock's time ran out; it was scored on the answers you saved.")
        open_sitting = None
    recent = Sitting.objects.finished().filter(user=user).order_by("-finished_at")[:10]
    return render(
        request,
        "progress/home.html",
        {
            "open_sitting": open_sitting,
            "recent": recent,
            "exam": blueprint,
            "profile": Profile.for_user(user),
            "missed_count": len(assembly.missed_question_ids(user)),
            "due_count": due_items(user, timezone.now()).count(),
            "report": latest_report(user),
        },
    )


@login_required
@require_POST
def start_mock(request):
    try:
        sitting = assembly.start_mock(request.user)
    except assembly.OpenSittingExists as exc:
        messages.warning(request, "You already have a mock in progress: here it is.")
        return redirect(exc.sitting.get_absolute_url())
    return redirect(sitting.get_absolute_url())


@login_required
def practice(request):
    form = PracticeForm(request.POST or None, initial=_practice_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            sitting = assembly.start_practice(
                request.user,
                domains=[d.number for d in form.cleaned_data["domains"]],
                tasks=[t.number for t in form.cleaned_data["tasks"]],
                count=form.cleaned_data["count"],
                title=_practice_title(form.cleaned_data),
            )
        except assembly.OpenSittingExists as exc:
            messages.warning(request, "Finish your mock exam before practising.")
            return redirect(exc.sitting.get_absolute_url())
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(sitting.get_absolute_url())
    return render(
        request,
        "progress/practice.html",
        {
            "form": form,
            "domains": Domain.objects.with_tasks(),
        },
    )


def _practice_initial(request):
    initial = {}
    if request.GET.get("task"):
        initial["tasks"] = [t for t in request.GET.getlist("task")]
    if request.GET.get("domain"):
        initial["domains"] = request.GET.getlist("domain")
    return initial


def _practice_title(data):
    parts = [f"Domain {d.number}" for d in data["domains"]] + [t.number for t in data["tasks"]]
    return "Practice: " + (", ".join(parts) if parts else "all domains")


@login_required
@require_POST
def practice_missed(request):
    ids = assembly.missed_question_ids(request.user)
    if not ids:
        messages.info(request, "You have no missed questions yet.")
        return redirect("progress:home")
    try:
        sitting = assembly.start_practice(
            request.user,
            question_ids=ids,
            count=min(len(ids), 75),
            title="My missed questions",
            source="missed",
        )
    except assembly.OpenSittingExists as exc:
        messages.warning(request, "Finish your mock exam before practising.")
        return redirect(exc.sitting.get_absolute_url())
    return redirect(sitting.get_absolute_url())


@login_required
def sitting_page(request, pk):
    sitting = get_sitting_for_user(request.user, pk)
    if not sitting.is_open:
        return redirect("progress:results", pk=sitting.pk)
    profile = Profile.for_user(request.user)
    return render(
        request,
        "progress/sitting.html",
        {
            "sitting": sitting,
            "state": sitting_state(sitting),
            "profile": profile,
            "exam": blueprint,
        },
    )


@login_required
@require_POST
def end_sitting(request, pk):
    sitting = get_sitting_for_user(request.user, pk)
    sitting.finish()
    return redirect("progress:results", pk=sitting.pk)


REVIEW_FILTERS = {"all", "incorrect", "flagged"}


@login_required
def results(request, pk):
    sitting = get_sitting_for_user(request.user, pk)
    if sitting.is_open:
        return redirect(sitting.get_absolute_url())
    state = sitting_state(sitting)
    show = request.GET.get("show", "all")
    domain = request.GET.get("domain", "")
    items = state["items"]
    if show == "incorrect":
        items = [i for i in items if not i["feedback"]["correct"]]
    elif show == "flagged":
        items = [i for i in items if i["flagged"]]
    if domain.isascii() and domain.isdigit() and len(domain) <= 2:
        items = [i for i in items if i["question"]["domain"] == int(domain)]
    for item in items:
        item["options"] = [
            {**shown, **fb, "chosen": shown["id"] in item["selected"]}
            for shown, fb in zip(
                item["question"]["choices"], item["feedback"]["choices"], strict=True
            )
        ]
    result = sitting.result or {}
    return render(
        request,
        "progress/results.html",
        {
            "sitting": sitting,
            "result": result,
            "items": items,
            "show": show if show in REVIEW_FILTERS else "all",
            "domain_filter": domain,
            "chart": domain_bars_svg(result.get("domains", [])) if result else "",
            "exam": blueprint,
        },
    )


@login_required
def profile(request):
    profile = Profile.for_user(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved. Extra time applies to mocks you start from now on.")
        return redirect("progress:profile")
    return render(request, "progress/profile.html", {"form": form})


def _start_practice_or_redirect(request, **kwargs):
    try:
        sitting = assembly.start_practice(request.user, **kwargs)
    except assembly.OpenSittingExists as exc:
        messages.warning(request, "Finish your mock exam before practising.")
        return redirect(exc.sitting.get_absolute_url())
    except ValueError as exc:
        messages.info(request, str(exc))
        return redirect("progress:home")
    return redirect(sitting.get_absolute_url())


@login_required
@require_POST
def practice_review(request):
    ids = due_question_ids(request.user, timezone.now())
    if not ids:
        messages.info(request, "Nothing is due for review right now.")
        return redirect("progress:home")
    return _start_practice_or_redirect(
        request, question_ids=ids, count=min(len(ids), 75), title="Review due", source="review"
    )


@login_required
@require_POST
def practice_report(request, pk):
    report = get_object_or_404(WeakDomainReport, pk=pk, user=request.user)
    return _start_practice_or_redirect(
        request,
        tasks=report.practice_tasks,
        count=20,
        prefer=frozenset(assembly.missed_question_ids(request.user)),
        title="Recommended: " + ", ".join(report.practice_tasks),
        source="report",
    )


def progress_overview(user, now=None):
    """Mastery, readiness and the mock-score trend of `user`, with their charts (dashboard and
    study-group pages)."""
    progress = learner_progress(user, now)
    mocks = list(
        Sitting.objects.finished()
        .mocks()
        .filter(user=user)
        .order_by("finished_at")
        .values("id", "finished_at", "scaled_score", "correct", "total")
    )
    return {
        "progress": progress,
        "readiness": progress["readiness"],
        "mocks": mocks,
        "trend": score_trend_svg(mocks),
        "mastery_chart": mastery_bars_svg(progress["domains"]),
    }


@login_required
def dashboard(request):
    user = request.user
    now = timezone.now()
    return render(
        request,
        "progress/dashboard.html",
        {
            **progress_overview(user, now),
            "report": latest_report(user),
            "history": Sitting.objects.finished().filter(user=user).order_by("-finished_at")[:30],
            "due_count": due_items(user, now).count(),
            "exam": blueprint,
        },
    )
