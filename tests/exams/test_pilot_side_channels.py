"""Side channels that could tell pilots apart while a mock is open: responses that do not name
pilots but change differently for a pilot item and a scored one (issue #15)."""

import random

from progress import assembly
from progress.models import SittingItem


def _flagged(api):
    return api.get("/api/v1/exams/available/?from=flagged").json()["sources"]["flagged"]


def test_flagging_an_item_of_an_open_mock_moves_no_practice_count(api, pilot_bank):
    """Flagging each item in turn and reading the flagged count named every pilot exactly."""
    mock = api.post("/api/v1/exams/", {"mode": "mock"}, format="json").json()
    pilot = SittingItem.objects.filter(sitting_id=mock["id"], is_pilot=True).first()
    scored = SittingItem.objects.filter(sitting_id=mock["id"], is_pilot=False).first()
    before = _flagged(api)
    counts = {}
    for item in (pilot, scored):
        url = f"/api/v1/exams/{mock['id']}/items/{item.position}/"
        assert api.put(url, {"flagged": True}, format="json").status_code == 200
        counts[item.is_pilot] = _flagged(api)
        assert api.put(url, {"flagged": False}, format="json").status_code == 200
    assert counts[True] == counts[False] == before


def test_starting_a_mock_does_not_tell_how_many_of_its_items_count(api, pilot_bank):
    """The unused count fell by the scored items only (75 - k): the number of pilots."""
    before = api.get("/api/v1/exams/available/?from=unused").json()["sources"]["unused"]
    api.post("/api/v1/exams/", {"mode": "mock"}, format="json")
    during = api.get("/api/v1/exams/available/?from=unused").json()["sources"]["unused"]
    assert during == before


def test_a_later_mock_never_repeats_a_pilot_its_learner_saw_labelled(alice, pilot_bank):
    """The results label each pilot: dealt again, it is recognisable by its text in the open
    mock (and a repeat adds nothing to calibration, which reads first exposures only)."""
    first = assembly.start_mock(alice, rng=random.Random(7))
    first.finish()
    labelled = set(first.items.filter(is_pilot=True).values_list("question_id", flat=True))
    assert len(labelled) == 10
    second = assembly.start_mock(alice, rng=random.Random(8))
    pilots = set(second.items.filter(is_pilot=True).values_list("question_id", flat=True))
    assert second.items.count() == 75
    assert pilots and pilots.isdisjoint(labelled)  # the 2 of 12 not dealt before
