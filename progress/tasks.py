"""Celery tasks: thin wrappers that load by id and call the domain functions."""

import logging

from celery import shared_task
from django.utils import timezone

from .models import Sitting

log = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def finalise_expired_sittings():
    """Beat, every minute: score mocks whose deadline has passed, so a learner who closed the
    browser still gets a result. Returns how many it finished."""
    now = timezone.now()
    finished = 0
    for sitting in Sitting.objects.expired(now):
        finished += sitting.finish_if_expired(now)
    return finished
