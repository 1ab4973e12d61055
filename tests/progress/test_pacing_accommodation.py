"""Pacing follows the learner's own clock: with the +30-minute accommodation a mock allows
210 minutes for 75 questions, 168 s a question, not the standard 144 s (#15)."""

from progress.models import Profile

from .test_pacing import timed_mock


def test_an_accommodated_learner_within_their_time_is_within_pace(alice, sample_bank, client):
    Profile.objects.create(user=alice, extra_time=True)
    sitting = timed_mock(alice, times=lambda position: 160)  # 200 of their 210 minutes
    client.force_login(alice)
    page = client.get(f"/sittings/{sitting.pk}/results/").content.decode()
    assert "against the 2 min 48 s a question" in page
    assert "within the exam&#x27;s pace" in page or "within the exam's pace" in page
    assert "You fell behind" not in page
    body = client.get(f"/api/v1/exams/{sitting.pk}/").json()
    assert body["pacing"]["pace_seconds"] == 168
    assert body["pacing"]["fell_behind"] is None
    assert body["pacing"]["over_pace"] is False


def test_without_the_accommodation_the_pace_is_the_exams(alice, sample_bank):
    sitting = timed_mock(alice, times=lambda position: 160)
    from progress.pacing import sitting_pacing

    pacing = sitting_pacing(sitting)
    assert pacing["pace_seconds"] == 144
    assert pacing["over_pace"] is True


def test_the_dashboard_pace_of_an_accommodated_mock_is_within(alice, sample_bank, client):
    Profile.objects.create(user=alice, extra_time=True)
    timed_mock(alice, times=lambda position: 160)
    client.force_login(alice)
    page = client.get("/progress/").content.decode()
    table = page.split('id="pace-trend"')[1].split("</table>")[0]
    assert "within" in table and "slower" not in table
