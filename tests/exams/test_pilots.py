"""Pilot items: up to 10 unscored questions in a mock, hidden while it is open, revealed and
counted nowhere afterwards (issue #15)."""

import json
import random
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from domains import blueprint
from progress import answers, assembly, blocks
from progress.groups import group_progress
from progress.item_analysis import compute_item_statistics
from progress.mastery import learner_progress, unanswered_shares
from progress.misses import tag
from progress.models import QuestionStats, ReviewItem, SittingItem, StudyGroup
from progress.reports import build_reports, latest_report
from questions.models import Question
from tests.conftest import write_pilot_bank

PILOT_COUNT = 12


def pilot_ids():
    return set(Question.objects.filter(slug__startswith="pilot-").values_list("id", flat=True))


def finish_mock(user, seed=1, pilots_right=False, answer_pilots=True):
    """A mock with every scored item right and every pilot answered wrong (or right)."""
    sitting = assembly.start_mock(user, rng=random.Random(seed))
    for item in sitting.items.prefetch_related("version__choices"):
        choices = list(item.version.choices.all())
        if item.is_pilot and not answer_pilots:
            continue
        right = not item.is_pilot or pilots_right
        selected = [c.id for c in choices if c.is_correct == right][: item.select_count]
        answers.save_answer(user, sitting.pk, item.position, selected=selected, flagged=True)
    sitting.finish()
    sitting.refresh_from_db()
    return sitting


def test_import_accepts_status_pilot_and_gives_pilots_a_version(pilot_bank):
    pilots = Question.objects.filter(slug__startswith="pilot-")
    assert pilots.count() == PILOT_COUNT
    assert set(pilots.values_list("status", flat=True)) == {"pilot"}
    assert not pilots.filter(current_version__isnull=True).exists()
    assert set(Question.objects.pilots().values_list("id", flat=True)) == pilot_ids()
    assert not Question.objects.live().filter(id__in=pilot_ids()).exists()


