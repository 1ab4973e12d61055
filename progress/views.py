from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from domains import blueprint
from domains.models import Domain, TaskStatement

from . import assembly, blocks
from .access import get_sitting_for_user
from .charts import domain_bars_svg, mastery_bars_svg, score_trend_svg
from .forms import PracticeForm, ProfileForm
from .mastery import learner_progress
from .misses import miss_table, misses_by_reason_and_domain
from .models import GRACE, MissTag, Profile, Regrade, Sitting, WeakDomainReport
from .pacing import PACE_SECONDS, average_seconds, sitting_pace_seconds
from .peers import MIN_LEARNERS, latest_mock_standing
from .presenters import sitting_state
from .reports import latest_report
from .review import due_items, due_question_ids
from .timezones import remember as remember_time_zone


@login_required
def home(request):
    user = request.user
    open_sitting = assembly.open_sitting(user)
    if open_sitting and open_sitting.finish_if_expired():
        what = "mock" if open_sitting.is_mock else "timed block"
        messages.info(
            request, f"Your {what}'s time ran out; it was scored on the answers you saved."
        )
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
            "not_reached_count": len(assembly.not_reached_question_ids(user)),
            "due_count": due_items(user, timezone.now()).count(),
            "report": latest_report(user),
        },
    )


@login_required
def start_mock(request):
    """GET: the instructions screen. POST (its Start button): create the mock; the clock starts
    now, not when the instructions were opened."""
    open_sitting = assembly.open_sitting(request.user)
    if open_sitting and open_sitting.deadline and not open_sitting.finish_if_expired():
        what = "mock" if open_sitting.is_mock else "timed practice block"
        messages.warning(request, f"You already have a {what} in progress: here it is.")
        return redirect(open_sitting.get_absolute_url())
    if request.method == "GET":
        return render(
            request,
            "progress/mock_instructions.html",
            {
                "exam": blueprint,
                "profile": Profile.for_user(request.user),
                "open_practice": open_sitting,
                "grace_seconds": int(GRACE.total_seconds()),
            },
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        sitting = assembly.start_mock(request.user)
    except assembly.OpenSittingExists as exc:
        what = "mock" if exc.sitting.is_mock else "timed practice block"
        messages.warning(request, f"You already have a {what} in progress: here it is.")
        return redirect(exc.sitting.get_absolute_url())
    _say_replaced(request, sitting)
    return redirect(sitting.get_absolute_url())


def _say_replaced(request, sitting):
    previous = getattr(sitting, "replaced", None)
    if previous is not None:
        messages.info(
            request,
            f"Your open practice set “{previous.title or 'Practice'}” was finished (scored on "
            "the questions you checked) so that this one could start.",
        )


def _mock_in_progress(request, exc):
    what = "mock exam" if exc.sitting.is_mock else "timed practice block"
    messages.warning(request, f"Your {what} is in progress: finish it before starting another.")
    return redirect(exc.sitting.get_absolute_url())


@login_required
def practice(request):
    initial = _practice_initial(request)
    counts = blocks.available_counts(request.user, **_practice_scope(request, initial))
    form = PracticeForm(request.POST or None, initial=initial, counts=counts["sources"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["sources"] or data["timed"]:
                sitting = blocks.start_block(
                    request.user,
                    sources=data["sources"],
                    domains=[d.number for d in data["domains"]],
                    tasks=[t.number for t in data["tasks"]],
                    count=data["count"],
                    timed=data["timed"],
                )
            else:
                sitting = assembly.start_practice(
                    request.user,
                    domains=[d.number for d in data["domains"]],
                    tasks=[t.number for t in data["tasks"]],
                    count=data["count"],
                    title=_practice_title(data),
                )
        except assembly.OpenSittingExists as exc:
            return _mock_in_progress(request, exc)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            _say_replaced(request, sitting)
            return redirect(sitting.get_absolute_url())
    return render(
        request,
        "progress/practice.html",
        {
            "form": form,
            "domains": Domain.objects.with_tasks(),
            "available": counts["selected"],
        },
    )


def _practice_scope(request, initial):
    """The domain and task numbers, and the sources, the page is showing ticked (posted, or the
    initial `?domain=`/`?task=` ids), for its counts: {domains, tasks, sources}. Ids that are not
    a row's are ignored here (the form reports them). Two queries."""
    data = request.POST if request.method == "POST" else None

    def ids(name, initial_name):
        values = data.getlist(name) if data is not None else initial.get(initial_name, [])
        return [v for v in values if v.isascii() and v.isdigit() and len(v) <= 18]

    return {
        "domains": list(
            Domain.objects.filter(pk__in=ids("domains", "domains")).values_list("number", flat=True)
        ),
        "tasks": list(
            TaskStatement.objects.filter(pk__in=ids("tasks", "tasks")).values_list(
                "number", flat=True
            )
        ),
        "sources": [s for s in (data.getlist("sources") if data else []) if s in blocks.SOURCES],
    }


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
        return _mock_in_progress(request, exc)
    _say_replaced(request, sitting)
    return redirect(sitting.get_absolute_url())


@login_required
@require_POST
def practice_not_reached(request):
    ids = assembly.not_reached_question_ids(request.user)
    if not ids:
        messages.info(request, "There are no questions you did not reach.")
        return redirect("progress:home")
    return _start_practice_or_redirect(
        request,
        question_ids=ids,
        count=min(len(ids), 75),
        title="Questions I did not reach",
        source="not_reached",
    )


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
            "grace_seconds": int(GRACE.total_seconds()),
        },
    )


@login_required
@require_POST
def end_sitting(request, pk):
    """The exam page's no-JavaScript fallback for ending (the page itself ends through the API
    after delivering its queued saves)."""
    sitting = get_sitting_for_user(request.user, pk)
    sitting.end()
    return redirect("progress:results", pk=sitting.pk)


def _not_counted(raw, items):
    """Positions the exam page reports as given in the browser but refused by the server (the
    sitting had closed): `?not_counted=3,7`. Unknown positions are ignored."""
    parts = (p.strip() for p in raw.split(","))
    positions = {int(p) for p in parts if p.isascii() and p.isdigit() and len(p) <= 4}
    return [item for item in items if item["position"] in positions]


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
    unsaved = request.session.pop("unsaved_note", None) or {}
    for item in items:
        item["incomplete"] = 0 < len(item["selected"]) < item["question"]["select_count"]
        peers = {o["id"]: o["share"] for o in item["feedback"]["peers"]["options"]}
        item["options"] = [
            {
                **shown,
                **fb,
                "chosen": shown["id"] in item["selected"],
                "peer_share": peers.get(shown["id"]),
            }
            for shown, fb in zip(
                item["question"]["choices"], item["feedback"]["choices"], strict=True
            )
        ]
        item["reason_choices"] = [
            (r, MissTag.Reason(r).label) for r in item["feedback"]["miss_reasons"]
        ]
        note = item["feedback"]["note"]
        item["note_text"] = note["text"] if note else ""
        if unsaved.get("position") == item["position"]:
            item["note_text"] = unsaved.get("text", "")
    result = state.get("result") or {}
    pacing = state.get("pacing")
    behind = pacing["fell_behind"] if pacing else None
    regrades = [
        {
            "at": parse_datetime(r["at"]),
            "positions": ", ".join(str(p) for p in r["positions"]),
            "method": Regrade.Method(r["method"]).label,
        }
        for r in result.get("regrades", [])
    ]
    return render(
        request,
        "progress/results.html",
        {
            "sitting": sitting,
            "result": result,
            "regrades": regrades,
            "not_counted": _not_counted(request.GET.get("not_counted", ""), state["items"]),
            "unanswered_count": sum(
                1 for i in state["items"] if not i["selected"] and not i["feedback"]["pilot"]
            ),
            "pilot_count": len(result.get("pilot_positions", [])),
            "pacing": pacing,
            "fell_behind": pacing["thirds"][behind] if behind is not None else None,
            "grace_seconds": int(GRACE.total_seconds()),
            "items": items,
            "show": show if show in REVIEW_FILTERS else "all",
            "domain_filter": domain,
            "standing": state.get("standing"),
            "min_learners": MIN_LEARNERS,
            "chart": domain_bars_svg(result.get("domains", []), pass_line=sitting.is_mock)
            if result
            else "",
            "exam": blueprint,
        },
    )


@login_required
def profile(request):
    profile = Profile.for_user(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        remember_time_zone(request, profile.time_zone)
        messages.success(request, "Saved. Extra time applies to mocks you start from now on.")
        return redirect("progress:profile")
    return render(request, "progress/profile.html", {"form": form})


def _start_practice_or_redirect(request, **kwargs):
    try:
        sitting = assembly.start_practice(request.user, **kwargs)
    except assembly.OpenSittingExists as exc:
        return _mock_in_progress(request, exc)
    except ValueError as exc:
        messages.info(request, str(exc))
        return redirect("progress:home")
    _say_replaced(request, sitting)
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
        .values(
            "id",
            "started_at",
            "deadline",
            "finished_at",
            "scaled_score",
            "correct",
            "total",
            "scoring_method",
        )
        # Pacing in the same query: the time of every item, pilots included.
        .annotate(questions=Count("items"), seconds=Sum("items__time_spent_seconds"))
    )
    for mock in mocks:
        mock["average_seconds"] = average_seconds(mock["seconds"] or 0, mock["questions"])
        # Against the mock's own clock: 168 s a question with the +30-minute accommodation.
        mock["pace_seconds"] = sitting_pace_seconds(
            Sitting(started_at=mock["started_at"], deadline=mock["deadline"]), mock["questions"]
        )
    return {
        "progress": progress,
        "readiness": progress["readiness"],
        "mocks": mocks,
        "equated_mocks": sum(m["scoring_method"] == Sitting.ScoringMethod.EQUATED for m in mocks),
        # Drawn when the template renders it, in the learner's time zone (activated then).
        "trend": partial(score_trend_svg, mocks),
        "mastery_chart": mastery_bars_svg(progress["domains"]),
        "pace_seconds": PACE_SECONDS,
    }


@login_required
def dashboard(request):
    user = request.user
    now = timezone.now()
    overview = progress_overview(user, now)
    domain_numbers = [d["number"] for d in overview["progress"]["domains"]]
    return render(
        request,
        "progress/dashboard.html",
        {
            **overview,
            "standing": latest_mock_standing(user),
            "domain_numbers": domain_numbers,
            "miss_table": miss_table(misses_by_reason_and_domain(user), domain_numbers),
            "report": latest_report(user),
            "history": Sitting.objects.finished().filter(user=user).order_by("-finished_at")[:30],
            "due_count": due_items(user, now).count(),
            "exam": blueprint,
        },
    )
