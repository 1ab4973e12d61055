"""Saves racing a finish or each other, with real concurrent transactions (PostgreSQL only:
SQLite serialises writers on its own; these pin the row locks that PostgreSQL needs)."""

import threading
import time

import pytest
from django.db import connection, transaction

from progress import answers
from progress.assembly import start_mock
from progress.models import Sitting, SittingClosed, SittingItem, StaleRevision

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
    ),
]


def in_thread(fn):
    """Run fn in another thread with its own connection; return a callable giving its
    result or raised exception."""
    box = {}

    def target():
        try:
            box["result"] = fn()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            box["result"] = exc
        finally:
            from django.db import connection as own

            own.close()

    thread = threading.Thread(target=target)
    thread.start()

    def result():
        thread.join(10)
        return box["result"]

    return result


def test_a_save_waiting_behind_a_finish_sees_the_sitting_closed(alice, sample_bank):
    sitting = start_mock(alice)
    choice = SittingItem.objects.get(sitting=sitting, position=1).choice_order[0]
    with transaction.atomic():
        Sitting.objects.select_for_update().get(pk=sitting.pk)  # a finish in progress
        save = in_thread(lambda: answers.save_answer(alice, sitting.pk, 1, selected=[choice]))
        time.sleep(0.3)  # the save is now waiting for the lock
        Sitting.objects.filter(pk=sitting.pk).update(status="finished")
    assert isinstance(save(), SittingClosed)
    assert SittingItem.objects.get(sitting=sitting, position=1).selected == []


def test_two_saves_of_the_same_revision_one_wins_the_other_is_stale(alice, sample_bank):
    sitting = start_mock(alice)
    a, b = SittingItem.objects.get(sitting=sitting, position=1).choice_order[:2]
    barrier = threading.Barrier(2)

    def save(choice):
        barrier.wait()
        return answers.save_answer(alice, sitting.pk, 1, selected=[choice], revision=0)

    first, second = in_thread(lambda: save(a)), in_thread(lambda: save(b))
    outcomes = [first(), second()]
    stale = [o for o in outcomes if isinstance(o, StaleRevision)]
    saved = [o for o in outcomes if isinstance(o, answers.SavedAnswer)]
    assert len(stale) == 1 and len(saved) == 1
    stored = SittingItem.objects.get(sitting=sitting, position=1)
    assert stored.selected == saved[0].item.selected and stored.revision == 1
    assert stale[0].item.revision == 1 and stale[0].item.selected == stored.selected
