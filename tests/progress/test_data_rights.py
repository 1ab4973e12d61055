"""A learner downloads everything held about them, and deletes their account."""

import json
import random
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from progress import assembly
from progress.models import (
    Membership,
    MisconceptionHit,
    QuestionStats,
    ReviewItem,
    Sitting,
    SittingItem,
    StudyGroup,
    WeakDomainReport,
)
from questions.models import ProblemReport, Question
from tests.conftest import make_user

from .conftest import answer


@pytest.fixture
def rich_alice(alice, bob, finished_mock):
    """alice: a finished mock (report, review queue, misconceptions), an open practice, a
    problem report, owner of a group bob joined and of a group of her own."""
    from progress.groups import join
    from progress.reports import build_reports

    build_reports([alice.id])
    shared = StudyGroup.create(alice, "Study buddies")
    join(bob, shared.join_code)
    StudyGroup.create(alice, "Just me")
    item = finished_mock.items.first()
    ProblemReport.objects.create(
        question_id=item.question_id, reporter=alice, reason="typo", text="a typo in the stem"
    )
    practice = assembly.start_practice(alice, count=5, rng=random.Random(3))
    answer(practice, practice.items.prefetch_related("version__choices").first(), right=True)
    return alice


def test_the_export_holds_all_of_a_learners_data_and_nobody_elses(
    rich_alice, bob, api, django_assert_max_num_queries
):
    bob_sitting = assembly.start_practice(bob, count=5, rng=random.Random(4))
    from progress.models import Note

    first = SittingItem.objects.filter(sitting__user=rich_alice).first()
    Note.objects.create(user=rich_alice, question_id=first.question_id, text="Check **quotas**.")
    with django_assert_max_num_queries(14):
        data = api.get("/api/v1/me/export/").json()
    assert [n["text"] for n in data["notes"]] == ["Check **quotas**."]
    assert data["miss_log"] == []
    assert data["account"]["username"] == "alice"
    modes = sorted((s["mode"], s["status"]) for s in data["sittings"])
    assert modes == [("mock", "finished"), ("practice", "in_progress")]
    mock = next(s for s in data["sittings"] if s["mode"] == "mock")
    assert len(mock["items"]) == 75 and mock["scaled_score"] is not None
    assert all("selected" in i and "is_correct" in i for i in mock["items"])
    assert all(i["version"] == 1 for i in mock["items"])  # the version answered
    assert bob_sitting.id not in {s["id"] for s in data["sittings"]}
    assert len(data["weak_domain_reports"]) == 1
    assert len(data["review_queue"]) == ReviewItem.objects.filter(user=rich_alice).count() > 0
    assert data["misconceptions_revealed"]
    assert [r["text"] for r in data["problem_reports"]] == ["a typo in the stem"]
    assert sorted((g["group_name"], g["is_owner"]) for g in data["study_groups"]) == [
        ("Just me", True),
        ("Study buddies", True),
    ]


def test_the_profile_download_is_the_same_data_as_the_api(rich_alice, alice_client, api):
    page = alice_client.get("/profile/")
    assert 'href="/profile/export/"' in page.text and 'href="/profile/delete/"' in page.text
    download = alice_client.get("/profile/export/")
    assert download["Content-Disposition"].startswith('attachment; filename="examprep-alice-')
    from_page = json.loads(download.content)
    from_api = api.get("/api/v1/me/export/").json()
    from_page.pop("exported_at"), from_api.pop("exported_at")
    assert from_page == from_api


def test_an_open_mock_in_the_export_shows_choices_but_no_correctness(alice, api, sample_bank):
    sitting = assembly.start_mock(alice, rng=random.Random(5))
    answer(sitting, sitting.items.prefetch_related("version__choices").first(), right=True)
    (exported,) = api.get("/api/v1/me/export/").json()["sittings"]
    assert exported["items"][0]["selected"]
    assert all("is_correct" not in item for item in exported["items"])


def _stats():
    from progress.item_analysis import compute_item_statistics

    compute_item_statistics()
    return {
        s.question_id: (s.answered, s.facility, s.discrimination, s.option_pick_rates)
        for s in QuestionStats.objects.all()
    }


