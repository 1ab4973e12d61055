"""Times are shown in the learner's time zone, labelled; the browser's zone is kept in the
profile."""

from datetime import UTC, datetime

from progress.assembly import start_practice
from progress.models import Profile


def finished_set(alice, when):
    sitting = start_practice(alice, count=5)
    sitting.end(now=when)
    return sitting


def test_the_browser_zone_is_kept_in_the_profile(alice_client, alice):
    response = alice_client.post(
        "/profile/time-zone/", {"time_zone": "Asia/Tokyo"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Profile.objects.get(user=alice).time_zone == "Asia/Tokyo"


def test_an_unknown_zone_is_refused(alice_client, alice):
    for body in ({"time_zone": "Mars/Olympus"}, {"time_zone": 3}, {}):
        response = alice_client.post("/profile/time-zone/", body, content_type="application/json")
        assert response.status_code == 400
    assert (
        alice_client.post(
            "/profile/time-zone/", "not json", content_type="application/json"
        ).status_code
        == 400
    )
    assert Profile.for_user(alice).time_zone == ""


def test_times_are_local_and_labelled_on_home_dashboard_and_results(
    alice_client, alice, sample_bank
):
    sitting = finished_set(alice, datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    page = alice_client.get("/home/").text
    assert "15 Jan 2026, 23:30 UTC" in page
    alice_client.post(
        "/profile/time-zone/", {"time_zone": "Asia/Tokyo"}, content_type="application/json"
    )
    for url in ("/home/", "/progress/", f"/sittings/{sitting.pk}/results/"):
        assert "16 Jan 2026, 08:30 JST" in alice_client.get(url).text, url


def test_the_profile_page_can_change_the_zone(alice_client, alice):
    response = alice_client.post("/profile/", {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    assert Profile.objects.get(user=alice).time_zone == "Europe/Berlin"


def test_the_detection_script_runs_only_while_the_zone_is_unknown(alice_client, alice):
    assert 'id="tz-detect"' in alice_client.get("/home/").text
    alice_client.post("/profile/time-zone/", {"time_zone": "UTC"}, content_type="application/json")
    assert 'id="tz-detect"' not in alice_client.get("/home/").text


def test_the_score_trend_dates_are_local(alice_client, alice, sample_bank):
    from progress.assembly import start_mock

    start_mock(alice).end(now=datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    alice_client.post(
        "/profile/time-zone/", {"time_zone": "Asia/Tokyo"}, content_type="application/json"
    )
    page = alice_client.get("/progress/").text
    assert ">16 Jan</text>" in page and ">15 Jan</text>" not in page
