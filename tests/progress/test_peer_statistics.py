"""Peer figures on a question (from the nightly item statistics of the version shown) and a
mock's percentile among learners' first attempts."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from progress import assembly, peers
from progress.item_analysis import compute_item_statistics
from progress.models import QuestionStats, Sitting
from questions.models import Question
from tests.conftest import make_user


def _answer(user, question, pick):
    sitting = assembly.create_sitting(user, "practice", [question.id], rng=random.Random(1))
    sitting.save_answer(1, selected=[pick])
    sitting.end()
    return sitting


def _population(question, right, wrong):
    """`right` learners pick the right option, `wrong` learners the first wrong one."""
    version = question.current_version
    right_id = next(c.id for c in version.choices.all() if c.is_correct)
    wrong_id = next(c.id for c in version.choices.all() if not c.is_correct)
    for n in range(right + wrong):
        _answer(make_user(f"peer{n}"), question, right_id if n < right else wrong_id)
    compute_item_statistics()
    return right_id, wrong_id


@pytest.fixture
def single_question(sample_bank):
    return (
        Question.objects.live()
        .filter(current_version__select_count=1)
        .select_related("current_version")
        .order_by("id")
        .first()
    )


def test_practice_feedback_shows_peer_shares_from_a_seeded_population(api, alice, single_question):
    right_id, wrong_id = _population(single_question, right=15, wrong=10)
    sitting = assembly.create_sitting(alice, "practice", [single_question.id])
    response = api.put(
        f"/api/v1/exams/{sitting.id}/items/1/", {"selected": [wrong_id]}, format="json"
    )
    assert response.status_code == 200
    figures = response.json()["feedback"]["peers"]
    assert figures["enough"] is True and figures["learners"] == 25
    assert figures["right_share"] == pytest.approx(0.6)
    shares = {o["id"]: o["share"] for o in figures["options"]}
    assert shares[right_id] == pytest.approx(0.6) and shares[wrong_id] == pytest.approx(0.4)
    # In the order the learner saw the options, every option listed (unpicked ones at 0).
    assert [o["id"] for o in figures["options"]] == sitting.items.get().choice_order


def test_below_twenty_learners_the_figures_are_withheld(api, alice, single_question):
    _, wrong_id = _population(single_question, right=10, wrong=9)
    sitting = assembly.create_sitting(alice, "practice", [single_question.id])
    body = api.put(
        f"/api/v1/exams/{sitting.id}/items/1/", {"selected": [wrong_id]}, format="json"
    ).json()
    assert body["feedback"]["peers"] == {
        "enough": False,
        "learners": 19,
        "right_share": None,
        "options": [],
        "updated_at": body["feedback"]["peers"]["updated_at"],
    }


def test_one_learner_answering_twenty_times_is_not_twenty_learners(alice, single_question):
    wrong_id = next(c.id for c in single_question.current_version.choices.all() if not c.is_correct)
    for _ in range(20):
        _answer(alice, single_question, wrong_id)
    compute_item_statistics()
    stats = QuestionStats.objects.get(version=single_question.current_version)
    assert stats.answered == 20 and stats.learners == 1


def test_figures_are_those_of_the_version_shown(api, alice, single_question):
    _, wrong_id = _population(single_question, right=20, wrong=0)
    sitting = assembly.create_sitting(alice, "practice", [single_question.id])
    # Another version's statistics never stand in for this one's.
    QuestionStats.objects.filter(version=single_question.current_version).update(
        learners=0, option_pick_rates={}
    )
    body = api.put(
        f"/api/v1/exams/{sitting.id}/items/1/", {"selected": [wrong_id]}, format="json"
    ).json()
    assert body["feedback"]["peers"]["enough"] is False


def test_finished_mock_review_shows_peer_figures_but_open_mock_does_not(
    alice_client, alice, single_question
):
    _population(single_question, right=12, wrong=8)
    mock = assembly.create_sitting(alice, "mock", [single_question.id])
    page = alice_client.get(f"/sittings/{mock.id}/")
    assert "Picked by" not in page.text and "Other learners" not in page.text
    assert '"peers"' not in page.text
    assert alice_client.get(f"/api/v1/exams/{mock.id}/").json()["items"][0].get("feedback") is None
    mock.end()
    review = alice_client.get(f"/sittings/{mock.id}/results/")
    assert "Picked by 60 % of learners." in review.text
    assert "60 % answered this right (20 learners)" in review.text


def _first_attempts(scores, start=None, prefix="taker"):
    start = start or timezone.now() - timedelta(days=30)
    users = []
    for n, score in enumerate(scores):
        user = make_user(f"{prefix}{n}")
        users.append(user)
        Sitting.objects.create(
            user=user,
            mode="mock",
            status="finished",
            started_at=start,
            finished_at=start + timedelta(hours=3),
            scaled_score=score,
        )
    return users


def test_percentile_among_first_attempts_ignores_retakes(db):
    users = _first_attempts([100 + 30 * n for n in range(30)])  # 100, 130, ..., 970
    # Retakes are not first attempts: a learner's later 1000s must not move the figures.
    for user in users[:10]:
        Sitting.objects.create(
            user=user,
            mode="mock",
            status="finished",
            started_at=timezone.now(),
            finished_at=timezone.now(),
            scaled_score=1000,
        )
    figures = peers.standing(550)  # equal to the 16th of 30: 15 below, 1 equal
    assert figures == {
        "enough": True,
        "first_attempts": 30,
        "percentile": round(100 * 15.5 / 30),
        "median": (520 + 550) / 2,
    }


def test_percentile_is_two_queries_whatever_the_population(
    db, django_assert_max_num_queries, django_assert_num_queries
):
    _first_attempts([400 + n for n in range(40)])
    with django_assert_num_queries(2):
        peers.standing(420)
    _first_attempts([900] * 60, start=timezone.now() - timedelta(days=60), prefix="more")
    with django_assert_max_num_queries(2):
        assert peers.standing(420)["first_attempts"] == 100


def test_percentile_withheld_below_thirty_first_attempts(db):
    _first_attempts([700] * 29)
    assert peers.standing(700) == {
        "enough": False,
        "first_attempts": 29,
        "percentile": None,
        "median": None,
    }


def test_results_dashboard_and_api_show_the_latest_mocks_percentile(alice_client, alice):
    _first_attempts([100 + 30 * n for n in range(30)])
    mock = Sitting.objects.create(
        user=alice,
        mode="mock",
        status="finished",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        scaled_score=970,
        correct=74,
        total=75,
        passed=True,
        result={"scaled_score": 970, "passed": True, "correct": 74, "total": 75, "domains": []},
    )
    # Alice's 970 is the 31st first attempt: 29 below, 2 equal (hers and one other).
    results = alice_client.get(f"/sittings/{mock.id}/results/")
    assert "at the <strong>97th percentile</strong>" in results.text
    dashboard = alice_client.get("/progress/")
    assert "Your latest mock (970) is at the <strong>97th percentile</strong>" in dashboard.text
    api = APIClient()
    api.force_authenticate(alice)
    standing = api.get("/api/v1/progress/").json()["standing"]
    assert standing["sitting"] == mock.id and standing["percentile"] == 97
    assert api.get(f"/api/v1/exams/{mock.id}/").json()["standing"]["median"] == 550.0
    assert api.post(f"/api/v1/exams/{mock.id}/submit/").json()["standing"]["percentile"] == 97
