"""Scoring: all-or-nothing per question; the scaled score is equated through IRT ability on a
calibrated mock (progress.equating), else the linear estimate (see domains.blueprint)."""

from django.db.models import Prefetch

from domains import blueprint
from domains.models import Domain
from questions.models import VersionChoice

from .equating import LINEAR, reference_form, score_form

MEETS = "Meets competencies"
NEEDS = "Needs improvement"
# A domain "meets competencies" at the same fraction correct that passes the whole exam.
MEETS_FRACTION = float(blueprint.fraction_to_pass())


def grade_item(selected, correct_ids):
    """Right only if exactly the correct set is selected; nothing selected is wrong."""
    return bool(selected) and set(selected) == set(correct_ids)


def score_sitting(sitting, finished_at, save=True):
    """Grade the items of `sitting`; return (result dict, graded items).

    Each item is graded against the version it pinned, with any regrade of that version applied
    (so a sitting finished after a regrade is scored like those re-scored by it). Mocks grade
    every item (unanswered is wrong), as do timed practice blocks; tutor-mode practice sets
    grade what was answered; an item a regrade dropped counts nowhere. Pilot items (unscored)
    are graded too, for item statistics, but count nowhere else: not in the score or its total
    (a mock with k pilots is scored on 75 - k), not in the domain results, not among the graded
    items returned (so not in the review queue or misconception hits); `pilot_positions` lists
    them. Saves is_correct unless `save` is false. A mock is scored by ability when its form is
    calibrated, else by the linear estimate (progress.equating.score_form; the result names the
    method), through the reference form version it was scored with before (a regrade) or else
    the current one. 5 queries whatever the number of items, plus 2 for a mock.
    """
    items = list(
        sitting.items.select_related("question", "version").prefetch_related(
            Prefetch(
                "version__choices",
                queryset=VersionChoice.objects.only(
                    "id", "version_id", "key", "is_correct", "misconception_id"
                ),
            )
        )
    )
    regrades = regrades_for(items)
    keys = accepted_keys(items, regrades)
    practice = sitting.gives_feedback
    for item in items:
        # From the latest regrade, not kept from an earlier one: a drop can be undone.
        item.scored = not (item.version_id in keys and keys[item.version_id] is None)
        if not item.scored or (practice and not item.selected):
            item.is_correct = None
            continue
        answers = keys.get(item.version_id) or [item.version.correct_keys()]
        by_id = {c.id: c.key for c in item.version.choices.all()}
        picked = {by_id.get(cid) for cid in item.selected}
        item.is_correct = any(grade_item(picked, key_set) for key_set in answers)
    if save:
        sitting.items.bulk_update(items, ["is_correct", "scored"])
    graded = [item for item in items if item.is_correct is not None and not item.is_pilot]
    domains = {d.id: d for d in Domain.objects.all()}
    per_domain = {}
    for item in graded:
        stats = per_domain.setdefault(item.question.domain_id, [0, 0])
        stats[0] += item.is_correct
        stats[1] += 1
    correct = sum(item.is_correct for item in graded)
    total = len(graded)
    scaled = blueprint.scaled_score(correct, total)
    method = {"scoring_method": LINEAR, "ability": None, "ability_sd": None}
    if sitting.is_mock:
        # A re-scored mock keeps the reference version that scored it: a regrade moves its
        # score by the corrected question, not by a newer reference form.
        reference = None
        if sitting.reference_version_id is not None:
            reference = reference_form(sitting.reference_version_id)
        method = score_form(items, reference)
        scaled = method.pop("scaled_score", scaled)
        method.pop("passed", None)
    duration = max(0, int((finished_at - sitting.started_at).total_seconds()))
    result = {
        "regrades": regrade_notes(items, regrades),
        "scaled_score": scaled,
        "passed": scaled >= blueprint.PASSING_SCALED_SCORE,
        "correct": correct,
        "total": total,
        "duration_seconds": duration,
        **method,
        "pilot_positions": sorted(item.position for item in items if item.is_pilot),
        "domains": [
            domain_result(domains[domain_id], *per_domain[domain_id])
            for domain_id in sorted(per_domain, key=lambda d: domains[d].number)
        ],
    }
    return result, graded


def regrades_for(items):
    """The Regrades of the versions among `items`, oldest first. One query (plus the choices
    of the versions involved, only when there are any)."""
    from .models import Regrade

    version_ids = {item.version_id for item in items}
    return list(
        Regrade.objects.filter(version_id__in=version_ids)
        .select_related("corrected", "version__question")
        .prefetch_related("corrected__choices", "version__choices")
        .order_by("created_at")
    )


def accepted_keys(items, regrades=None):
    """{version id: [set of option keys, ...] that count as right, or None if dropped}, for the
    versions among `items` that a regrade changed (the latest regrade of a version wins)."""
    regrades = regrades_for(items) if regrades is None else regrades
    return {regrade.version_id: regrade.accepted_keys() for regrade in regrades}


def regrade_notes(items, regrades):
    """What the results page says about regrades that changed how these items are scored:
    [{at (ISO 8601), positions, question (slug), method}]."""
    positions = {}
    for item in items:
        positions.setdefault(item.version_id, []).append(item.position)
    return [
        {
            "at": regrade.created_at.isoformat(),
            "positions": sorted(positions.get(regrade.version_id, [])),
            "question": regrade.version.question.slug,
            "method": regrade.method,
        }
        for regrade in regrades
    ]


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
