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
    """Grade the items of `sitting` (saving is_correct); return (result dict, graded items).

    Mocks grade every item (unanswered is wrong); practice sets grade what was answered.
    4 queries, whatever the number of items.
    """
    items = list(
        sitting.items.select_related("question").prefetch_related(
            Prefetch(
                "question__choices",
                queryset=Choice.objects.only("id", "question_id", "is_correct", "misconception_id"),
            )
        )
    )
    practice = sitting.mode == "practice"
    for item in items:
        if practice and not item.selected:
            item.is_correct = None
        else:
            item.is_correct = grade_item(item.selected, item.question.correct_choice_ids())
    sitting.items.bulk_update(items, ["is_correct"])
    graded = [item for item in items if item.is_correct is not None]
    domains = {d.id: d for d in Domain.objects.all()}
    per_domain = {}
    for item in graded:
        stats = per_domain.setdefault(item.question.domain_id, [0, 0])
        stats[0] += item.is_correct
        stats[1] += 1
    correct = sum(item.is_correct for item in graded)
    total = len(graded)
    scaled = blueprint.scaled_score(correct, total)
    duration = max(0, int((finished_at - sitting.started_at).total_seconds()))
    result = {
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
    return result, graded


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
