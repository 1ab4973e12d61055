"""Who may see what of a question."""

from progress.models import SittingItem


def learner_has_met(user, question):
    """A learner can only report questions they have been shown."""
    return (
        user.is_staff or SittingItem.objects.filter(sitting__user=user, question=question).exists()
    )
