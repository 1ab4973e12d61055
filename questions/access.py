"""Who may see what of a question."""

from progress.models import SittingItem


def learner_has_met(user, question):
    """A learner can only report questions they have been shown."""
    return (
        user.is_staff or SittingItem.objects.filter(sitting__user=user, question=question).exists()
    )


def version_seen_by(user, question):
    """The version of `question` the learner was last given (the current one for staff): by when
    its sitting started, not by id (ids need not follow time, e.g. after a restored backup)."""
    version_id = (
        SittingItem.objects.filter(sitting__user=user, question=question)
        .order_by("-sitting__started_at", "-id")
        .values_list("version_id", flat=True)
        .first()
    )
    return version_id or question.current_version_id
