"""What other learners did: peer figures on a question and a learner's standing among mocks.

Shown only where answer data may be shown (checked tutor-mode practice items, finished
sittings; never an open mock or timed block), see presenters.item_feedback.

- Question figures come from the nightly item statistics (QuestionStats) of the version shown:
  the share of answers that were right and, per option, the share of answers that picked it.
  Below MIN_LEARNERS distinct learners they are withheld ("not enough answers yet").
- Mock standing: the percentile rank of a scaled score among learners' *first* finished mocks
  (one per learner, so retakes don't crowd the reference group), with the median of those first
  attempts; withheld below MIN_FIRST_ATTEMPTS. Percentile rank = 100 x (below + equal / 2) / n
  (the midpoint convention, so a score equal to everyone's gets 50).
"""

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from .models import QuestionStats, Sitting

MIN_LEARNERS = 20
MIN_FIRST_ATTEMPTS = 30


def question_peers(item):
    """{enough, learners, right_share, options: [{id, share}]} for the item's pinned version,
    options in the item's order. `item.version.stats` is read if loaded (load_items selects it);
    no query of its own then."""
    try:
        stats = item.version.stats
    except QuestionStats.DoesNotExist:  # no statistics for this version yet
        stats = None
    if stats is None or stats.learners < MIN_LEARNERS:
        return {
            "enough": False,
            "learners": stats.learners if stats else 0,
            "right_share": None,
            "options": [],
            "updated_at": stats.updated_at if stats else None,
        }
    rates = stats.option_pick_rates or {}
    return {
        "enough": True,
        "learners": stats.learners,
        "right_share": stats.facility,
        "options": [{"id": cid, "share": rates.get(str(cid), 0.0)} for cid in item.choice_order],
        "updated_at": stats.updated_at,
    }


def first_attempts():
    """Each learner's first finished mock with a score, as a queryset of sittings: a window
    function (ROW_NUMBER over the learner's mocks by start) filtered to the first row."""
    return (
        Sitting.objects.finished()
        .mocks()
        .filter(scaled_score__isnull=False)
        .annotate(
            attempt=Window(
                RowNumber(), partition_by=[F("user_id")], order_by=[F("started_at"), F("id")]
            )
        )
        .filter(attempt=1)
    )


def standing(score):
    """Where `score` (scaled, 100-1000) stands among learners' first attempts at a mock.

    Returns {enough, first_attempts, percentile (0-100, int) or None, median or None}.
    Two queries, whatever the number of sittings: one aggregate (counts below, equal, total)
    and one ordered slice for the median. Nothing is loaded but those figures.
    """
    firsts = Sitting.objects.filter(pk__in=first_attempts().values("pk"))
    mark = -1 if score is None else score
    counts = firsts.aggregate(
        n=Count("id"),
        below=Count("id", filter=Q(scaled_score__lt=mark)),
        equal=Count("id", filter=Q(scaled_score=mark)),
    )
    n = counts["n"]
    if n < MIN_FIRST_ATTEMPTS:
        return {"enough": False, "first_attempts": n, "percentile": None, "median": None}
    middle = list(
        firsts.order_by("scaled_score").values_list("scaled_score", flat=True)[
            (n - 1) // 2 : n // 2 + 1
        ]
    )
    percentile = None
    if score is not None:
        percentile = int(round(100 * (counts["below"] + counts["equal"] / 2) / n))
    return {
        "enough": True,
        "first_attempts": n,
        "percentile": percentile,
        "median": sum(middle) / len(middle),
    }


def sitting_standing(sitting):
    """The standing of a finished mock's score; None for practice sets and open sittings."""
    if not sitting.is_mock or sitting.is_open or sitting.scaled_score is None:
        return None
    return standing(sitting.scaled_score)


def latest_mock_standing(user):
    """The standing of the learner's latest finished mock, or None without one. Three queries."""
    latest = (
        Sitting.objects.finished()
        .mocks()
        .filter(user=user, scaled_score__isnull=False)
        .order_by("-finished_at", "-id")
        .first()
    )
    if latest is None:
        return None
    return {
        "sitting": latest.id,
        "scaled_score": latest.scaled_score,
        **standing(latest.scaled_score),
    }
