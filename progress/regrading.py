"""Regrade: re-score finished sittings that used a flawed version of a question (as Moodle's
quiz does after a key is corrected).

`plan_regrade` computes each affected sitting's score before and after without writing;
`apply_regrade` records the Regrade (so sittings finished later are scored the same way),
re-scores every affected finished sitting and updates what grading feeds: misconception hits,
the review queue, the missed list and mastery (both read `is_correct`), weak-domain reports and
item statistics. The learner's results page then says when and why the mock was re-scored.

In the admin both run on a worker as a RegradeJob (`request_preview`, `request_apply`,
`request_retry`, then `run_job` in the `run_regrade_job` task), so a question met in thousands of
mocks never meets the web request's timeout; `plan_regrade` and `apply_regrade` know nothing of
jobs, and the `regrade` command calls them directly.
"""

import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from domains import blueprint
from questions.models import QuestionVersion

from .equating import EQUATED, LINEAR
from .models import MisconceptionHit, Regrade, RegradeJob, ReviewItem, Sitting, SittingItem
from .outbox import add_regrade_job
from .review import record_graded
from .scoring import score_sitting

log = logging.getLogger(__name__)


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
            "before_passed": self.before_passed,
            "after_passed": self.after_passed,
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
        # Held to the commit: a mock finishing meanwhile waits, then scores with this regrade
        # (`Sitting._wait_for_regrades`); `_affected` below cannot see it, it isn't finished.
        QuestionVersion.objects.select_for_update().get(pk=version.pk)
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


# --- Jobs: the admin's preview and apply, run by a worker ----------------------------------


def request_preview(version, method, corrected=None, user=None):
    """Queue a preview of this regrade; returns the RegradeJob (status queued).

    Raises RegradeError at once for a request that makes no sense. The job is handed to a worker
    through the outbox, so it commits with the job and waits out a broker outage."""
    _check(version, method, corrected)
    with transaction.atomic():
        job = RegradeJob.objects.create(
            version=version, method=method, corrected=corrected, requested_by=user
        )
        add_regrade_job(job.pk)
    return job


def request_apply(job):
    """Queue the apply of `job`'s finished preview: True if queued now, False if it was queued
    before (nothing is ever applied twice). Raises RegradeError if the preview isn't done or is
    out of date."""
    with transaction.atomic():
        try:
            queued = job.queue_apply()
        except RegradeJob.NotReady as exc:
            raise RegradeError(str(exc)) from exc
        if queued:
            add_regrade_job(job.pk)
    return queued


def request_retry(job, now=None):
    """Queue a failed (or stuck) job's step again: True if queued now, False if the job is not
    failed (a second click)."""
    with transaction.atomic():
        queued = job.queue_retry(now)
        if queued:
            add_regrade_job(job.pk)
    return queued


def run_job(job_id):
    """Run the step a RegradeJob is queued for: the preview records the plan, the apply the
    Regrade and its outcome. Returns the job's status.

    Runs each step once, however often it is delivered: the step and its `done` commit together
    under the job's row lock. A failure (a regrade that no longer makes sense, the time limit, a
    database error) is recorded on the job with its message, writes nothing, and is not raised."""
    job = RegradeJob.objects.get(pk=job_id)
    if not job.begin():
        return job.status
    try:
        with transaction.atomic():
            job = RegradeJob.objects.select_for_update().get(pk=job_id)
            if job.status != RegradeJob.Status.RUNNING:  # another delivery finished it
                return job.status
            # Steps on one version run one at a time: an apply never overlaps another, and a
            # preview waits for a running apply, so it reads its scores and counts as newer. A
            # preview takes the weaker NO KEY lock, which finishing mocks don't wait for (an
            # apply's FOR UPDATE they do: see `Sitting._wait_for_regrades`).
            QuestionVersion.objects.select_for_update(
                no_key=job.step == RegradeJob.Step.PREVIEW
            ).get(pk=job.version_id)
            if job.step == RegradeJob.Step.PREVIEW:
                changes = plan_regrade(job.version, job.method, job.corrected)
                job.record_plan([c.as_dict() for c in changes])
            else:
                # A preview that another apply overtook lists stale scores: refused, not applied.
                if job.superseded():
                    raise RegradeError(
                        f"v{job.version.number} was regraded after this preview: preview again"
                    )
                regrade = apply_regrade(
                    job.version, job.method, job.corrected, user=job.requested_by
                )
                job.record_outcome(regrade)
    except Exception as exc:  # noqa: BLE001 - recorded on the job, shown in the admin, retried there
        if isinstance(exc, RegradeError):
            message = str(exc)
        elif isinstance(exc, SoftTimeLimitExceeded):
            message = "stopped at the time limit; nothing was written"
        else:
            message = f"{type(exc).__name__}: {exc}"
        log.warning("Regrade job %s failed: %s", job_id, message, exc_info=True)
        job.record_failure(message)
    return job.status
