"""Side channels that could tell pilots apart while a mock is open: responses that do not name
pilots but change differently for a pilot item and a scored one (issue #15)."""

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