def test_a_wrong_password_deletes_nothing(rich_alice, alice_client, api):
    page = alice_client.post("/profile/delete/", {"password": "wrong"})
    assert page.status_code == 200 and "That is not your password" in page.text
    assert api.post("/api/v1/me/delete/", {"password": "wrong"}).status_code == 400
    assert get_user_model().objects.filter(username="alice").exists()


def test_deleting_removes_personal_data_and_keeps_item_statistics(rich_alice, bob, alice_client):
    before = _stats()
    token = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "alice", "password": "pw-alice"})
        .json()["token"]
    )
    answers_before = SittingItem.objects.filter(answered_at__isnull=False).count()

    response = alice_client.post("/profile/delete/", {"password": "pw-alice"})
    assert response.status_code == 302
    assert "deleted" in alice_client.get("/").text
    assert not get_user_model().objects.filter(username="alice").exists()
    assert alice_client.get("/home/").status_code == 302  # signed out
    tokened = APIClient()
    tokened.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert tokened.get("/api/v1/exams/").status_code == 401
    for model, field in (
        (WeakDomainReport, "user_id"),
        (ReviewItem, "user_id"),
        (MisconceptionHit, "user_id"),
        (ProblemReport, "reporter_id"),
        (Membership, "user_id"),
    ):
        assert not model.objects.filter(**{field: rich_alice.id}).exists(), model
    kept = Sitting.objects.get(mode="mock")
    assert kept.user.username.startswith("deleted-learners-") and not kept.user.is_active
    assert not kept.user.email and not kept.user.has_usable_password()
    assert not Sitting.objects.filter(status="in_progress", user=kept.user).exists()
    # The open practice's answer went with it; the finished mock's answers stay.
    assert SittingItem.objects.filter(answered_at__isnull=False).count() == answers_before - 1
    after = _stats()
    assert {q: v for q, v in after.items() if q in before} == before


def test_deleting_hands_an_owned_group_to_a_member_and_closes_a_solo_one(rich_alice, bob, api):
    old_code = StudyGroup.objects.get(name="Study buddies").join_code
    summary = api.post("/api/v1/me/delete/", {"password": "pw-alice"}).json()
    assert summary == {"sittings_kept_anonymously": 1, "groups_handed_over": 1, "groups_closed": 1}
    shared = StudyGroup.objects.get(name="Study buddies")
    assert shared.owner_id == bob.id and shared.join_code != old_code
    assert list(shared.memberships.values_list("user__username", flat=True)) == ["bob"]
    assert not StudyGroup.objects.filter(name="Just me").exists()


def test_nobody_can_register_the_account_that_keeps_deleted_learners_answers(alice, api, client):
    anonymous = APIClient()
    response = anonymous.post(
        "/api/v1/auth/register/",
        {"username": "deleted-learners", "password": "Quiet-Lamp-4417"},
        format="json",
    )
    assert response.status_code == 400
    page = client.post(
        "/accounts/signup/",
        {
            "username": "Deleted-Learners",
            "password1": "Quiet-Lamp-4417",
            "password2": "Quiet-Lamp-4417",
        },
    )
    assert page.status_code == 200 and "taken" in page.text


def test_an_active_account_holding_the_reserved_name_never_receives_answers(alice, sample_bank):
    from progress.data_rights import delete_account

    squatter = get_user_model().objects.create_user("deleted-learners", password="pw")
    sitting = assembly.start_practice(alice, count=5, rng=random.Random(2))
    sitting.finish()
    delete_account(alice)
    assert not Sitting.objects.filter(user=squatter).exists()
    keeper = Sitting.objects.get(pk=sitting.pk).user
    assert not keeper.is_active and not keeper.has_usable_password()


def _first_mock(user, score, start, retake=None):
    Sitting.objects.create(
        user=user,
        mode="mock",
        status="finished",
        started_at=start,
        finished_at=start + timedelta(hours=3),
        scaled_score=score,
    )
    if retake is not None:
        later = start + timedelta(days=7)
        Sitting.objects.create(
            user=user,
            mode="mock",
            status="finished",
            started_at=later,
            finished_at=later + timedelta(hours=3),
            scaled_score=retake,
        )


