"""Saving an answer, the use case behind the exam page's autosave and `PUT .../items/<n>/`.

The model (`SittingItem.save_answer`) holds the invariants: the sitting is open, the choices
belong to the item, a stale revision never overwrites a newer state. This module calls it and
then does what follows a checked practice answer (the review queue, misconception hits, the
feedback shown at once), so models never import the analytics modules.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from questions.markdown import render_many

from .models import Sitting, SittingClosed, SittingItem
from .presenters import item_feedback, load_items
from .review import record_graded


@dataclass
class SavedAnswer:
    item: SittingItem
    now: datetime
    feedback: dict | None = None

    def as_dict(self):
        """The save contract: what changed and the clock, never the re-rendered question."""
        item = self.item
        body = {
            "position": item.position,
            **item.public_answer(),
            "flagged": item.flagged,
            "revision": item.revision,
            "answered": item.answered,
            "complete": item.complete,
            "server_time": self.now,
            "remaining_seconds": item.sitting.remaining_seconds(self.now),
        }
        if self.feedback is not None:
            body["feedback"] = self.feedback
        return body


def save_answer(user, sitting_id, position, *, now=None, unsure=None, as_shown=False, **changes):
    """Save the state of item `position` of `user`'s sitting `sitting_id`; return SavedAnswer.

    `changes` are those of `SittingItem.save_answer` (selected, struck, flagged, seconds,
    revision); with `as_shown` (the API) they name options as the learner's client does (see
    there); `unsure` (optional) marks the answer as a guess, until a tutor-mode answer is
    checked (one more query when sent). A mock or unchecked item: 2 queries past authentication
    (3 when the learner moved to another question). A practice answer checked now is also
    graded, recorded for review and returned with its feedback (a few more queries, once per
    question).

    Raises SittingItem.DoesNotExist, SittingClosed (an expired mock is finished first, so its
    result exists when the client goes to it), StaleRevision, InvalidAnswer.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            item = SittingItem.save_answer(
                sitting_id, position, user=user, now=now, as_shown=as_shown, **changes
            )
            if unsure is not None:
                _mark_unsure(item, unsure)
            feedback = _grade_practice_answer(user, item, now) if item.graded_now else None
    except SittingClosed:
        Sitting.objects.get(pk=sitting_id).finish_if_expired(now)
        raise
    if feedback is None and item.sitting.gives_feedback and item.answered_at:
        # A repeat of an answer already checked: show its feedback again.
        feedback = _feedback(_load(item))
    return SavedAnswer(item=item, now=now, feedback=feedback)


def _mark_unsure(item, unsure):
    """ "Unsure" belongs to the answer: it is fixed once a tutor-mode answer is checked (before
    this save). Kept out of the save's own statement: it is rare and the save is hot."""
    if item.sitting.gives_feedback and item.answered_at and not item.graded_now:
        return
    SittingItem.objects.filter(pk=item.pk).update(unsure=bool(unsure))


def _load(item):
    (loaded,) = load_items(item.sitting, item.position)
    return loaded


def _grade_practice_answer(user, item, now):
    loaded = _load(item)
    record_graded(user, [loaded], now, practice=True)
    return _feedback(loaded)


def _feedback(item):
    choices = list(item.version.choices.all())
    texts = [item.question.explanation] + [c.why for c in choices]
    texts += [c.misconception.correction for c in choices if c.misconception_id]
    return item_feedback(item, render_many(texts))