def test_a_pilot_without_references_is_refused_like_a_published_question(blueprint, tmp_path):
    folder = write_pilot_bank(tmp_path, count=1)
    path = folder / "questions" / "pilots.yaml"
    text = path.read_text()
    ref = "  references:\n  - https://docs.aws.amazon.com/codedeploy/latest/userguide/\n"
    assert ref in text
    path.write_text(text.replace(ref, "  references: []\n"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_bank", str(folder), stdout=StringIO(), stderr=err)
    assert "needs at least one reference" in err.getvalue()


def test_a_mock_has_75_items_10_pilots_and_the_rest_split_by_the_weights(alice, pilot_bank):
    mock = assembly.start_mock(alice, rng=random.Random(3))
    items = list(mock.items.select_related("question__domain"))
    assert len(items) == blueprint.QUESTIONS_PER_EXAM
    pilots = [i for i in items if i.is_pilot]
    assert len(pilots) == blueprint.UNSCORED_ON_REAL_EXAM
    assert {i.question_id for i in pilots} <= pilot_ids()
    assert not any(i.question_id in pilot_ids() for i in items if not i.is_pilot)
    scored = Counter(i.question.domain.number for i in items if not i.is_pilot)
    weights = {1: 22, 2: 17, 3: 15, 4: 15, 5: 14, 6: 17}
    assert (
        scored
        == blueprint.split_by_weight(65, weights)
        == {
            1: 14,
            2: 11,
            3: 10,
            4: 10,
            5: 9,
            6: 11,
        }
    )
    # At random positions among the 75, not in a block at the end.
    positions = sorted(i.position for i in pilots)
    assert positions != list(range(66, 76))


def test_with_fewer_pilots_than_ten_all_of_them_come_and_scored_items_fill_the_rest(
    alice, pilot_bank
):
    Question.objects.filter(slug__in=[f"pilot-{n}" for n in range(4, 13)]).update(status="retired")
    mock = assembly.start_mock(alice, rng=random.Random(4))
    assert mock.items.count() == 75
    assert mock.items.filter(is_pilot=True).count() == 3
    assert mock.notice == ""


def test_pilot_positions_vary_between_mocks(alice, bob, pilot_bank):
    first = assembly.start_mock(alice, rng=random.Random(5))
    second = assembly.start_mock(bob, rng=random.Random(6))
    where = [
        sorted(s.items.filter(is_pilot=True).values_list("position", flat=True))
        for s in (first, second)
    ]
    assert where[0] != where[1]


def test_a_learner_never_meets_a_pilot_twice_and_enemies_never_meet(alice, pilot_bank):
    first = finish_mock(alice, seed=7)
    seen = set(first.items.filter(is_pilot=True).values_list("question_id", flat=True))
    unseen = pilot_ids() - seen
    assert len(unseen) == 2
    second = assembly.start_mock(alice, rng=random.Random(8))
    # A pilot met again would be the only repeat in a mock of fresh scored questions: it would
    # give itself away. So only the two unseen pilots come, and 73 scored items fill the rest.
    again = set(second.items.filter(is_pilot=True).values_list("question_id", flat=True))
    assert again == unseen
    assert second.items.count() == 75
    second.finish()
    # An enemy pair (a pilot and a published question testing the same decision) never meets.
    pilot = Question.objects.get(slug="pilot-1")
    enemy = Question.objects.get(slug="t1-1-1")
    pilot.enemies.add(enemy)
    for seed in range(6):
        ids, pilots, _ = assembly.pick_mock(alice, rng=random.Random(seed))
        assert not {pilot.id, enemy.id} <= set(ids)


def test_an_open_mock_does_not_tell_which_items_are_pilots(alice, api, alice_client, pilot_bank):
    body = api.post("/api/v1/exams/", {"mode": "mock"}, format="json").json()
    sitting_id = body["id"]
    pilots = set(
        SittingItem.objects.filter(sitting_id=sitting_id, is_pilot=True).values_list(
            "position", flat=True
        )
    )
    assert len(pilots) == 10
    responses = [
        json.dumps(body),
        api.get(f"/api/v1/exams/{sitting_id}/").content.decode(),
        api.get("/api/v1/exams/").content.decode(),
        alice_client.get(f"/sittings/{sitting_id}/").content.decode(),
    ]
    shapes = set()
    for item in api.get(f"/api/v1/exams/{sitting_id}/").json()["items"]:
        saved = api.put(
            f"/api/v1/exams/{sitting_id}/items/{item['position']}/",
            {"selected": [item["question"]["choices"][0]["id"]], "seconds": 30},
            format="json",
        )
        assert saved.status_code == 200
        responses.append(saved.content.decode())
        shapes.add((tuple(sorted(item)), tuple(sorted(item["question"]))))
    # Pilot and scored items have exactly the same fields...
    assert len(shapes) == 1
    # ...and nothing anywhere names pilots or counts unscored items.
    for text in responses:
        assert "pilot" not in text.lower()
        assert "unscored" not in text.lower()


def test_results_reveal_the_pilots_and_score_on_75_minus_k(alice, alice_client, pilot_bank):
    sitting = finish_mock(alice, seed=9)
    pilots = sorted(sitting.items.filter(is_pilot=True).values_list("position", flat=True))
    assert sitting.correct == 65 and sitting.total == 65  # the 10 wrong pilots count nowhere
    assert sitting.scaled_score == 1000 and sitting.passed
    assert sitting.result["pilot_positions"] == pilots
    assert sum(d["total"] for d in sitting.result["domains"]) == 65
    assert all(d["correct"] == d["total"] for d in sitting.result["domains"])
    # Pilots are graded all the same (item statistics need it).
    assert not sitting.items.filter(is_pilot=True, is_correct__isnull=True).exists()

    page = alice_client.get(f"/sittings/{sitting.pk}/results/").content.decode()
    assert page.count("Unscored (pilot)") == 10 + 1  # each pilot, and the score's sentence
    assert "65 questions count here; the other 10 were unscored pilot questions" in page
    assert "Explanation of new question" in page  # pilots keep their explanation
    assert page.count('class="miss-form"') == 65  # no miss tags on pilots
    api_items = alice_client.get(f"/api/v1/exams/{sitting.pk}/").json()["items"]
    assert [i["position"] for i in api_items if i["feedback"]["pilot"]] == pilots


def test_pilot_answers_count_nowhere_for_the_learner(alice, pilot_bank):
    sitting = finish_mock(alice, seed=10)
    pilot_items = list(sitting.items.filter(is_pilot=True))
    pilot_questions = {i.question_id for i in pilot_items}
    # Published later, a pilot the learner got wrong is still not "missed" nor due.
    Question.objects.filter(id__in=pilot_questions).update(status="published")
    assert set(assembly.missed_question_ids(alice)).isdisjoint(pilot_questions)
    assert not ReviewItem.objects.filter(user=alice, question_id__in=pilot_questions).exists()
    assert blocks.flagged_question_ids(alice).isdisjoint(pilot_questions)
    progress = learner_progress(alice)
    assert sum(d["answered"] for d in progress["domains"]) == 65
    assert sum(d["correct"] for d in progress["domains"]) == 65
    with pytest.raises(ValueError):
        tag(alice, pilot_items[0], "didnt_know")
    build_reports([alice.id])
    report = latest_report(alice)
    assert report.answers == 65
    assert all(d["correct"] == d["answered"] for d in report.domains)
    member = group_progress(StudyGroup.create(alice, "Pilots"))["members"][0]
    assert member["answered"] == 65 and member["latest_mock_score"] == 1000


def test_unanswered_pilots_are_not_unreached_questions(alice, pilot_bank):
    finish_mock(alice, seed=12, answer_pilots=False)
    pilots = pilot_ids()
    assert set(assembly.not_reached_question_ids(alice)).isdisjoint(pilots)
    assert unanswered_shares([alice.id]) == {alice.id: 0.0}


def test_pilots_never_come_in_practice_or_custom_blocks(alice, pilot_bank):
    practice = assembly.start_practice(alice, count=95, rng=random.Random(1))
    assert set(practice.items.values_list("question_id", flat=True)).isdisjoint(pilot_ids())
    assert not practice.items.filter(is_pilot=True).exists()
    practice.finish()
    for source in blocks.SOURCES:
        ids = blocks.source_question_ids(alice, source)
        assert ids is None or ids.isdisjoint(pilot_ids())
    assert blocks.available_counts(alice)["sources"]["all"] == 95


def test_item_statistics_include_pilot_answers(alice, bob, pilot_bank):
    finish_mock(alice, seed=13, pilots_right=True)
    finish_mock(bob, seed=14)
    compute_item_statistics()
    stats = QuestionStats.objects.filter(question_id__in=pilot_ids())
    assert stats.exists()
    answered = {s.question_id: s.answered for s in stats}
    assert sum(answered.values()) == 20  # both learners' 10 pilot answers
