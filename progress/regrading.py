"""Regrade: re-score finished sittings that used a flawed version of a question (as Moodle's
quiz does after a key is corrected).

`plan_regrade` computes each affected sitting's score before and after without writing;
`apply_regrade` records the Regrade (so sittings finished later are scored the same way),
re-scores every affected finished sitting and updates what grading feeds: misconception hits,
the review queue, the missed list and mastery (both read `is_correct`), weak-domain reports and
item statistics. The learner's results page then says when and why the mock was re-scored.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from domains import blueprint

from .equating import EQUATED, LINEAR
from .models import MisconceptionHit, Regrade, ReviewItem, Sitting, SittingItem
from .review import record_graded
from .scoring import score_sitting


class RegradeError(ValueError):
    """The regrade asked for makes no sense (say, a corrected version of another question)."""


@dataclass
class ScoreChange:
    sitting_id: int
    user_id: int
    username: str
    positions: list
    before_scaled: int
    after_scaled: int
    before_correct: int
    after_correct: int
    before_passed: bool
    after_passed: bool

    @property
    def delta(self):
        return self.after_scaled - self.before_scaled

    def as_dict(self):
        return {
            "sitting": self.sitting_id,
            "user": self.user_id,
            "username": self.username,
            "positions": self.positions,
            "before": self.before_scaled,
            "after": self.after_scaled,
            "before_correct": self.before_correct,
            "after_correct": self.after_correct,
        }


def _check(version, method, corrected):
    if method not in Regrade.Method.values:
        raise RegradeError(f"unknown method {method!r}; use one of {Regrade.Method.values}")
    if method != Regrade.Method.DROP:
        if corrected is None:
            raise RegradeError("this method needs the corrected version")
        if corrected.question_id != version.question_id:
            raise RegradeError("the corrected version belongs to another question")
        if corrected.pk == version.pk:
            raise RegradeError("the corrected version is the flawed one")
        keys = {c.key for c in version.choices.all()}
        if not corrected.correct_keys() <= keys:
            raise RegradeError(
                "the corrected key names options the flawed version did not show: "
                + ", ".join(sorted(corrected.correct_keys() - keys))
            )


def _affected(version):
    return (
        Sitting.objects.finished()
        .filter(items__version=version)
        .distinct()
        .select_related("user")
        .order_by("id")
    )


def _rescore(sitting, version, save):
    result, graded = score_sitting(sitting, finished_at=sitting.finished_at, save=save)
    result["duration_seconds"] = (sitting.result or {}).get(
        "duration_seconds", result["duration_seconds"]
    )
    old = sitting.result or {}
    if sitting.scoring_method == LINEAR and result.get("scoring_method") == EQUATED:
        # Scored linearly when it ended (its questions were not calibrated then): a correction
        # keeps that method, so the score moves by the corrected question only, not by a switch
        # to equating on today's calibration.
        scaled = blueprint.scaled_score(result["correct"], result["total"])
        result.update(
            scaled_score=scaled,
            passed=scaled >= blueprint.PASSING_SCALED_SCORE,
            scoring_method=LINEAR,
            ability=None,
            ability_sd=None,
            calibrated_items=old.get("calibrated_items"),
            linear_reason=old.get("linear_reason"),
        )
    items = [item for item in sitting.items.all() if item.version_id == version.pk]
    if sitting.result is not None and all(item.is_pilot for item in items):
        # Only an unscored pilot here: its new grading (saved above) feeds item statistics, and
        # the score stays as it was. Re-scoring would re-equate the mock on today's calibration
        # (or equate a mock scored linearly) and move the score for a question that counts
        # nowhere.
        result = sitting.result
    return result, graded, sorted(item.position for item in items)


def plan_regrade(version, method, corrected=None):
    """[ScoreChange] for every finished sitting that used `version`, writing nothing."""
    _check(version, method, corrected)
    changes = []
    with transaction.atomic():
        # The plan is the apply, rolled back: one code path, so the preview can't drift.
        Regrade.objects.create(version=version, corrected=corrected, method=method)
        for sitting in _affected(version):
            result, _, positions = _rescore(sitting, version, save=False)
            changes.append(_change(sitting, result, positions))
        transaction.set_rollback(True)
    return changes


def _change(sitting, result, positions):
    return ScoreChange(
        sitting_id=sitting.pk,
        user_id=sitting.user_id,
        username=sitting.user.get_username(),
        positions=positions,
        before_scaled=sitting.scaled_score or 0,
        after_scaled=result["scaled_score"],
        before_correct=sitting.correct or 0,
        after_correct=result["correct"],
        before_passed=bool(sitting.passed),
        after_passed=result["passed"],
    )


def apply_regrade(version, method, corrected=None, user=None, now=None):
    """Record the regrade and re-score every finished sitting that used `version`.

    Returns the Regrade, whose `changes` lists each sitting's score before and after.
    Raises RegradeError for a request that makes no sense. Runs in one transaction.
    """
    from .item_analysis import compute_item_statistics
    from .tasks import enqueue_report

    _check(version, method, corrected)
    now = now or timezone.now()
    with transaction.atomic():
        before = dict(
            SittingItem.objects.filter(version=version, sitting__status="finished").values_list(
                "id", "is_correct"
            )
        )
        regrade = Regrade.objects.create(
            version=version, corrected=corrected, method=method, created_by=user, created_at=now
        )
        changes, users = [], set()
        for sitting in _affected(version):
            sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
            result, _, positions = _rescore(sitting, version, save=True)
            changes.append(_change(sitting, result, positions))
            # score_sitting names every regrade of this sitting's versions, this one included.
            # Re-equated too: score_sitting scores a mock by ability when its form is calibrated.
            sitting.record_result(result)
            sitting.save(update_fields=Sitting.RESULT_FIELDS)
            _update_learning_records(sitting, version, before, now)
            users.add(sitting.user_id)
        regrade.changes = [c.as_dict() for c in changes]
        regrade.save(update_fields=["changes"])
        for user_id in users:
            transaction.on_commit(lambda user_id=user_id: enqueue_report(user_id))
    compute_item_statistics(now)
    return regrade


def _update_learning_records(sitting, version, before, now):
    """Misconception hits and the review queue follow the new grading of `version`'s items."""
    # Pilot items never reached the queue or the hits: a regrade keeps them out too.
    items = list(
        SittingItem.objects.without_pilots()
        .filter(sitting=sitting, version=version)
        .prefetch_related("version__choices")
    )
    MisconceptionHit.objects.filter(item__in=items).delete()
    # Hits are rebuilt for every item still wrong; the queue only hears of items that changed.
    still_wrong = [i for i in items if i.is_correct is False and before.get(i.id) is False]
    if still_wrong:
        record_graded(sitting.user, still_wrong, now, practice=False, queue=False)
    now_wrong = [i for i in items if i.is_correct is False and before.get(i.id) is not False]
    if now_wrong:
        record_graded(sitting.user, now_wrong, now, practice=False)
    cleared = [i for i in items if i.is_correct is not False and before.get(i.id) is False]
    for item in cleared:
        latest_wrong = (
            SittingItem.objects.without_pilots()
            .filter(sitting__user=sitting.user, question_id=item.question_id, is_correct=False)
            .exclude(pk=item.pk)
            .exists()
        )
        if not latest_wrong:
            ReviewItem.objects.filter(user=sitting.user, question_id=item.question_id).delete()