def test_deleted_learners_still_count_as_the_learners_they_were_in_peer_standings(db):
    from progress import peers
    from progress.data_rights import delete_account

    start = timezone.now() - timedelta(days=30)
    learners = [make_user(f"taker{n}") for n in range(30)]
    for n, user in enumerate(learners):
        # The first two are the leavers: a low first mock and a later high retake each.
        _first_mock(user, 100 + 30 * n, start + timedelta(minutes=n), retake=990 if n < 2 else None)
    before = peers.standing(550)
    assert before["enough"] and before["first_attempts"] == 30

    delete_account(learners[0])
    delete_account(learners[1])

    assert peers.standing(550) == before
    # The leavers' first mocks (100, 130) are still two of the thirty, their retakes still not.
    assert peers.standing(130)["percentile"] == round(100 * 1.5 / 30)
    keepers = get_user_model().objects.filter(username__startswith="deleted-learners")
    assert keepers.count() == 2
    for keeper in keepers:
        assert not keeper.is_active and not keeper.has_usable_password() and not keeper.email
        assert Sitting.objects.filter(user=keeper).count() == 2
        signin = {"username": keeper.username, "password": "!"}
        assert APIClient().post("/api/v1/auth/token/", signin).status_code == 400


def test_deleted_learners_still_count_as_distinct_learners_in_item_statistics(sample_bank):
    from progress.data_rights import delete_account
    from progress.item_analysis import compute_item_statistics
    from progress.peers import question_peers

    question = (
        Question.objects.live()
        .filter(current_version__select_count=1)
        .select_related("current_version")
        .order_by("id")
        .first()
    )
    version = question.current_version
    right = next(c.id for c in version.choices.all() if c.is_correct)
    learners = [make_user(f"peer{n}") for n in range(20)]
    for user in learners:
        sitting = assembly.create_sitting(user, "practice", [question.id], rng=random.Random(1))
        sitting.save_answer(1, selected=[right])
        sitting.end()
    compute_item_statistics()
    before = QuestionStats.objects.values("answered", "learners", "facility").get(version=version)
    assert before["learners"] == 20

    delete_account(learners[0])
    delete_account(learners[1])
    compute_item_statistics()

    assert (
        QuestionStats.objects.values("answered", "learners", "facility").get(version=version)
        == before
    )
    item = SittingItem.objects.select_related("version__stats").filter(question=question).first()
    assert question_peers(item)["enough"] is True


def test_an_open_mock_in_the_export_names_no_question_slug(alice, api, sample_bank):
    """Slugs name the solution ("d1-codedeploy-alarm-auto-rollback"): an open mock's items in
    the export must not carry them (a finished one's may)."""
    sitting = assembly.start_mock(alice, rng=random.Random(5))
    slugs = set(sitting.items.values_list("question__slug", flat=True))
    text = api.get("/api/v1/me/export/").content.decode()
    assert not [slug for slug in slugs if f'"{slug}"' in text]
    sitting.finish()
    (exported,) = api.get("/api/v1/me/export/").json()["sittings"]
    assert {item["question_slug"] for item in exported["items"]} == slugs


def test_an_open_mock_in_the_export_names_no_question_and_gives_choices_as_shown(
    alice, api, pilot_bank
):
    """Question ids and option ids grow with authoring time (pilots are the newest): while the
    mock is open its items in the export name no question or version, and the learner's
    choices are the places shown on the exam page, as the exam API gives them."""
    sitting = assembly.start_mock(alice, rng=random.Random(5))
    assert sitting.items.filter(is_pilot=True).exists()
    for position in (1, 2):
        api.put(
            f"/api/v1/exams/{sitting.pk}/items/{position}/",
            {"selected": [2], "struck": [1]},
            format="json",
        )
    (exported,) = api.get("/api/v1/me/export/").json()["sittings"]
    assert len(exported["items"]) == 75
    assert all({"question", "version"}.isdisjoint(item) for item in exported["items"])
    assert [i["selected"] for i in exported["items"][:3]] == [[2], [2], []]
    assert [i["struck"] for i in exported["items"][:2]] == [[1], [1]]
    sitting.finish()
    (exported,) = api.get("/api/v1/me/export/").json()["sittings"]
    first = sitting.items.get(position=1)
    assert exported["items"][0]["question"] == first.question_id
    assert exported["items"][0]["selected"] == [first.choice_order[1]]
