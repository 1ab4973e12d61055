"""Scoring: all-or-nothing per question, linear scaled-score estimate (see domains.blueprint)."""

from django.db.models import Prefetch

from domains import blueprint
from domains.models import Domain
from questions.models import Choice

MEETS = "Meets competencies"
NEEDS = "Needs improvement"
# A domain "meets competencies" at the same fraction correct that passes the whole exam.
MEETS_FRACTION = float(blueprint.fraction_to_pass())


def grade_item(selected, correct_ids):
    """Right only if exactly the correct set is selected; nothing selected is wrong."""
    return bool(selected) and set(selected) == set(correct_ids)


def score_sitting(sitting, finished_at):
    """Grade every item of `sitting` (saving is_correct) and return the result dict. 4 queries."""
    items = list(
        sitting.items.select_related("question").prefetch_related(
            Prefetch(
                "question__choices", queryset=Choice.objects.only("id", "question_id", "is_correct")
            )
        )
    )
    for item in items:
        item.is_correct = grade_item(item.selected, item.question.correct_choice_ids())
    sitting.items.bulk_update(items, ["is_correct"])
    domains = {d.id: d for d in Domain.objects.all()}
    per_domain = {}
    for item in items:
        stats = per_domain.setdefault(item.question.domain_id, [0, 0])
        stats[0] += item.is_correct
        stats[1] += 1
    correct = sum(item.is_correct for item in items)
    total = len(items)
    scaled = blueprint.scaled_score(correct, total)
    end = finished_at
    duration = max(0, int((end - sitting.started_at).total_seconds()))
    return {
        "scaled_score": scaled,
        "passed": scaled >= blueprint.PASSING_SCALED_SCORE,
        "correct": correct,
        "total": total,
        "duration_seconds": duration,
        "domains": [
            domain_result(domains[domain_id], *per_domain[domain_id])
            for domain_id in sorted(per_domain, key=lambda d: domains[d].number)
        ],
    }


def domain_result(domain, correct, total):
    percent = round(100 * correct / total) if total else 0
    return {
        "number": domain.number,
        "name": domain.name,
        "correct": correct,
        "total": total,
        "percent": percent,
        "verdict": MEETS if total and correct / total >= MEETS_FRACTION else NEEDS,
    }
