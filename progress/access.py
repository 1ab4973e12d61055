from django.shortcuts import get_object_or_404

from .models import Sitting


def get_sitting_for_user(user, pk, *, finalise=True):
    """The user's own sitting or 404. Expired mocks are finalised on access (lazy sweep)."""
    sitting = get_object_or_404(Sitting, pk=pk, user=user)
    if finalise:
        sitting.finish_if_expired()
    return sitting
