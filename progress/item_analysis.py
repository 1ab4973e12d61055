"""Item analysis for authors: how each version of a question performs across learners (nightly).

Statistics are per question version (what learners actually saw and how it was scored):

- facility: share of graded answers that were right;
- discrimination: point-biserial correlation between being right on the question and the
  learner's scaled score on that mock (mock answers only), from grouped sums in one query;
- option pick rates: share of answers that picked each choice;
- median time: the median of `time_spent_seconds` over answers with time recorded (seconds).

Unscored pilot answers are included: item statistics are what a pilot is in a mock for
(see questions.publishing for when a pilot is ready to publish).
"""

import math
from collections import Counter, defaultdict

from django.db.models import Count, F, FloatField, Q, Sum, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from questions.models import VersionChoice

from .models import QuestionStats, SittingItem


def analysed_answers():
    """Answered, graded items of every learner, pilots included (unlike mastery's evidence)."""
    return SittingItem.objects.filter(is_correct__isnull=False, answered_at__isnull=False)


def median_seconds(answers):
    """{version id: median seconds spent} over `answers` with time recorded. One query: the
    middle row(s) of each version's answers ordered by time, picked by window functions (no
    MEDIAN aggregate on SQLite; the same SQL on PostgreSQL)."""
    ranked = (
        answers.filter(time_spent_seconds__gt=0)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("version_id")],
                order_by=[F("time_spent_seconds").asc(), F("id").asc()],
            ),
            count=Window(Count("id"), partition_by=[F("version_id")]),
        )
        # The middle one (odd count) or two (even): ranks (n + 1) // 2 and n // 2 + 1.
        .filter(Q(rank=(F("count") + 1) / 2) | Q(rank=F("count") / 2 + 1))
        .values_list("version_id", "time_spent_seconds")
    )
    middles = defaultdict(list)
    for version_id, seconds in ranked:
        middles[version_id].append(seconds)
    return {vid: sum(values) / len(values) for vid, values in middles.items()}


def point_biserial(n, right, sum_y, sum_y2, sum_xy):
    """Pearson correlation of a 0/1 variable x with y, from sums. None when undefined."""
    if n < 2 or right in (0, n):
        return None
    mean_y = sum_y / n
    var_y = sum_y2 / n - mean_y**2
    if var_y <= 1e-9:
        return None
    p = right / n
    mean_y_right = sum_xy / right
    return (mean_y_right - mean_y) / math.sqrt(var_y) * math.sqrt(p / (1 - p))


def compute_item_statistics(now=None):
    now = now or timezone.now()
    answers = analysed_answers()
    totals = {
        row["version_id"]: row
        for row in answers.values("version_id", "question_id")
        .annotate(
            n=Count("id"),
            right=Count("id", filter=Q(is_correct=True)),
            learners=Count("sitting__user", distinct=True),
        )
        .order_by()
    }
    score = Cast(F("sitting__scaled_score"), FloatField())
    mocks = {
        row["version_id"]: row
        for row in answers.filter(sitting__mode="mock", sitting__scaled_score__isnull=False)
        .values("version_id")
        .annotate(
            n=Count("id"),
            right=Count("id", filter=Q(is_correct=True)),
            sum_y=Sum(score),
            sum_y2=Sum(score * score),
            sum_xy=Sum(score, filter=Q(is_correct=True)),
        )
        .order_by()
    }
    picks = defaultdict(Counter)
    for version_id, selected in answers.values_list("version_id", "selected").iterator(
        chunk_size=5000
    ):
        picks[version_id].update(selected)
    correct = defaultdict(set)
    for version_id, choice_id in VersionChoice.objects.filter(
        is_correct=True, version_id__in=list(totals)
    ).values_list("version_id", "id"):
        correct[version_id].add(choice_id)
    medians = median_seconds(answers)
    stats = []
    for version_id, row in totals.items():
        n = row["n"]
        rates = {str(cid): round(count / n, 4) for cid, count in picks[version_id].items()}
        right_rates = [rates.get(str(cid), 0.0) for cid in correct[version_id]]
        wrong_rates = [r for cid, r in rates.items() if int(cid) not in correct[version_id]]
        mock = mocks.get(version_id)
        stats.append(
            QuestionStats(
                question_id=row["question_id"],
                version_id=version_id,
                answered=n,
                learners=row["learners"],
                facility=round(row["right"] / n, 4),
                discrimination=(
                    None
                    if mock is None
                    else point_biserial(
                        mock["n"],
                        mock["right"],
                        mock["sum_y"],
                        mock["sum_y2"],
                        mock["sum_xy"] or 0.0,
                    )
                ),
                option_pick_rates=rates,
                median_seconds=(round(medians[version_id]) if version_id in medians else None),
                wrong_beats_right=bool(
                    wrong_rates and right_rates and max(wrong_rates) > min(right_rates)
                ),
                updated_at=now,
            )
        )
    QuestionStats.objects.bulk_create(
        stats,
        update_conflicts=True,
        unique_fields=["version"],
        update_fields=[
            "answered",
            "learners",
            "facility",
            "discrimination",
            "option_pick_rates",
            "wrong_beats_right",
            "median_seconds",
            "updated_at",
        ],
    )
    return len(stats)
