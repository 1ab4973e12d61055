"""Who may see what of a question."""

from progress.models import Sitting, SittingItem


def _items_met(user, question):
    """The learner's items of `question`, leaving out those of an open mock or timed block: its
    page names no question until it ends (a report form answering 200 for an id only since the
    mock started would tie that id, and its age, to one of the mock's items)."""
    return SittingItem.objects.filter(sitting__user=user, question=question).exclude(
        sitting__status=Sitting.Status.IN_PROGRESS, sitting__deadline__isnull=False
    )


def learner_has_met(user, question):
    """A learner can only report questions they have been shown, outside an open timed
    sitting (see `_items_met`)."""
    return user.is_staff or _items_met(user, question).exists()


def version_seen_by(user, question):
    """The version of `question` the learner was last given (the current one for staff): by when
    its sitting started, not by id (ids need not follow time, e.g. after a restored backup)."""
    version_id = (
        _items_met(user, question)
        .order_by("-sitting__started_at", "-id")
        .values_list("version_id", flat=True)
        .first()
    )
    return version_id or question.current_version_id
